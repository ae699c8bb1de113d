"""Playing a WAV file (the spoken question, a replayed answer) on the output device."""

from __future__ import annotations

import threading
import time
import wave
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewsense.errors import MissingDependencyError

if TYPE_CHECKING:
    from interviewsense.tts.base import Chunk


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


BLOCK_S = 0.05  # written to the sound card this much at a time, so a stop is heard at once


def play_chunks(
    chunks: Iterable[Chunk],
    device: int | str | None = None,
    *,
    stop: threading.Event | None = None,
) -> tuple[float | None, float, bool]:
    """Play ``chunks`` as they arrive (the first while the next is still being made), until
    they end or ``stop`` is set, which cuts the sound at once. Returns when the first sound
    went out (``time.monotonic()``, None if none did), the seconds played, and whether
    ``stop`` cut it short."""
    from interviewsense.audio.devices import _sd

    sd = _sd()
    stream: Any = None
    started: float | None = None
    played = 0
    rate = 0
    try:
        for chunk in chunks:
            if stream is None:
                rate = chunk.rate
                stream = sd.OutputStream(
                    samplerate=rate, channels=1, dtype="int16", device=device, latency="low"
                )
                stream.start()
            block = max(1, int(rate * BLOCK_S))
            for i in range(0, len(chunk.samples), block):
                if stop is not None and stop.is_set():
                    stream.abort()  # drops what the card still holds: silence now
                    return started, played / rate, True
                stream.write(chunk.samples[i : i + block])
                started = started if started is not None else time.monotonic()
                played += len(chunk.samples[i : i + block])
        if stream is None:
            return None, 0.0, False
        while time.monotonic() - (started or 0.0) < played / rate:  # the card's buffer
            if stop is not None and stop.is_set():
                stream.abort()
                return started, played / rate, True
            time.sleep(0.01)
        stream.stop()
        return started, played / rate, False
    except MissingDependencyError:
        raise
    except Exception as exc:  # PortAudioError and friends
        raise MissingDependencyError(
            f"cannot play audio ({str(exc).splitlines()[0][:120]})",
            hint="check 'interviewsense devices', or run with --no-voice",
        ) from exc
    finally:
        if stream is not None:
            stream.close()
