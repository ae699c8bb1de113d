"""'Download my data': a session as one zip (its session JSON and its recordings), built
as it streams out, so a long session never sits whole in memory or in a temporary file.
Served by ``GET /v1/sessions/{id}/export.zip`` (serve/page.py, docs/api.md)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

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


def export_files(engine: Engine, store_id: str) -> list[tuple[str, Path]]:
    """(name in the zip, file) for the session: ``session.json``, then each recording the
    session keeps (``audio/*.wav``: the answers, and an answer still being spoken), the
    ones only in Azure fetched first. The server's speech (``tts/``) is left out."""
    session = engine.store.load(store_id)  # it must exist and be readable
    folder = engine.store.folder(store_id)
    wanted = {p.relative_to(folder).as_posix() for p in folder.glob("audio/*.wav")}
    for turn in session.turns:
        audio = turn.answer.audio if turn.answer is not None else None
        if audio is not None and audio.path:
            wanted.add(audio.path)
    files = [(f"{store_id}/{SESSION_FILE}", folder / SESSION_FILE)]
    for rel in sorted(wanted):
        path = engine.artifacts.get(store_id, rel)
        if path is not None:
            files.append((f"{store_id}/{rel}", path))
    return files


def zip_stream(files: list[tuple[str, Path]]) -> Iterator[bytes]:
    """The zip of ``files``, a chunk at a time: the JSON deflated, the WAVs stored (they
    hardly compress, and deflating them would cost the CPU the answers need)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as zf:
        for name, path in files:
            info = zipfile.ZipInfo.from_file(path, name)
            info.compress_type = (
                zipfile.ZIP_STORED if name.endswith(".wav") else zipfile.ZIP_DEFLATED
            )
            with path.open("rb") as src, zf.open(info, "w") as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    if out := sink.take():
                        yield out
            if out := sink.take():
                yield out
    if out := sink.take():
        yield out
