"""The text-to-speech engines, in the order ``--tts auto`` tries them (docs/tts.md).

The registry is the one list of engine names: ``--tts`` is checked against it, and a
session notes the name of the engine that spoke. A new engine is one module with a
``build(settings, reporter)`` that returns a ``Speaker`` (tts/base.py), plus one
``TTS.register`` line here.
"""

from __future__ import annotations

import ctypes.util
import importlib.util
import shutil
import sys
from typing import TYPE_CHECKING

from interviewsense.engines import EngineInfo, Registry
from interviewsense.tts.base import Speaker
from interviewsense.tts.piper_engine import VOICE_HINT, piper_missing, piper_voices

if TYPE_CHECKING:
    from interviewsense.config import Settings

TTS: Registry[Speaker] = Registry("text to speech", "tts_engine")


def _pyttsx3_missing(settings: Settings) -> str:
    if importlib.util.find_spec("pyttsx3") is None:
        return "pyttsx3 is not installed"
    if sys.platform.startswith("linux") and not (
        ctypes.util.find_library("espeak-ng") or shutil.which("espeak-ng")
    ):
        return "espeak-ng is not installed"
    return ""


TTS.register(
    EngineInfo(
        name="piper",
        factory="interviewsense.tts.piper_engine:build",
        summary="Piper neural voices (ONNX Runtime on the CPU), sentence by sentence",
        unavailable=piper_missing,
        hint=VOICE_HINT,
        streaming=True,
        voices=piper_voices,
    )
)
TTS.register(
    EngineInfo(
        name="pyttsx3",
        factory="interviewsense.tts.pyttsx3_engine:build",
        summary="pyttsx3: espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS",
        unavailable=_pyttsx3_missing,
        hint="apt-get install espeak-ng libespeak-ng1, and pip install pyttsx3",
    )
)
TTS.register(
    EngineInfo(
        name="silent",
        factory="interviewsense.tts.silent:build",
        summary="no voice: questions are shown only (--no-voice)",
        auto=False,
    )
)
