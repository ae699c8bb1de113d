"""The ``Speaker`` protocol: text in, a WAV file of it out. Playing it is the caller's job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from interviewsense.domain import SpeakerName


@dataclass(frozen=True)
class VoiceStyle:
    """How a persona sounds: a voice name, words per minute, pitch (0-100)."""

    voice: str = "en-us"
    rate: int = 170
    pitch: int = 50


ESPEAK_RATE = 175  # espeak-ng's words per minute at its normal speed
ESPEAK_PITCH = 50  # and its middle pitch (0-100)


def speech_synthesis_hints(style: VoiceStyle) -> dict[str, object]:
    """``style`` for a browser's ``SpeechSynthesisUtterance``: ``rate`` (1 is normal),
    ``pitch`` (0-2, 1 is normal), ``lang`` (BCP 47), and hints for picking a voice."""
    name, _, variant = style.voice.partition("+")
    lang, _, region = name.partition("-")
    gender = {"f": "female", "m": "male"}.get(variant[:1].lower(), "")
    return {
        "lang": f"{lang.lower()}-{region.upper()}" if region else lang.lower(),
        "rate": round(style.rate / ESPEAK_RATE, 2),
        "pitch": round(min(2.0, max(0.0, style.pitch / ESPEAK_PITCH)), 2),
        "volume": 1.0,
        "voice_hints": {"gender": gender, "espeak_voice": style.voice, "wpm": style.rate},
    }


class Speaker(Protocol):
    @property
    def name(self) -> SpeakerName: ...

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        """Write ``text`` spoken in ``style`` to ``path`` (WAV); return its length in seconds."""
        ...
