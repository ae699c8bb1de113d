"""Downloading speech models when online: Whisper from the Hugging Face hub (faster-whisper's
own downloader), VOSK from the VOSK project's model list (the list the vosk package uses)."""

from __future__ import annotations

import contextlib
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from interviewsense.errors import MissingDependencyError, ServiceError
from interviewsense.fsutil import ensure_dir, storage_error
from interviewsense.stt.models import ModelRef, vosk_language, whisper_hint

VOSK_MODEL_LIST = "https://alphacephei.com/vosk/models/model-list.json"
Progress = Callable[[int, int | None], None]


# What the hub client raises when it cannot reach the hub (by name: its classes are imported
# only when a download runs).
OFFLINE_ERRORS = frozenset(
    {"LocalEntryNotFoundError", "ConnectError", "ConnectionError", "ConnectTimeout", "gaierror"}
)


def _causes(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in out:
        out.append(seen)
        seen = seen.__cause__ or seen.__context__
    return out


def download_whisper(name: str, dest: Path) -> ModelRef:
    import warnings

    from faster_whisper import download_model

    target = ensure_dir(dest / name)
    try:
        with warnings.catch_warnings():  # the hub's deprecation notices are not the user's
            warnings.simplefilter("ignore")
            path = download_model(name, output_dir=str(target))
    except Exception as exc:  # the hub client raises many kinds
        with contextlib.suppress(OSError):
            target.rmdir()  # an empty folder left behind would read as a broken model
        chain = [type(e).__name__ for e in _causes(exc)]
        if any(n in OFFLINE_ERRORS for n in chain):  # no network, or the hub unreachable
            raise ServiceError(
                f"could not download Whisper model '{name}': the Hugging Face hub could not "
                "be reached (no network?)",
                hint="connect to the internet and try again; offline, "
                + whisper_hint(name).split(", or run", 1)[0],
            ) from exc
        raise MissingDependencyError(
            f"could not download Whisper model '{name}' ({type(exc).__name__})",
            hint=whisper_hint(name),
        ) from exc
    return ModelRef("whisper", name, Path(path), "download")


def _vosk_list(timeout: float) -> list[dict[str, Any]]:
    import httpx

    resp = httpx.get(VOSK_MODEL_LIST, timeout=timeout, follow_redirects=True)
    resp.raise_for_status()
    data = resp.json()
    return [m for m in data if isinstance(m, dict)]


def pick_vosk(models: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    """A model entry by exact name, or the small current model for a language code."""
    for m in models:
        if m.get("name") == wanted:
            return m
    lang = wanted.lower()
    matches = [
        m
        for m in models
        if str(m.get("obsolete", "false")) == "false"
        and vosk_language(str(m.get("lang", ""))) == lang
    ]
    matches.sort(key=lambda m: (m.get("type") != "small", str(m.get("name"))))
    return matches[0] if matches else None


def download_vosk(
    wanted: str, dest: Path, *, timeout: float = 20.0, progress: Progress | None = None
) -> ModelRef:
    """Download and unpack a VOSK model (a language code such as ``en``, or a model name)."""
    import httpx

    try:
        entry = pick_vosk(_vosk_list(timeout), wanted)
    except (httpx.HTTPError, ValueError) as exc:  # the VOSK site failed, or no network
        raise ServiceError(
            f"could not read the VOSK model list ({type(exc).__name__})",
            hint="check your connection, or unpack a model into models/vosk/ by hand",
        ) from exc
    if entry is None:
        raise MissingDependencyError(
            f"the VOSK project lists no model for '{wanted}'",
            hint="see https://alphacephei.com/vosk/models for the languages there are",
        )
    name = str(entry["name"])
    url = str(entry.get("url") or f"https://alphacephei.com/vosk/models/{name}.zip")
    ensure_dir(dest)
    archive = dest / f".{name}.zip.part"
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as resp:
            resp.raise_for_status()
            total = int(resp.headers.get("content-length", "0")) or None
            done = 0
            with archive.open("wb") as fh:
                for chunk in resp.iter_bytes(1 << 20):
                    fh.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        tmp_dir = dest / f".{name}.unpack"
        shutil.rmtree(tmp_dir, ignore_errors=True)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp_dir)
        inner = tmp_dir / name if (tmp_dir / name).is_dir() else tmp_dir
        final = dest / name
        shutil.rmtree(final, ignore_errors=True)
        inner.rename(final)
        shutil.rmtree(tmp_dir, ignore_errors=True)
    except (httpx.HTTPError, zipfile.BadZipFile) as exc:  # the download failed or came broken
        raise ServiceError(
            f"could not download VOSK model {name} ({type(exc).__name__})",
            hint="check your connection, then try again",
        ) from exc
    except OSError as exc:  # a full disk, a folder that cannot be written
        raise storage_error(exc, dest) from exc
    finally:
        archive.unlink(missing_ok=True)
    return ModelRef("vosk", name, final, "download", vosk_language(name))
