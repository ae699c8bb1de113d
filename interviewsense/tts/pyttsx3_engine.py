"""pyttsx3 (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS) rendering to a WAV file."""

from __future__ import annotations

import contextlib
import io
import sys
import threading
import wave
import weakref
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
# The properties last set on each engine (speakers can share one: pyttsx3.init caches it).
_APPLIED: weakref.WeakKeyDictionary[Any, dict[str, object]] = weakref.WeakKeyDictionary()


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

    def _set(self, name: str, value: object) -> None:
        """Set a property only when it changes: espeak-ng applies a rate or pitch in its
        synthesis thread, and one set just before an utterance sometimes makes it drop that
        utterance (an empty WAV, 1 call in 100 when set on every call; none when set once)."""
        applied = _APPLIED.setdefault(self._engine, {})
        if applied.get(name) != value:
            self._engine.setProperty(name, value)
            applied[name] = value

    def _set_voice(self, voice: str) -> None:
        base = voice.split("+")[0].lower()
        known = any(v == base or v.endswith("/" + base) for v in self._voices)
        if known or not self._voices:
            with contextlib.suppress(ValueError, KeyError):
                self._set("voice", voice)

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        voice = self.voice or style.voice
        said = spoken(text, voice.split("+")[0])
        seconds = self._render(said, path, style)
        if seconds == 0 and any(ch.isalnum() for ch in said):
            seconds = self._render(said, path, style)  # dropped (see _set): once more
        return seconds

    def _render(self, text: str, path: Path, style: VoiceStyle) -> float:
        with _LOCK:
            self._set_voice(self.voice or style.voice)
            self._set("rate", style.rate)
            with contextlib.suppress(KeyError, ValueError):
                self._set("pitch", style.pitch)
            # pyttsx3's espeak driver can return from runAndWait before its synthesis thread
            # has written the file; "finished-utterance" is sent only after the write.
            done = threading.Event()
            token = self._engine.connect("finished-utterance", lambda **kw: done.set())
            try:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                self._engine.save_to_file(text, str(path))
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
