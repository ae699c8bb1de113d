"""Playing a WAV file (the spoken question, a replayed answer) on the output device."""

from __future__ import annotations

import wave
from pathlib import Path

from interviewsense.errors import MissingDependencyError


def play_wav(path: Path, device: int | str | None = None) -> float:
    """Play ``path`` and wait until it has finished; returns its length in seconds."""
    import numpy as np

    from interviewsense.audio.devices import _sd

    sd = _sd()
    with wave.open(str(path), "rb") as wf:
        rate = wf.getframerate()
        channels = wf.getnchannels()
        data = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2")
    if channels > 1:
        data = data.reshape(-1, channels)
    try:
        sd.play(data, rate, device=device, latency="high")
        sd.wait()
    except Exception as exc:  # PortAudioError and friends
        raise MissingDependencyError(
            f"cannot play audio ({str(exc).splitlines()[0][:120]})",
            hint="check 'interviewsense devices', or run with --no-voice",
        ) from exc
    return len(data) / float(rate)
