"""batch's work in a worker (a process of the local pool, or a Ray actor): remember the
settings, load Whisper once, and turn one item into its result row. Shared by
``flows/batch.py`` and ``flows/batch_ray.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interviewsense.config import Settings
from interviewsense.errors import InterviewSenseError, named
from interviewsense.flows.batch_input import Item
from interviewsense.storage.blob_input import is_blob_uri


def worker_threads(settings: Settings) -> int:
    """Whisper threads for each batch worker, whatever the number of workers or the engine:
    ``whisper_threads`` when set, else 1. CTranslate2 decodes a file differently with a
    different thread count, so a count that followed the worker count would make
    ``--workers 1``, ``--workers 8`` and ``--ray`` disagree; a batch gets its speed from
    more workers instead (one thread is also the fastest per core for tiny.en here)."""
    return settings.whisper_threads or 1


_STATE: dict[str, Any] = {}


def init_worker(settings: Settings) -> None:
    """Runs first in every worker (process or actor): pin the thread count before anything
    loads CTranslate2, remember the settings; the Whisper model loads on first use."""
    from interviewsense.threads import pin_threads

    settings.whisper_threads = pin_threads(worker_threads(settings))
    _STATE["settings"] = settings


def _transcriber() -> Any:
    if "transcriber" not in _STATE:
        from interviewsense.flows.finalize import load_transcriber
        from interviewsense.progress import Quiet

        _STATE["transcriber"] = load_transcriber(_STATE["settings"], Quiet())
    return _STATE["transcriber"]


def score_item(item: Item) -> dict[str, Any]:
    """One result row: ``id``, ``status`` (ok | error), ``error``, and the ``answer`` JSON."""
    if item.error:
        return {"id": item.id, "status": "error", "error": item.error, "answer": None}
    try:
        return {"id": item.id, "status": "ok", "error": "", "answer": _score(item)}
    except InterviewSenseError as exc:
        return {"id": item.id, "status": "error", "error": exc.message, "answer": None}
    except Exception as exc:  # one bad item must never stop the batch
        return {
            "id": item.id,
            "status": "error",
            "error": f"unexpected {type(exc).__name__}: {str(exc)[:200]}",
            "answer": None,
        }


def _score(item: Item) -> dict[str, Any]:
    from interviewsense.domain import Question, Transcript, to_json
    from interviewsense.scoring.engine import build_answer, scorer_options
    from interviewsense.scoring.rubric import load_rubric
    from interviewsense.scoring.text import words_from_text

    settings: Settings = _STATE["settings"]
    question = Question(text=item.question, type=item.type, source="user")
    rubric = load_rubric(settings.rubric)
    if not item.audio:
        transcript = Transcript(
            text=item.transcript,
            engine="text",
            model="manifest",
            words=words_from_text(item.transcript),
        )
        answer = build_answer(transcript, question, scorer_options(settings), rubric=rubric)
        return dict(to_json(answer))
    from interviewsense.audio.fetch import fetch, fetch_limits
    from interviewsense.audio.load import load_audio
    from interviewsense.audio.urls import is_url, shown
    from interviewsense.flows.finalize import analyse, audio_limit_s, require_speech
    from interviewsense.progress import Quiet

    path = Path(item.audio)
    downloads = settings.cache_dir / "downloads"
    limits = fetch_limits(settings)
    if is_url(item.audio):
        path = fetch(item.audio, downloads, **limits)
    elif is_blob_uri(item.audio):
        from interviewsense.storage.blob_input import download

        path = download(item.audio, settings, downloads, max_bytes=limits["max_bytes"])
    name = shown(item.audio) if is_url(item.audio) else item.audio  # never a cache file's
    try:
        with named(str(path), name):
            audio = load_audio(path, source=name, max_s=audio_limit_s(settings))
    finally:
        if path != Path(item.audio):  # a downloaded copy
            path.unlink(missing_ok=True)
    answer = analyse(audio, question, _transcriber(), rubric, settings, Quiet())
    require_speech(answer)
    return dict(to_json(answer))
