"""Settings: CLI flag > environment > .env > config.toml > defaults, with where each came from.

Every setting is declared once, as a field of ``Settings``; ``SETTINGS``, the commands'
flags (``cli/_options.setting_option``) and ``docs/configuration.md`` (a test compares)
derive from it, and ``interviewsense doctor`` shows each value's source, secrets masked.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from interviewsense.errors import BadInputError

APP_NAME = "interviewsense"
MIN_PAUSE_S = 0.3  # the shortest silence a long-pause threshold may be (0: the rubric's)
T = TypeVar("T")
_META = "interviewsense.setting"
# An ISO 639 language (2 or 3 letters), optionally with a region or script: en, pt-br, zh-hant.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


@dataclass(frozen=True)
class Setting:
    """One setting as ``Settings`` declares it: name, type, default, environment variables
    in precedence order, config.toml key, help, whether it is secret, whether it is a URL
    (shown without its user, password and query, which are kept secret), and its CLI flags."""

    name: str
    kind: type
    default: Any
    env: tuple[str, ...]
    toml: str
    help: str
    secret: bool = False
    url: bool = False
    flags: tuple[str, ...] = ()


def _setting(
    default: T,
    *env: str,
    toml: str,
    help: str,
    secret: bool = False,
    url: bool = False,
    flags: tuple[str, ...] = (),
) -> T:
    """A ``Settings`` field carrying its declaration (see ``Setting``)."""
    meta = {"env": env, "toml": toml, "help": help, "secret": secret, "url": url, "flags": flags}
    return field(default=default, metadata={_META: meta})


def _default_home() -> str:
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)


@dataclass
class Settings:
    """Every setting, declared once: the field is the setting (type, default, environment
    variables, config key, help, CLI flags). ``sources[name]`` says where a value came from.
    ``SETTINGS`` and every command's flags derive from these fields."""

    # fmt: off
    home: Path = _setting(Path(), "INTERVIEWSENSE_HOME", toml="home",
        help="Data folder: sessions, downloaded models, caches; default: the user data folder.")
    language: str = _setting("en", "INTERVIEWSENSE_LANGUAGE", toml="stt.language",
        flags=("--language", "-l"),
        help="Language of the answers (ISO code, e.g. en, ko); picks the speech models.")
    whisper_model: str = _setting("tiny.en", "INTERVIEWSENSE_WHISPER_MODEL",
        toml="stt.whisper_model", flags=("--whisper-model",),
        help="Whisper model: a name (tiny.en, base.en, small …) or a folder.")
    whisper_compute_type: str = _setting("int8", "INTERVIEWSENSE_WHISPER_COMPUTE_TYPE",
        toml="stt.whisper_compute_type",
        help="CTranslate2 compute type: int8, int8_float32, float32.")
    whisper_threads: int = _setting(0, "INTERVIEWSENSE_WHISPER_THREADS",
        toml="stt.whisper_threads",
        help="CPU threads for Whisper; 0 means half the cores, at most 4.")
    vosk_model: str = _setting("", "INTERVIEWSENSE_VOSK_MODEL", toml="stt.vosk_model",
        flags=("--vosk-model",),
        help="VOSK model folder for the live transcript; empty means search (docs/stt.md).")
    stt_live_engine: str = _setting("auto", "INTERVIEWSENSE_LIVE_STT", toml="stt.live_engine",
        flags=("--live-stt",), help="Engine for the live transcript: auto (VOSK when it has "
        "a model for the language, else Whisper), vosk or whisper-live ('interviewsense "
        "models' lists them).")
    stt_final_engine: str = _setting("whisper-final", "INTERVIEWSENSE_FINAL_STT",
        toml="stt.final_engine", flags=("--final-stt",),
        help="Engine for whole recordings (finalize, batch, the web API): whisper-final.")
    tts_engine: str = _setting("auto", "INTERVIEWSENSE_TTS", toml="tts.engine",
        flags=("--tts",), help="Voice of the interviewer: auto (the first available in "
        "docs/tts.md's order), or an engine 'interviewsense models' lists.")
    tts_voice: str = _setting("", "INTERVIEWSENSE_VOICE", toml="tts.voice", flags=("--voice",),
        help="A voice of that engine ('interviewsense models' lists them); empty means the "
        "persona's.")
    offline: bool = _setting(False, "INTERVIEWSENSE_OFFLINE", "HF_HUB_OFFLINE", toml="offline",
        help="Never download anything: 'models download' refuses (finding a model never "
        "downloads one).")
    rubric: str = _setting("", "INTERVIEWSENSE_RUBRIC", toml="scoring.rubric",
        flags=("--rubric",),
        help="A rubric.toml that overrides the built-in scoring thresholds and weights.")
    embedding_model: str = _setting("", "INTERVIEWSENSE_EMBEDDING_MODEL",
        toml="scoring.embedding_model",
        help="Sentence-embedding model folder for relevance by meaning; empty means search "
        "(docs/scoring.md), off means key terms only.")
    pause_threshold_s: float = _setting(0.0, "INTERVIEWSENSE_PAUSE_THRESHOLD",
        toml="scoring.pause_threshold_s", flags=("--pause-threshold",),
        help="Seconds of silence that count as a long pause, 0.3 or more; 0 means the "
        "rubric's value (2 s).")
    llm: str = _setting("auto", "INTERVIEWSENSE_LLM", toml="llm.mode", flags=("--llm",),
        help="auto: use an LLM when one is configured; off: always the offline interviewer; "
        "on: require an LLM.")
    llm_judge: bool = _setting(True, "INTERVIEWSENSE_LLM_JUDGE", toml="llm.judge",
        help="Blend an LLM judge into content scores when an LLM is configured.")
    llm_model: str = _setting("gpt-4o-mini", "INTERVIEWSENSE_LLM_MODEL", "OPENAI_MODEL",
        toml="llm.model", flags=("--llm-model",), help="Model (or Azure deployment) name.")
    llm_base_url: str = _setting("", "INTERVIEWSENSE_LLM_BASE_URL", "OPENAI_BASE_URL",
        toml="llm.base_url", flags=("--llm-base-url",), url=True,
        help="OpenAI-compatible server URL, e.g. http://127.0.0.1:11434/v1.")
    openai_api_key: str = _setting("", "OPENAI_API_KEY", toml="llm.api_key", secret=True,
        help="API key for OpenAI or a compatible server.")
    azure_openai_endpoint: str = _setting("", "AZURE_OPENAI_ENDPOINT", toml="llm.azure_endpoint",
        url=True, help="Azure OpenAI endpoint, e.g. https://NAME.openai.azure.com.")
    azure_openai_api_key: str = _setting("", "AZURE_OPENAI_API_KEY", toml="llm.azure_api_key",
        secret=True, help="Azure OpenAI key.")
    azure_openai_api_version: str = _setting("2024-10-21", "OPENAI_API_VERSION",
        toml="llm.azure_api_version", help="Azure OpenAI API version.")
    llm_timeout_s: float = _setting(30.0, "INTERVIEWSENSE_LLM_TIMEOUT", toml="llm.timeout_s",
        help="Seconds to wait for one LLM reply.")
    llm_retries: int = _setting(2, "INTERVIEWSENSE_LLM_RETRIES", toml="llm.retries",
        help="Retries of a failed LLM request (no connection, a server error); a time-out "
        "is not retried.")
    azure_storage_connection_string: str = _setting("", "AZURE_STORAGE_CONNECTION_STRING",
        toml="sync.azure_connection_string", secret=True,
        help="Azure Storage connection string.")
    azure_storage_container: str = _setting("interviewsense", "AZURE_STORAGE_CONTAINER",
        toml="sync.azure_container",
        help="Blob container for synced sessions and the web API's files (created if missing).")
    azure_blob_sas_ttl_seconds: int = _setting(0, "AZURE_BLOB_SAS_TTL_SECONDS",
        toml="sync.sas_ttl_seconds",
        help="When above 0, sync prints and the web API returns read-only links valid this long.")
    sync_target: str = _setting("", "INTERVIEWSENSE_SYNC_TARGET", toml="sync.target",
        flags=("--target",), help="Where sync copies to: azure, or local:PATH for a folder; "
        "empty means azure when configured.")
    sync_auto: bool = _setting(False, "INTERVIEWSENSE_SYNC_AUTO", toml="sync.auto",
        help="Sync each practice session when it ends.")
    sync_user: str = _setting("", "INTERVIEWSENSE_SYNC_USER", toml="sync.user",
        help="Folder name for your sessions on the target; default: user@host.")
    input_device: str = _setting("", "INTERVIEWSENSE_INPUT_DEVICE", toml="audio.input_device",
        flags=("--input-device",),
        help="Microphone: a device name or index (see interviewsense devices).")
    output_device: str = _setting("", "INTERVIEWSENSE_OUTPUT_DEVICE",
        toml="audio.output_device", flags=("--output-device",),
        help="Speaker: a device name or index.")
    turn_model: str = _setting("", "INTERVIEWSENSE_TURN_MODEL", toml="audio.turn_model",
        help="Smart Turn model (folder or .onnx) that tells a finished answer from a pause; "
        "empty means search (docs/practice.md), off means the VAD-and-silence rule.")
    turn_max_pause_s: float = _setting(4.5, "INTERVIEWSENSE_TURN_MAX_PAUSE",
        toml="audio.turn_max_pause_s", flags=("--max-pause",),
        help="Longest pause an answer that sounds unfinished waits through before it ends.")
    barge_in: bool = _setting(True, "INTERVIEWSENSE_BARGE_IN", toml="audio.barge_in",
        flags=("--barge-in/--no-barge-in",), help="Stop the question when you start "
        "answering over it; turn it off if the microphone hears the speakers (docs/tts.md).")
    max_audio_min: float = _setting(30.0, "INTERVIEWSENSE_MAX_AUDIO_MIN", toml="max_audio_min",
        help="Longest recording finalize, batch and the web API decode, in minutes: a small "
        "compressed file can hold hours of sound, and each hour takes 350 MB to score. "
        "0 turns the limit off.")
    max_download_mb: int = _setting(200, "INTERVIEWSENSE_MAX_DOWNLOAD_MB",
        toml="max_download_mb", help="Largest audio file finalize downloads from a URL.")
    http_timeout_s: float = _setting(20.0, "INTERVIEWSENSE_HTTP_TIMEOUT", toml="http_timeout_s",
        help="Seconds to wait for a web server (audio URLs) before retrying.")
    http_deadline_s: float = _setting(120.0, "INTERVIEWSENSE_HTTP_DEADLINE",
        toml="http_deadline_s",
        help="Most seconds one audio URL download may take, retries included; 0 means no limit.")
    http_min_rate_kbps: float = _setting(8.0, "INTERVIEWSENSE_HTTP_MIN_RATE",
        toml="http_min_rate_kbps",
        help="Slowest download accepted, in KB/s over each 10 s; 0 turns the check off.")
    api_token: str = _setting("", "INTERVIEWSENSE_API_TOKEN", toml="serve.api_token",
        secret=True,
        help="Bearer token the web API requires; needed to listen beyond loopback.")
    serve_audio_roots: str = _setting("", "INTERVIEWSENSE_SERVE_AUDIO_ROOTS",
        toml="serve.audio_roots", help="Folders the web API may read audio_path files from "
        "(separated by os.pathsep); empty turns audio_path off.")
    serve_fetch_allow: str = _setting("", "INTERVIEWSENSE_SERVE_FETCH_ALLOW",
        toml="serve.fetch_allow", help="Hosts and networks the web API's audio_url may reach "
        "besides public addresses (names or CIDR, separated by commas), e.g. for on-prem "
        "audio servers; empty refuses private, loopback and link-local ones.")
    serve_max_upload_mb: int = _setting(50, "INTERVIEWSENSE_SERVE_MAX_UPLOAD_MB",
        toml="serve.max_upload_mb",
        help="Largest request body (an uploaded answer) the web API takes.")
    serve_live_idle_s: float = _setting(60.0, "INTERVIEWSENSE_SERVE_LIVE_IDLE_S",
        toml="serve.live_idle_s", help="A live answer's socket that sends no audio this long "
        "is closed (what it recorded is kept for a reconnect), so it holds the answer no more. "
        "0 turns it off.")
    serve_tts_per_session: int = _setting(100, "INTERVIEWSENSE_SERVE_TTS_PER_SESSION",
        toml="serve.tts_per_session", help="Speech files the web API makes for one session "
        "(a question each; 30 questions and their follow-ups need far fewer): past it, "
        "POST /v1/tts/generate answers 409, so no client fills the disk through one session.")
    serve_jobs: int = _setting(1, "INTERVIEWSENSE_SERVE_JOBS", toml="serve.jobs",
        help="Answers the web API transcribes and scores at once, per worker process.")
    serve_queue: int = _setting(8, "INTERVIEWSENSE_SERVE_QUEUE", toml="serve.queue",
        help="Requests that may wait for those jobs; beyond it the API answers 503.")
    serve_rate_limit: int = _setting(0, "INTERVIEWSENSE_SERVE_RATE_LIMIT",
        toml="serve.rate_limit", help="Requests one client address may make to the web API "
        "in any 60 s (shared through Redis when set); beyond it 429. 0 turns it off.")
    redis_url: str = _setting("", "REDIS_URL", toml="serve.redis_url", secret=True,
        help="Redis for the web API's shared state (locks, turn counters, the TTS cache), "
        "e.g. redis://127.0.0.1:6379/0; empty keeps it in this process and its folder.")
    debug: bool = _setting(False, "INTERVIEWSENSE_DEBUG", toml="debug", flags=("--debug",),
        help="Show tracebacks on errors.")
    # fmt: on
    sources: dict[str, str] = field(default_factory=dict)
    config_file: Path | None = None

    @property
    def sessions_dir(self) -> Path:
        return self.home / "sessions"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    def secrets(self) -> list[str]:
        """Every secret value that is set, for scrubbing text before it is shown or saved:
        the secret settings, the key or SAS inside a connection string, and the password
        inside a URL (so the URL's host can still be named, as doctor does)."""
        from urllib.parse import urlsplit

        out = [getattr(self, s.name) for s in SETTINGS if s.secret and getattr(self, s.name)]
        if self.redis_url:
            out.remove(self.redis_url)
            try:
                password = urlsplit(self.redis_url).password
            except ValueError:  # not a URL: hide it whole
                password = self.redis_url
            out += [password] if password else []
        for s in SETTINGS:
            if s.url and getattr(self, s.name):
                out += url_secrets(getattr(self, s.name))
        for part in self.azure_storage_connection_string.split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() in ("accountkey", "sharedaccesssignature") and value:
                out.append(value.strip())
            elif key.strip().lower().endswith("endpoint") and value:
                out += url_secrets(value.strip())  # BlobEndpoint=https://user:password@…
        return out

    def public(self) -> dict[str, Any]:
        """The settings as plain values, secrets replaced by whether they are set."""
        out: dict[str, Any] = {}
        for s in SETTINGS:
            value = getattr(self, s.name)
            if s.secret:
                value = mask(value)
            elif s.url and value:
                from interviewsense.audio.urls import shown

                value = shown(value)
            out[s.name] = str(value) if s.kind is Path else value
        return out


