"""Microphone input: a sounddevice stream at 16 kHz mono 16-bit feeding a queue.

The PortAudio callback only copies each block into a queue (never blocking), so slow
consumers (recognisers, the screen) cannot make it drop audio; overflows the driver still
reports are counted and shown at the end.
"""

from __future__ import annotations

import queue
from typing import Any

from interviewsense.errors import MissingDependencyError

RATE = 16_000
BLOCK_S = 0.1


class Microphone:
    """An open input stream; ``read`` returns the next block of PCM bytes, or None."""

    def __init__(self, device: int | str | None, *, rate: int = RATE, block_s: float = BLOCK_S):
        from interviewsense.audio.devices import _sd

        sd = _sd()
        self.rate = rate
        self.overflows = 0
        self.muted = False
        self._queue: queue.Queue[bytes] = queue.Queue()
        try:
            self._stream: Any = sd.RawInputStream(
                samplerate=rate,
                blocksize=int(rate * block_s),
                channels=1,
                dtype="int16",
                device=device,
                latency="low",
                callback=self._callback,
            )
            self._stream.start()
        except Exception as exc:  # PortAudioError and friends
            raise MissingDependencyError(
                f"cannot open the microphone ({str(exc).splitlines()[0][:120]})",
                hint="check 'interviewsense devices', or answer by typing with --keyboard",
            ) from exc

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        if status and getattr(status, "input_overflow", False):
            self.overflows += 1
        if not self.muted:
            self._queue.put(bytes(indata))

    def read(self, timeout: float) -> bytes | None:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self) -> None:
        """Throw away what was queued (what the microphone heard while we were speaking)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:  # closing a broken stream must not hide the real error
            pass
