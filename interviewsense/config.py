"""Settings: CLI flag > environment > .env > config.toml > defaults, with where each came from.

Every setting is declared once in ``SETTINGS``; ``docs/configuration.md`` lists them and
``interviewsense doctor`` shows each value's source, with secrets masked.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewsense.errors import BadInputError

APP_NAME = "interviewsense"


@dataclass(frozen=True)
class Setting:
    """One setting: its name, type, default, environment variables and config.toml key."""

    name: str
    kind: type
    default: Any
    env: tuple[str, ...]
    toml: str
    help: str
    secret: bool = False


def _default_home() -> str:
    import platformdirs

    return platformdirs.user_data_dir(APP_NAME, appauthor=False)


SETTINGS: tuple[Setting, ...] = (
    Setting("home", Path, None, ("INTERVIEWSENSE_HOME",), "home",
            "Data folder: sessions, downloaded models, caches."),
    Setting("language", str, "en", ("INTERVIEWSENSE_LANGUAGE",), "stt.language",
            "Language of the answers (ISO code), e.g. en, ko."),
    Setting("whisper_model", str, "tiny.en", ("INTERVIEWSENSE_WHISPER_MODEL",),
            "stt.whisper_model", "Whisper model: a name (tiny.en, base.en, small …) or a folder."),
    Setting("whisper_compute_type", str, "int8", ("INTERVIEWSENSE_WHISPER_COMPUTE_TYPE",),
            "stt.whisper_compute_type", "CTranslate2 compute type: int8, int8_float32, float32."),
    Setting("whisper_threads", int, 0, ("INTERVIEWSENSE_WHISPER_THREADS",), "stt.whisper_threads",
            "CPU threads for Whisper; 0 means half the cores, at most 4."),
    Setting("vosk_model", str, "", ("INTERVIEWSENSE_VOSK_MODEL",), "stt.vosk_model",
            "VOSK model folder for live transcription; empty means search (see docs/stt.md)."),
    Setting("offline", bool, False, ("INTERVIEWSENSE_OFFLINE", "HF_HUB_OFFLINE"), "offline",
            "Never download anything (models are only looked for locally)."),
    Setting("rubric", str, "", ("INTERVIEWSENSE_RUBRIC",), "scoring.rubric",
            "A rubric.toml that overrides the built-in scoring thresholds and weights."),
    Setting("embedding_model", str, "", ("INTERVIEWSENSE_EMBEDDING_MODEL",),
            "scoring.embedding_model", "Sentence-embedding model folder for relevance by "
            "meaning; empty means search (docs/scoring.md), off means key terms only."),
    Setting("pause_threshold_s", float, 0.0, ("INTERVIEWSENSE_PAUSE_THRESHOLD",),
            "scoring.pause_threshold_s", "Seconds of silence that count as a long pause; "
            "0 means the rubric's value (2 s)."),
    Setting("llm", str, "auto", ("INTERVIEWSENSE_LLM",), "llm.mode",
            "auto: use an LLM when one is configured; off: always the offline interviewer; "
            "on: require an LLM."),
    Setting("llm_judge", bool, True, ("INTERVIEWSENSE_LLM_JUDGE",), "llm.judge",
            "Blend an LLM judge into content scores when an LLM is configured."),
    Setting("llm_model", str, "gpt-4o-mini", ("INTERVIEWSENSE_LLM_MODEL", "OPENAI_MODEL"),
            "llm.model", "Model (or Azure deployment) name."),
    Setting("llm_base_url", str, "", ("INTERVIEWSENSE_LLM_BASE_URL", "OPENAI_BASE_URL"),
            "llm.base_url", "OpenAI-compatible server URL, e.g. http://127.0.0.1:11434/v1."),
    Setting("openai_api_key", str, "", ("OPENAI_API_KEY",), "llm.api_key",
            "API key for OpenAI or a compatible server.", secret=True),
    Setting("azure_openai_endpoint", str, "", ("AZURE_OPENAI_ENDPOINT",), "llm.azure_endpoint",
            "Azure OpenAI endpoint, e.g. https://NAME.openai.azure.com."),
    Setting("azure_openai_api_key", str, "", ("AZURE_OPENAI_API_KEY",), "llm.azure_api_key",
            "Azure OpenAI key.", secret=True),
    Setting("azure_openai_api_version", str, "2024-10-21", ("OPENAI_API_VERSION",),
            "llm.azure_api_version", "Azure OpenAI API version."),
    Setting("llm_timeout_s", float, 30.0, ("INTERVIEWSENSE_LLM_TIMEOUT",), "llm.timeout_s",
            "Seconds to wait for one LLM reply."),
    Setting("llm_retries", int, 2, ("INTERVIEWSENSE_LLM_RETRIES",), "llm.retries",
            "Retries of a failed LLM request."),
    Setting("azure_storage_connection_string", str, "", ("AZURE_STORAGE_CONNECTION_STRING",),
            "sync.azure_connection_string", "Azure Storage connection string.", secret=True),
    Setting("azure_storage_container", str, "interviewsense", ("AZURE_STORAGE_CONTAINER",),
            "sync.azure_container", "Blob container for synced sessions (created if missing)."),
    Setting("azure_blob_sas_ttl_seconds", int, 0, ("AZURE_BLOB_SAS_TTL_SECONDS",),
            "sync.sas_ttl_seconds", "When above 0, sync prints read-only links valid this long."),
    Setting("sync_target", str, "", ("INTERVIEWSENSE_SYNC_TARGET",), "sync.target",
            "Default sync target: azure, or local:PATH."),
    Setting("sync_auto", bool, False, ("INTERVIEWSENSE_SYNC_AUTO",), "sync.auto",
            "Sync each practice session when it ends."),
    Setting("sync_user", str, "", ("INTERVIEWSENSE_SYNC_USER",), "sync.user",
            "Folder name for your sessions on the target; default: user@host."),
    Setting("input_device", str, "", ("INTERVIEWSENSE_INPUT_DEVICE",), "audio.input_device",
            "Microphone: a device name or index (see interviewsense devices)."),
    Setting("output_device", str, "", ("INTERVIEWSENSE_OUTPUT_DEVICE",), "audio.output_device",
            "Speaker: a device name or index."),
    Setting("max_download_mb", int, 200, ("INTERVIEWSENSE_MAX_DOWNLOAD_MB",),
            "max_download_mb", "Largest audio file finalize downloads from a URL."),
    Setting("http_timeout_s", float, 20.0, ("INTERVIEWSENSE_HTTP_TIMEOUT",), "http_timeout_s",
            "Seconds to wait for a web server (audio URLs) before retrying."),
    Setting("http_deadline_s", float, 120.0, ("INTERVIEWSENSE_HTTP_DEADLINE",), "http_deadline_s",
            "Most seconds one audio URL download may take, retries included; 0 means no limit."),
    Setting("http_min_rate_kbps", float, 8.0, ("INTERVIEWSENSE_HTTP_MIN_RATE",),
            "http_min_rate_kbps", "Slowest download accepted, in KB/s over each 10 s; "
            "0 turns the check off."),
    Setting("api_token", str, "", ("INTERVIEWSENSE_API_TOKEN",), "serve.api_token",
            "Bearer token the web API requires; needed to listen beyond loopback.", secret=True),
    Setting("serve_audio_roots", str, "", ("INTERVIEWSENSE_SERVE_AUDIO_ROOTS",),
            "serve.audio_roots", "Folders the web API may read audio_path files from "
            "(separated by os.pathsep); empty turns audio_path off."),
    Setting("serve_max_upload_mb", int, 50, ("INTERVIEWSENSE_SERVE_MAX_UPLOAD_MB",),
            "serve.max_upload_mb", "Largest request body (an uploaded answer) the web API takes."),
    Setting("serve_jobs", int, 1, ("INTERVIEWSENSE_SERVE_JOBS",), "serve.jobs",
            "Answers the web API transcribes and scores at once, per worker process."),
    Setting("serve_queue", int, 8, ("INTERVIEWSENSE_SERVE_QUEUE",), "serve.queue",
            "Requests that may wait for those jobs; beyond it the API answers 503."),
    Setting("debug", bool, False, ("INTERVIEWSENSE_DEBUG",), "debug",
            "Show tracebacks on errors."),
)  # fmt: skip


@dataclass
class Settings:
    """The resolved settings. ``sources[name]`` says where each value came from."""

    home: Path = Path()
    language: str = "en"
    whisper_model: str = "tiny.en"
    whisper_compute_type: str = "int8"
    whisper_threads: int = 0
    vosk_model: str = ""
    offline: bool = False
    rubric: str = ""
    embedding_model: str = ""
    pause_threshold_s: float = 0.0
    llm: str = "auto"
    llm_judge: bool = True
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str = ""
    openai_api_key: str = ""
    azure_openai_endpoint: str = ""
    azure_openai_api_key: str = ""
    azure_openai_api_version: str = "2024-10-21"
    llm_timeout_s: float = 30.0
    llm_retries: int = 2
    azure_storage_connection_string: str = ""
    azure_storage_container: str = "interviewsense"
    azure_blob_sas_ttl_seconds: int = 0
    sync_target: str = ""
    sync_auto: bool = False
    sync_user: str = ""
    input_device: str = ""
    output_device: str = ""
    max_download_mb: int = 200
    http_timeout_s: float = 20.0
    http_deadline_s: float = 120.0
    http_min_rate_kbps: float = 8.0
    api_token: str = ""
    serve_audio_roots: str = ""
    serve_max_upload_mb: int = 50
    serve_jobs: int = 1
    serve_queue: int = 8
    debug: bool = False
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
        the secret settings, and the key or SAS inside a connection string."""
        out = [getattr(self, s.name) for s in SETTINGS if s.secret and getattr(self, s.name)]
        for part in self.azure_storage_connection_string.split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() in ("accountkey", "sharedaccesssignature") and value:
                out.append(value.strip())
        return out

    def public(self) -> dict[str, Any]:
        """The settings as plain values, secrets replaced by whether they are set."""
        out: dict[str, Any] = {}
        for s in SETTINGS:
            value = getattr(self, s.name)
            out[s.name] = mask(value) if s.secret else (str(value) if s.kind is Path else value)
        return out


