"""pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS) rendering to a WAV file."""

from __future__ import annotations

import contextlib
import io
import threading
import wave
from pathlib import Path
from typing import Any

from interviewsense.errors import MissingDependencyError
from interviewsense.tts.base import VoiceStyle

_LOCK = threading.Lock()  # pyttsx3 keeps one engine per process; use it from one thread at a time


class Pyttsx3Speaker:
    name = "pyttsx3"

    def __init__(self) -> None:
        try:
            import pyttsx3

            with contextlib.redirect_stdout(io.StringIO()):
                self._engine: Any = pyttsx3.init()
        except Exception as exc:  # RuntimeError, OSError from the platform driver
            raise MissingDependencyError(
                f"text to speech is not available ({type(exc).__name__}: {exc})",
                hint="apt-get install espeak-ng libespeak-ng1 (questions are shown as text "
                "meanwhile)",
            ) from None
        self._voices = {str(v.id).lower() for v in self._engine.getProperty("voices")}

    def _set_voice(self, voice: str) -> None:
        base = voice.split("+")[0].lower()
        known = any(v == base or v.endswith("/" + base) for v in self._voices)
        if known or not self._voices:
            with contextlib.suppress(ValueError, KeyError):
                self._engine.setProperty("voice", voice)

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        with _LOCK:
            self._set_voice(style.voice)
            self._engine.setProperty("rate", style.rate)
            with contextlib.suppress(KeyError, ValueError):
                self._engine.setProperty("pitch", style.pitch)
            with contextlib.redirect_stdout(io.StringIO()):  # the driver prints "Audio saved"
                self._engine.save_to_file(text, str(path))
                self._engine.runAndWait()
        try:
            with wave.open(str(path), "rb") as wf:
                return wf.getnframes() / float(wf.getframerate())
        except (OSError, wave.Error, EOFError):
            raise MissingDependencyError(
                "text to speech produced no audio", hint="check espeak-ng with: espeak-ng hello"
            ) from None