def url_secrets(url: str) -> list[str]:
    """What a URL may carry that is not to be shown: its user name and password, and the
    values of its query (an ``api-key=…``, a SAS signature)."""
    from urllib.parse import parse_qsl, urlsplit

    try:
        parts = urlsplit(url)
        found = [parts.username or "", parts.password or ""]
    except ValueError:  # not a URL at all: hide it whole
        return [url]
    found += [v for _, v in parse_qsl(parts.query)] + [parts.fragment]
    return [f for f in found if len(f) >= 3]


def _declared() -> tuple[Setting, ...]:
    hints = get_type_hints(Settings)
    return tuple(
        Setting(f.name, hints[f.name], f.default, **f.metadata[_META])
        for f in fields(Settings)
        if _META in f.metadata
    )


SETTINGS: tuple[Setting, ...] = _declared()
SETTING: dict[str, Setting] = {s.name: s for s in SETTINGS}


def mask(value: str) -> str:
    """What a secret looks like on screen: only whether it is set, never any of its text."""
    return "(set, hidden)" if value else "(not set)"


def _convert(setting: Setting, raw: Any, origin: str) -> Any:
    # config.toml's own types: a list, a table, true for a number, 0.5 for a count, or an
    # empty path ("." would make the folder you run from the data folder) are refused, not
    # read as something else.
    if (
        isinstance(raw, (list, dict))
        or (isinstance(raw, bool) and setting.kind is not bool)
        or (setting.kind is int and isinstance(raw, float) and not raw.is_integer())
    ):
        pass
    elif setting.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
    elif setting.kind is Path:
        if str(raw).strip():
            return Path(str(raw)).expanduser()
    else:
        try:
            value = setting.kind(raw)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf) in TOML
            pass
        else:
            # Every number setting is a count, a size or a time (0 does what its help says):
            # nan, inf or a negative one would reach a timeout or a JSON file.
            if setting.kind not in (int, float) or (math.isfinite(value) and value >= 0):
                return value
            shown = "(hidden)" if setting.secret else repr(raw)
            raise BadInputError(
                f"{setting.name} from {origin} is {shown}, which is not a number of 0 or more",
                hint=f"fix it in {origin}; see docs/configuration.md",
            )
    shown = "(hidden)" if setting.secret else repr(raw)
    raise BadInputError(
        f"{setting.name} from {origin} is {shown}, which is not {KIND_NAMES[setting.kind]}",
        hint=f"fix it in {origin}; see docs/configuration.md",
    )


