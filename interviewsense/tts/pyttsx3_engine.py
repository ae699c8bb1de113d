"""pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS) rendering to a WAV file."""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewsense.domain import SpeakerName
from interviewsense.errors import MissingDependencyError
from interviewsense.tts.base import VoiceStyle
from interviewsense.tts.spoken import spoken

if TYPE_CHECKING:
    from interviewsense.config import Settings
    from interviewsense.progress import Reporter

_LOCK = threading.Lock()  # pyttsx3 keeps one engine per process; use it from one thread at a time


def build(settings: Settings, reporter: Reporter) -> Pyttsx3Speaker:
    """The ``pyttsx3`` entry of tts/registry.py; ``--voice`` names an espeak-ng voice."""
    return Pyttsx3Speaker(voice=settings.tts_voice)


class Pyttsx3Speaker:
    name: SpeakerName = "pyttsx3"

    def __init__(self, voice: str = "") -> None:
        self.voice = voice  # replaces the persona's voice when set
        try:
            import pyttsx3

            with contextlib.redirect_stdout(io.StringIO()):
                self._engine: Any = pyttsx3.init()
            # The espeak driver prints "Audio saved to …" from its synthesis thread, which
            # would corrupt --json output on stdout; silence print() in that module only.
            driver = sys.modules.get("pyttsx3.drivers.espeak")
            if driver is not None:
                driver.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]
        except Exception as exc:  # RuntimeError, OSError from the platform driver
            raise MissingDependencyError(
                f"text to speech is not available ({type(exc).__name__}: {exc})",
                hint="apt-get install espeak-ng libespeak-ng1 (questions are shown as text "
                "meanwhile)",
            ) from exc
        self._voices = {str(v.id).lower() for v in self._engine.getProperty("voices")}

    def _set_voice(self, voice: str) -> None:
        base = voice.split("+")[0].lower()
        known = any(v == base or v.endswith("/" + base) for v in self._voices)
        if known or not self._voices:
            with contextlib.suppress(ValueError, KeyError):
                self._engine.setProperty("voice", voice)

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        with _LOCK:
            voice = self.voice or style.voice
            self._set_voice(voice)
            self._engine.setProperty("rate", style.rate)
            with contextlib.suppress(KeyError, ValueError):
                self._engine.setProperty("pitch", style.pitch)
            # pyttsx3's espeak driver can return from runAndWait before its synthesis thread
            # has written the file; "finished-utterance" is sent only after the write.
            done = threading.Event()
            token = self._engine.connect("finished-utterance", lambda **kw: done.set())
            try:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                self._engine.save_to_file(spoken(text, voice.split("+")[0]), str(path))
                self._engine.runAndWait()
                done.wait(timeout=10.0 + len(text) / 5)
            finally:
                self._engine.disconnect(token)
        try:
            with wave.open(str(path), "rb") as wf:
                return wf.getnframes() / float(wf.getframerate())
        except (OSError, wave.Error, EOFError) as exc:
            raise MissingDependencyError(
                "text to speech produced no audio", hint="check espeak-ng with: espeak-ng hello"
            ) from exc
