"""End-of-answer detection: silence after speech, or the time limit (Enter is a key).

An energy detector with an adaptive noise floor, in 30 ms frames: a frame is speech when it
is 12 dB above the floor and above -50 dBFS. An answer has started after 0.25 s of speech;
it has ended after ``silence_s`` of non-speech following that, or at ``max_s``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RATE = 16_000
FRAME = 480  # 30 ms
SPEECH_OVER_FLOOR_DB = 12.0
ABS_MIN_DB = -50.0
START_SPEECH_S = 0.25


def frame_levels(pcm16: bytes) -> list[float]:
    """dBFS of each whole 30 ms frame."""
    import numpy as np

    samples = np.frombuffer(pcm16, dtype="<i2").astype(np.float64)
    frames = samples[: len(samples) - len(samples) % FRAME].reshape(-1, FRAME)
    energy = np.mean(frames**2, axis=1) / 32768.0**2
    with np.errstate(divide="ignore"):
        db = 10 * np.log10(energy)
    return [max(-100.0, float(v)) if math.isfinite(v) else -100.0 for v in db]


@dataclass
class EndpointState:
    t: float = 0.0  # seconds of audio seen
    heard_speech: bool = False
    speech_started: float | None = None
    last_speech: float | None = None
    level_db: float = -100.0
    wrap_up: bool = False
    ended: str = ""  # "" | silence | max


class EndOfAnswer:
    def __init__(self, *, silence_s: float = 1.5, max_s: float = 180.0, wrap_up_at: float = 0.8):
        self.silence_s = silence_s
        self.max_s = max_s
        self.wrap_up_at = wrap_up_at
        self.state = EndpointState()
        self._floor_db = -70.0
        self._speech_run = 0.0
        self._rest = b""

    def feed(self, pcm16: bytes) -> EndpointState:
        """Account for a block of audio; returns the state (``ended`` set once it is over)."""
        s = self.state
        data = self._rest + pcm16
        usable = len(data) - len(data) % (FRAME * 2)
        self._rest = data[usable:]
        for db in frame_levels(data[:usable]):
            s.level_db = db
            s.t += FRAME / RATE
            speech = db > max(self._floor_db + SPEECH_OVER_FLOOR_DB, ABS_MIN_DB)
            if speech:
                self._speech_run += FRAME / RATE
                s.last_speech = s.t
                if not s.heard_speech and self._speech_run >= START_SPEECH_S:
                    s.heard_speech = True
                    s.speech_started = s.t - self._speech_run
            else:
                self._speech_run = max(0.0, self._speech_run - FRAME / RATE)
                # The floor follows quiet frames quickly and loud ones slowly.
                rate = 0.2 if db < self._floor_db else 0.01
                self._floor_db += rate * (max(db, -90.0) - self._floor_db)
            if (
                s.heard_speech
                and s.last_speech is not None
                and s.t - s.last_speech >= self.silence_s
            ):
                s.ended = s.ended or "silence"
            if s.t >= self.max_s:
                s.ended = s.ended or "max"
            s.wrap_up = s.t >= self.max_s * self.wrap_up_at
        return s