MAX_SAS_TTL_S = 7 * 24 * 3600  # share links are short-lived (Azure's own cap for some SAS)

# How an error names what a setting takes.
KIND_NAMES = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "text",
    Path: "a path",
}


def config_file_path(env: Mapping[str, str]) -> Path:
    if env.get("INTERVIEWSENSE_CONFIG"):
        return Path(env["INTERVIEWSENSE_CONFIG"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    if path.is_dir():  # a review: every setting in it was dropped without a word
        raise BadInputError(
            f"the config file {path} is a folder",
            hint=f"point INTERVIEWSENSE_CONFIG at the file itself ({path / 'config.toml'}?)",
        )
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"cannot read config file {path}: it is not UTF-8 text (byte {exc.start})",
            hint="save it as UTF-8, or point INTERVIEWSENSE_CONFIG at another one",
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInputError(
            f"cannot read config file {path}: {exc}",
            hint="fix the file or point INTERVIEWSENSE_CONFIG at another one",
        ) from exc


def _toml_keys(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every dotted key of a TOML document's values: {"stt": {"language": "en"}} gives
    ["stt.language"]."""
    keys: list[str] = []
    for name, value in data.items():
        if isinstance(value, Mapping):
            keys += _toml_keys(value, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _check_toml_keys(data: Mapping[str, Any], path: Path) -> None:
    """A key no setting reads is a typo (or a setting of another version): say so rather
    than quietly run on the default."""
    import difflib

    known = [s.toml for s in SETTINGS]
    for key in _toml_keys(data):
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            guess = f"did you mean {near[0]}? " if near else ""
            raise BadInputError(
                f"{path} sets {key}, which is not a setting",
                hint=f"{guess}docs/configuration.md lists each setting's config.toml key",
            )


def _check_dotenv_keys(values: Mapping[str, str], path: Path) -> None:
    """A name one letter or two from a setting's is a typo, as in config.toml (a review:
    INTERVIEWSENSE_LLM_MODLE in .env was ignored without a word); other names are another
    tool's and are left alone. INTERVIEWSENSE_CONFIG is read before .env, so it cannot be
    set there."""
    import difflib

    if "INTERVIEWSENSE_CONFIG" in values:
        raise BadInputError(
            f"{path} sets INTERVIEWSENSE_CONFIG, which .env cannot set: the config file is "
            "found before .env is read",
            hint="set it in the environment (export INTERVIEWSENSE_CONFIG=…)",
        )
    known = sorted({e for s in SETTINGS for e in s.env})
    for key in values:
        if not key.startswith("INTERVIEWSENSE_") or key in known:
            continue
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.9)
        if near:
            raise BadInputError(
                f"{path} sets {key}, which is not a setting",
                hint=f"did you mean {near[0]}? docs/configuration.md lists each setting's "
                "environment variable",
            )


def _origin(setting: Setting, source: str) -> str:
    """Where a value came from, as an error names it: the flag as typed (--max-pause)
    rather than "flag"."""
    return setting.flags[0] if source == "flag" and setting.flags else source


LLM_MODES = ("auto", "on", "off")


def _check_language(value: str, origin: str) -> str:
    """An ISO 639 code, with an optional region ("en", "pt-BR"); "EN_us" is written "en-us".
    Whether a speech model knows it is the model's to say (stt/whisper_engine.py)."""
    code = value.strip().lower().replace("_", "-")
    if not LANGUAGE_CODE.fullmatch(code):
        raise BadInputError(
            f"language from {origin} is {value!r}, which is not a language code",
            hint="use an ISO 639-1 code such as en, de or ko ('interviewsense models' lists "
            "the languages of the installed models)",
        )
    return code


def _toml_lookup(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    try:
        values = dotenv_values(path, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"cannot read {path}: it is not UTF-8 text (byte {exc.start})",
            hint="save it as UTF-8, or remove it (it sets variables for interviewsense)",
        ) from None
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc.strerror}", hint="check it") from None
    return {k: v for k, v in values.items() if v is not None}


def load_settings(
    overrides: Mapping[str, tuple[Any, str]] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    dotenv_path: Path | None = None,
) -> Settings:
    """Resolve every setting. ``overrides`` maps a name to (value, source) from the CLI."""
    environ = dict(os.environ if env is None else env)
    cfg_path = config_file_path(environ)
    toml_data = _read_toml(cfg_path)
    _check_toml_keys(toml_data, cfg_path)
    dotenv_file = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
    dotenv = _read_dotenv(dotenv_file)
    _check_dotenv_keys(dotenv, dotenv_file)
    overrides = overrides or {}

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for s in SETTINGS:
        value: Any = None
        source = "default"
        if s.name in overrides and overrides[s.name][0] is not None:
            value, source = overrides[s.name]
            # An error names the flag as typed (--max-pause), not "flag".
            value = _convert(s, value, _origin(s, source))
        else:
            for layer_name, layer in (("environment", environ), (".env", dotenv)):
                hit = next((k for k in s.env if layer.get(k, "") != ""), None)
                if hit is not None:
                    source = f"{layer_name} ({hit})"
                    value = _convert(s, layer[hit], source)
                    break
            else:
                raw = _toml_lookup(toml_data, s.toml)
                if raw is not None:
                    source = f"config.toml ({s.toml})"
                    value = _convert(s, raw, f"{cfg_path} [{s.toml}]")
                else:
                    value = s.default
        values[s.name] = value
        sources[s.name] = source

    values["language"] = _check_language(values["language"], sources["language"])
    mode = str(values["llm"]).strip().lower()
    if mode not in LLM_MODES:  # named where it came from (a review: "--llm" for a config file)
        where = _origin(SETTING["llm"], sources["llm"])
        raise BadInputError(
            f"llm from {where} is {str(values['llm'])[:40]!r}: it must be "
            f"{', '.join(LLM_MODES[:-1])} or {LLM_MODES[-1]}",
            hint="auto uses an LLM when one is configured, on requires one, off never uses one",
        )
    values["llm"] = mode
    pause = values["pause_threshold_s"]
    if 0 < pause < MIN_PAUSE_S:  # the flag, the environment and the file alike
        where = _origin(SETTING["pause_threshold_s"], sources["pause_threshold_s"])
        raise BadInputError(
            f"pause_threshold_s from {where} is {pause:g} s: a long pause is at least "
            f"{MIN_PAUSE_S:g} s (shorter gaps come between words)",
            hint=f"give {MIN_PAUSE_S:g} or more, or 0 for the rubric's value",
        )
    ttl = values["azure_blob_sas_ttl_seconds"]
    if ttl > MAX_SAS_TTL_S:  # a link that outlives a week is no longer short-lived
        where = _origin(
            SETTING["azure_blob_sas_ttl_seconds"], sources["azure_blob_sas_ttl_seconds"]
        )
        raise BadInputError(
            f"azure_blob_sas_ttl_seconds from {where} is {ttl}: links last at most "
            f"{MAX_SAS_TTL_S} s (7 days)",
            hint=f"give {MAX_SAS_TTL_S} or less (3600 is an hour), or 0 for no links",
        )
    if sources["home"] == "default":
        values["home"] = Path(_default_home())
    settings = Settings(**values, sources=sources)
    settings.config_file = cfg_path
    return settings
