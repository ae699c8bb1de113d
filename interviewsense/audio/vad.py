"""Where the speech is: Silero VAD (the model faster-whisper ships) over 16 kHz samples.

Used for long pauses (Whisper stretches word times across silences; the VAD does not), the
speaking-time ratio, and voiced stretches that no transcribed word covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000
Region = tuple[float, float]


def speech_regions(
    samples: npt.NDArray[np.float32], *, min_silence_ms: int = 200, pad_ms: int = 30
) -> list[Region]:
    """Speech stretches in seconds, split at silences of at least ``min_silence_ms``."""
    if len(samples) < SAMPLE_RATE // 10:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=pad_ms,
        min_speech_duration_ms=80,
    )
    stamps = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [(round(s["start"] / SAMPLE_RATE, 3), round(s["end"] / SAMPLE_RATE, 3)) for s in stamps]
