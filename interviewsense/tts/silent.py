"""The speaker for ``--no-voice`` or when no TTS engine works: nothing is said."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from interviewsense.domain import SpeakerName
from interviewsense.tts.base import VoiceStyle

if TYPE_CHECKING:
    from interviewsense.config import Settings
    from interviewsense.progress import Reporter


class SilentSpeaker:
    name: SpeakerName = "silent"

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        return 0.0


def build(settings: Settings, reporter: Reporter) -> SilentSpeaker:
    """The ``silent`` entry of tts/registry.py (what ``--no-voice`` uses)."""
    return SilentSpeaker()
