"""Content hashes of a session's files, and the sync state they are compared with."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from interviewsense.domain import Session, SyncState, to_json

CHUNK = 1 << 20
SESSION_FILE = "session.json"


@dataclass(frozen=True)
class LocalFile:
    rel: str  # path inside the session folder, with "/" separators
    path: Path
    size: int
    md5: str  # hex
    mtime_ns: int = 0


def md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def session_files(
    folder: Path, *, include_session: bool = False, known: SyncState | None = None
) -> list[LocalFile]:
    """The files that make up a session (audio, reports), sorted; temporary files are not.
    With ``known`` (the last sync's state), a file whose size and mtime are as recorded
    there keeps its recorded MD5 instead of being read again."""
    out: list[LocalFile] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.suffix in (".tmp", ".part"):
            continue
        rel = path.relative_to(folder).as_posix()
        if rel == SESSION_FILE and not include_session:
            continue
        st = path.stat()
        md5 = ""
        if known is not None and rel != SESSION_FILE:
            if known.stats.get(rel) == [st.st_size, st.st_mtime_ns]:
                md5 = known.files.get(rel, "")
        out.append(LocalFile(rel, path, st.st_size, md5 or md5_file(path), st.st_mtime_ns))
    return out


def file_stats(files: list[LocalFile]) -> dict[str, list[int]]:
    """What ``session_files`` compares next time, for ``SyncState.stats``."""
    return {f.rel: [f.size, f.mtime_ns] for f in files}


def content_hash(session: Session) -> str:
    """A hash of the session's content, leaving out its own sync state."""
    return json_content_hash(to_json(session))


def json_content_hash(data: dict[str, object]) -> str:
    """``content_hash`` of a session.json as read (a copy's, say)."""
    data = {k: v for k, v in data.items() if k != "sync"}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def needs_sync(
    session: Session, folder: Path, target: str, files: list[LocalFile] | None = None
) -> bool:
    """Whether anything changed since the session was last synced to ``target``
    (``files``: its files as ``session_files`` just listed them)."""
    state = session.sync
    if not state.synced_at or state.target != target:
        return True
    if state.files.get(SESSION_FILE) != content_hash(session):
        return True
    listed = session_files(folder, known=state) if files is None else files
    current = {f.rel: f.md5 for f in listed}
    recorded = {k: v for k, v in state.files.items() if k != SESSION_FILE}
    return current != recorded
