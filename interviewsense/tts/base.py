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


class Speaker(Protocol):
    @property
    def name(self) -> SpeakerName: ...

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        """Write ``text`` spoken in ``style`` to ``path`` (WAV); return its length in seconds."""
        ...
