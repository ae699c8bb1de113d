"""Content hashes of a session's files, and the sync state they are compared with."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from interviewsense.domain import Session, to_json

CHUNK = 1 << 20
SESSION_FILE = "session.json"


@dataclass(frozen=True)
class LocalFile:
    rel: str  # path inside the session folder, with "/" separators
    path: Path
    size: int
    md5: str  # hex


def md5_file(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def session_files(folder: Path, *, include_session: bool = False) -> list[LocalFile]:
    """The files that make up a session (audio, reports), sorted; temporary files are not."""
    out: list[LocalFile] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.suffix in (".tmp", ".part"):
            continue
        rel = path.relative_to(folder).as_posix()
        if rel == SESSION_FILE and not include_session:
            continue
        out.append(LocalFile(rel, path, path.stat().st_size, md5_file(path)))
    return out


def content_hash(session: Session) -> str:
    """A hash of the session's content, leaving out its own sync state."""
    data = to_json(session)
    data.pop("sync", None)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def needs_sync(session: Session, folder: Path, target: str) -> bool:
    """Whether anything changed since the session was last synced to ``target``."""
    state = session.sync
    if not state.synced_at or state.target != target:
        return True
    if state.files.get(SESSION_FILE) != content_hash(session):
        return True
    current = {f.rel: f.md5 for f in session_files(folder)}
    recorded = {k: v for k, v in state.files.items() if k != SESSION_FILE}
    return current != recorded
