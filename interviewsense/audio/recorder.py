"""Crash-safe WAV writing, and repair of WAV files whose writer never finished.

``WavWriter`` writes 16-bit mono PCM in blocks, rewriting the header's sizes and fsyncing
at least once a second, so a SIGKILL or a power cut loses at most the last second. A file
left with stale sizes is fixed by ``repair_wav``: the sizes are recomputed from the file's
length, rounded down to whole frames.
"""

from __future__ import annotations

import errno
import os
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from interviewsense.errors import StorageError
from interviewsense.fsutil import FILE_MODE, ensure_dir

HEADER_BYTES = 44
UNKNOWN_SIZES = {0, 0xFFFFFFFF, 0x7FFFFFFF, 0x7FFFF000}  # what streaming writers leave


def _header(rate: int, channels: int, width: int, data_bytes: int) -> bytes:
    block = channels * width
    return (
        b"RIFF"
        + struct.pack("<I", min(36 + data_bytes, 0xFFFFFFFF))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, width * 8)
        + b"data"
        + struct.pack("<I", min(data_bytes, 0xFFFFFFFF))
    )


class WavWriter:
    """Append-only 16-bit PCM WAV writer that is valid on disk after every flush.

    It writes through a raw file descriptor: a buffered file that hits a full disk keeps
    the bytes it could not write and fails again on every later seek, so the header could
    never be fixed. Here the bytes on disk are always known, and the header matches them.
    """

    def __init__(
        self, path: Path, *, rate: int = 16_000, channels: int = 1, flush_s: float = 0.25
    ) -> None:
        self.path = path
        self.rate = rate
        self.channels = channels
        self.width = 2
        self.flush_s = flush_s
        self.data_bytes = 0
        self._pending: list[bytes] = []
        self._last_flush = time.monotonic()
        self.closed = False
        ensure_dir(path.parent)
        self._fd = -1
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            _, error = self._append(_header(rate, channels, self.width, 0))
            if error is not None:
                raise error
            os.fsync(self._fd)
        except OSError as exc:
            if self._fd >= 0:
                os.close(self._fd)
            raise _disk_error(exc, path) from exc

    @property
    def duration_s(self) -> float:
        pending = sum(len(b) for b in self._pending)
        return (self.data_bytes + pending) / (self.rate * self.channels * self.width)

    def write(self, pcm16: bytes) -> None:
        """Queue PCM bytes; they reach the disk within ``flush_s`` seconds."""
        if self.closed:
            raise ValueError("write to a closed WavWriter")
        self._pending.append(pcm16)
        if time.monotonic() - self._last_flush >= self.flush_s:
            self.flush()

    def _append(self, data: bytes) -> tuple[int, OSError | None]:
        """Write at the end of the file: the bytes written, and the error that stopped it."""
        view = memoryview(data)
        done = 0
        while done < len(view):
            try:
                done += os.write(self._fd, view[done:])
            except OSError as exc:
                return done, exc
        return done, None

    def flush(self) -> None:
        """Write what is queued, fix the header's sizes, fsync."""
        data = b"".join(self._pending)
        self._pending.clear()
        self._last_flush = time.monotonic()
        block = self.channels * self.width
        data = data[: len(data) - len(data) % block]
        written, error = self._append(data)
        self.data_bytes += written
        try:
            torn = self.data_bytes % block
            if torn:  # a write cut short mid-frame: keep whole frames only
                self.data_bytes -= torn
                os.ftruncate(self._fd, HEADER_BYTES + self.data_bytes)
                os.lseek(self._fd, 0, os.SEEK_END)
            # Rewriting the header in place needs no new space, even on a full disk.
            os.pwrite(self._fd, _header(self.rate, self.channels, self.width, self.data_bytes), 0)
            os.fsync(self._fd)
        except OSError as exc:
            error = error or exc
        if error is not None:
            raise _disk_error(error, self.path) from error

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.flush()
        finally:
            self.closed = True
            os.close(self._fd)

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _disk_error(exc: OSError, path: Path) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(
            f"the disk is full: the answer was stopped and what was recorded is kept in {path}",
            hint="free some space; 'interviewsense sessions repair' checks the file",
        )
    return StorageError(f"cannot write {path}: {exc.strerror or exc}")


@dataclass(frozen=True)
class WavInfo:
    audio_format: int  # 1 = PCM, 3 = float, 0xFFFE = extensible
    channels: int
    rate: int
    bits: int
    data_offset: int
    declared: int  # the data size the header claims
    actual: int  # the bytes that follow the data chunk's header

    @property
    def block(self) -> int:
        return max(1, self.channels * self.bits // 8)

    @property
    def whole(self) -> int:
        """Actual data bytes rounded down to whole frames."""
        return self.actual - self.actual % self.block

    @property
    def truncated(self) -> bool:
        """The header promises more data than the file holds (and is not a streaming mark)."""
        return self.declared not in UNKNOWN_SIZES and self.declared > self.actual

    @property
    def consistent(self) -> bool:
        return self.declared == self.whole == self.actual


def inspect_wav(path: Path) -> WavInfo | None:
    """The header of a RIFF/WAVE file, or None when it is not one we can read."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            fmt: tuple[int, int, int, int] | None = None
            pos = 12
            while pos + 8 <= size:
                fh.seek(pos)
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, clen = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    body = fh.read(16)
                    if len(body) < 16:
                        return None
                    tag, ch, rate, _, _, bits = struct.unpack("<HHIIHH", body)
                    fmt = (tag, ch, rate, bits)
                elif cid == b"data":
                    if fmt is None:
                        return None
                    offset = pos + 8
                    return WavInfo(fmt[0], fmt[1], fmt[2], fmt[3], offset, clen, size - offset)
                if clen in UNKNOWN_SIZES:
                    return None
                pos += 8 + clen + (clen & 1)
    except OSError:
        return None
    return None


def repair_wav(path: Path) -> bool:
    """Rewrite the RIFF and data sizes from the file's length; True when anything changed."""
    info = inspect_wav(path)
    if info is None or info.consistent:
        return False
    with path.open("r+b") as fh:
        if info.whole != info.actual:
            fh.truncate(info.data_offset + info.whole)
        fh.seek(4)
        fh.write(struct.pack("<I", min(info.data_offset - 8 + info.whole, 0xFFFFFFFF)))
        fh.seek(info.data_offset - 4)
        fh.write(struct.pack("<I", min(info.whole, 0xFFFFFFFF)))
        fh.flush()
        os.fsync(fh.fileno())
    return True
