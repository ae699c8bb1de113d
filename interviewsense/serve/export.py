"""'Download my data': a session as one zip (its session JSON and its recordings), built
as it streams out, so a long session never sits whole in memory or in a temporary file.
Served by ``GET /v1/sessions/{id}/export.zip`` (serve/page.py, docs/api.md)."""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from interviewsense.errors import NotFoundError
from interviewsense.storage.manifest import SESSION_FILE

if TYPE_CHECKING:
    from interviewsense.serve.state import Engine

CHUNK = 1 << 20


class _Sink(io.RawIOBase):
    """A write-only, unseekable file whose bytes are taken out as they come."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def export_files(engine: Engine, store_id: str) -> list[tuple[str, BinaryIO]]:
    """(name in the zip, open file) for the session: ``session.json``, then each recording
    the session keeps (``audio/*.wav``: the answers, and an answer still being spoken), the
    ones only in Azure fetched first. The server's speech (``tts/``) is left out. Every file
    is opened here, before the first byte is sent: a session deleted while its zip streams
    out is still sent whole (an open file outlives its name), and one deleted before is a
    404, never a zip cut short."""
    session = engine.store.load(store_id)  # it must exist and be readable
    folder = engine.store.folder(store_id)
    wanted = {p.relative_to(folder).as_posix() for p in folder.glob("audio/*.wav")}
    for turn in session.turns:
        audio = turn.answer.audio if turn.answer is not None else None
        if audio is not None and audio.path:
            wanted.add(audio.path)
    paths = [(f"{store_id}/{SESSION_FILE}", folder / SESSION_FILE)]
    for rel in sorted(wanted):
        path = engine.artifacts.get(store_id, rel)
        if path is not None:
            paths.append((f"{store_id}/{rel}", path))
    files: list[tuple[str, BinaryIO]] = []
    try:
        for name, path in paths:
            files.append((name, path.open("rb")))
    except FileNotFoundError:
        close(files)
        raise NotFoundError(f"no session {store_id}", hint="it was deleted") from None
    except BaseException:
        close(files)
        raise
    return files


def close(files: list[tuple[str, BinaryIO]]) -> None:
    for _, fh in files:
        fh.close()


def zip_stream(files: list[tuple[str, BinaryIO]]) -> Iterator[bytes]:
    """The zip of ``files`` (closed when it ends, however it ends), a chunk at a time: the
    JSON deflated, the WAVs stored (they hardly compress, and deflating them would cost the
    CPU the answers need)."""
    sink = _Sink()
    try:
        with zipfile.ZipFile(sink, "w") as zf:
            for name, src in files:
                stat = os.fstat(src.fileno())
                info = zipfile.ZipInfo(name, time.localtime(stat.st_mtime)[:6])
                info.file_size = stat.st_size
                info.compress_type = (
                    zipfile.ZIP_STORED if name.endswith(".wav") else zipfile.ZIP_DEFLATED
                )
                with zf.open(info, "w") as dst:
                    while chunk := src.read(CHUNK):
                        dst.write(chunk)
                        if out := sink.take():
                            yield out
                if out := sink.take():
                    yield out
        if out := sink.take():
            yield out
    finally:
        close(files)
