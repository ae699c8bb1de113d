"""What a sync target does: say what it holds, take files, and (maybe) share links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from interviewsense.storage.manifest import LocalFile

Progress = Callable[[int], None]  # bytes sent since the last call


@dataclass(frozen=True)
class RemoteFile:
    size: int
    md5: str  # hex, or "" when the target does not know it


class SyncTarget(Protocol):
    name: str  # "azure:<container>" or "local:<folder>", recorded in session.json

    def prepare(self, *, create: bool = True) -> None:
        """Check settings and create the container or folder (with ``create`` False, only
        check: ``sync --check`` changes nothing); raises on bad settings."""
        ...

    def remote_index(self) -> dict[str, dict[str, RemoteFile]]:
        """Every file the target holds for this user, by session id, in one listing."""
        ...

    def upload(self, session_id: str, f: LocalFile, progress: Progress) -> int:
        """Copy one file; returns the bytes actually sent (less when an upload resumes)."""
        ...

    def read(self, session_id: str, rel: str, limit: int) -> bytes | None:
        """A small file's copy (up to ``limit`` bytes), or None when it is not there or is
        larger: what ``check`` reads of a session.json whose bytes differ."""
        ...

    def finish(self, session_id: str, files: list[LocalFile]) -> None:
        """After every file of a session is in place (a manifest, for a folder)."""
        ...

    def link(self, session_id: str, rel: str) -> str | None:
        """A read-only link to a file, when the target can make one."""
        ...
