"""The speaker for ``--no-voice`` or when no TTS engine works: nothing is said."""

from __future__ import annotations

from pathlib import Path

from interviewsense.domain import SpeakerName
from interviewsense.tts.base import VoiceStyle


class SilentSpeaker:
    name: SpeakerName = "silent"

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        return 0.0
