"""The ``Speaker`` protocol: text in, a WAV file of it out. Playing it is the caller's job.

An engine that can also hand its audio over sentence by sentence (``StreamingSpeaker``)
lets the first words play while the rest is synthesised.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class VoiceStyle:
    """How a persona sounds. pyttsx3: an espeak-ng voice, words per minute, pitch (0-100).
    Piper: a voice name ("" for the first one for the language), the phoneme length scale
    (above 1 is slower), the generator and phoneme-width noise (livelier, less even), and
    the pause after each sentence."""

    voice: str = "en-us"
    rate: int = 170
    pitch: int = 50
    piper_voice: str = ""
    length_scale: float = 1.0
    noise_scale: float = 0.667
    noise_w: float = 0.8
    sentence_pause_s: float = 0.3


@dataclass
class Chunk:
    """A stretch of synthesised speech: 16-bit mono samples at ``rate`` Hz."""

    samples: npt.NDArray[np.int16]
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


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
    def name(self) -> str: ...  # a shipped engine's is a SpeakerName (domain.py)

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        """Write ``text`` spoken in ``style`` to ``path`` (WAV); return its length in seconds."""
        ...


@runtime_checkable
class StreamingSpeaker(Speaker, Protocol):
    def stream(self, text: str, style: VoiceStyle) -> Iterator[Chunk]:
        """``text`` spoken in ``style``, one sentence at a time, each as soon as it is ready."""
        ...
