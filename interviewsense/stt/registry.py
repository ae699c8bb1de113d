"""The speech-to-text engines: ``LIVE`` (the transcript while the candidate speaks) and
``FINAL`` (a whole recording, for finalize, batch, serve and a failed live check).

An engine's name is what it writes into each transcript's ``engine`` field, so the names
are the ``TranscriptEngine`` Literal's (domain.py): saved sessions are read back checked
against it, and ``register`` refuses any other name. A new engine is its module, a name in
that Literal, and one ``register`` line here (docs/stt.md).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from interviewsense.domain import TRANSCRIPT_ENGINES, one_of
from interviewsense.engines import E, EngineInfo, Registry, Voice
from interviewsense.errors import InterviewSenseError
from interviewsense.stt.base import StreamingRecognizer, Transcriber

if TYPE_CHECKING:
    from interviewsense.config import Settings


class TranscriptRegistry(Registry[E]):
    """A registry whose names are the ``TranscriptEngine`` Literal's."""

    def register(self, info: EngineInfo[E], *, first: bool = False) -> EngineInfo[E]:
        one_of(TRANSCRIPT_ENGINES, info.name, "speech engine")
        return super().register(info, first=first)


LIVE: TranscriptRegistry[StreamingRecognizer] = TranscriptRegistry(
    "live transcript", "stt_live_engine"
)
FINAL: TranscriptRegistry[Transcriber] = TranscriptRegistry("final transcript", "stt_final_engine")


def _whisper_problem(settings: Settings) -> tuple[str, str]:
    """Why Whisper cannot run here and what to do for the model the settings name (a folder
    with no model, a name to download); ("", "") when it can."""
    from interviewsense.stt.models import find_whisper_model, whisper_hint

    if importlib.util.find_spec("faster_whisper") is None:
        return "faster-whisper is not installed", "pip install faster-whisper (make install does)"
    try:
        find_whisper_model(settings)
    except InterviewSenseError as exc:
        return exc.message, exc.hint or whisper_hint(settings.whisper_model)
    return "", ""


def _whisper_missing(settings: Settings) -> str:
    return _whisper_problem(settings)[0]


def _whisper_hint(settings: Settings) -> str:
    return _whisper_problem(settings)[1]


def _vosk_missing(settings: Settings) -> str:
    from interviewsense.stt.models import find_vosk_model

    if importlib.util.find_spec("vosk") is None:
        return "vosk is not installed"
    try:
        if find_vosk_model(settings) is None:
            return f"no VOSK model for '{settings.language}'"
    except InterviewSenseError as exc:
        return exc.message
    return ""


def _vosk_models(settings: Settings) -> list[Voice]:
    from interviewsense.stt.models import vosk_candidates

    return [Voice(r.name, r.language, r.origin, str(r.path)) for r in vosk_candidates(settings)]


def _whisper_models(settings: Settings) -> list[Voice]:
    from interviewsense.stt.models import whisper_candidates

    return [
        Voice(r.name, "en" if r.name.endswith(".en") else "", r.origin, str(r.path))
        for r in whisper_candidates(settings)
    ]


FINAL.register(
    EngineInfo(
        name="whisper-final",
        factory="interviewsense.stt.whisper_engine:build_final",
        summary="faster-whisper (CTranslate2): word times, fillers kept",
        unavailable=_whisper_missing,
        hint=_whisper_hint,
        voices=_whisper_models,
    )
)
LIVE.register(
    EngineInfo(
        name="vosk",
        factory="interviewsense.stt.vosk_engine:build_live",
        summary="VOSK (Kaldi): light, streaming, one model per language",
        unavailable=_vosk_missing,
        hint="put a VOSK model in models/vosk/ or 'interviewsense models download vosk-en' "
        "(vosk-de, vosk-fr … for other languages)",
        streaming=True,
        voices=_vosk_models,
    )
)
LIVE.register(
    EngineInfo(
        name="whisper-live",
        factory="interviewsense.stt.whisper_live:build_live",
        summary="Whisper re-decoding the answer so far, about once a second (more CPU)",
        unavailable=_whisper_missing,
        hint=_whisper_hint,
        streaming=True,
        voices=_whisper_models,
    )
)