def mask(value: str) -> str:
    """What a secret looks like on screen: only whether it is set, never any of its text."""
    return "(set, hidden)" if value else "(not set)"


def _convert(setting: Setting, raw: Any, origin: str) -> Any:
    if setting.kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
    elif setting.kind is Path:
        return Path(str(raw)).expanduser()
    else:
        try:
            return setting.kind(raw)
        except (TypeError, ValueError):
            pass
    shown = "(hidden)" if setting.secret else repr(raw)
    raise BadInputError(
        f"{setting.name} from {origin} is {shown}, which is not a valid {setting.kind.__name__}",
        hint=f"fix it in {origin}; see docs/configuration.md",
    )


def config_file_path(env: Mapping[str, str]) -> Path:
    if env.get("INTERVIEWSENSE_CONFIG"):
        return Path(env["INTERVIEWSENSE_CONFIG"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInputError(
            f"cannot read config file {path}: {exc}",
            hint="fix the file or point INTERVIEWSENSE_CONFIG at another one",
        ) from None


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

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


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
    dotenv = _read_dotenv(dotenv_path if dotenv_path is not None else Path.cwd() / ".env")
    overrides = overrides or {}

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for s in SETTINGS:
        value: Any = None
        source = "default"
        if s.name in overrides and overrides[s.name][0] is not None:
            value, source = overrides[s.name]
            value = _convert(s, value, source)
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

    if values["home"] is None:
        values["home"] = Path(_default_home())
    settings = Settings(**values, sources=sources)
    settings.config_file = cfg_path
    return settings
