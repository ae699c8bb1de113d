"""Sync to a folder (a synced drive, a USB stick): atomic copies and a manifest of hashes."""

from __future__ import annotations

from pathlib import Path

from interviewsense.domain import to_json
from interviewsense.errors import BadInputError
from interviewsense.fsutil import atomic_open, atomic_write_json, ensure_dir, storage_error
from interviewsense.storage.manifest import LocalFile, md5_file
from interviewsense.storage.store import is_session_id, validate_id
from interviewsense.storage.sync_base import Progress, RemoteFile

MANIFEST = "manifest.json"


class LocalTarget:
    def __init__(self, root: Path, user: str, what: str = "sync target") -> None:
        self.root = root.expanduser().resolve()  # one name for one folder; file URIs need it whole
        self.user = user
        self.what = what  # how messages name the folder
        self.name = f"local:{self.root}"

    def _folder(self, session_id: str) -> Path:
        return self.root / self.user / validate_id(session_id)

    def prepare(self, *, create: bool = True) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise BadInputError(
                f"{self.what} {self.root} is a file, not a folder",
                hint="name a folder (it is created if missing)",
            )
        if not create:
            return
        try:
            ensure_dir(self.root / self.user)
        except OSError as exc:
            raise storage_error(exc, self.root) from exc

    def remote_index(self) -> dict[str, dict[str, RemoteFile]]:
        base = self.root / self.user
        out: dict[str, dict[str, RemoteFile]] = {}
        if not base.is_dir():
            return out
        for folder in sorted(base.iterdir()):
            if not folder.is_dir() or not is_session_id(folder.name):
                continue
            files = out.setdefault(folder.name, {})
            for path in folder.rglob("*"):
                if path.is_file() and path.name != MANIFEST and not path.name.startswith("."):
                    rel = path.relative_to(folder).as_posix()
                    files[rel] = RemoteFile(path.stat().st_size, md5_file(path))
        return out

    def upload(self, session_id: str, f: LocalFile, progress: Progress) -> int:
        target = self._folder(session_id) / f.rel
        with atomic_open(target) as out, f.path.open("rb") as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
                progress(len(chunk))
        # A copy that does not match its source is not a copy.
        if md5_file(target) != f.md5:
            target.unlink(missing_ok=True)
            raise BadInputError(f"{f.rel} changed while it was being copied; sync again")
        return f.size

    def finish(self, session_id: str, files: list[LocalFile]) -> None:
        manifest = {f.rel: {"size": f.size, "md5": f.md5} for f in files}
        atomic_write_json(self._folder(session_id) / MANIFEST, to_json(manifest))

    def link(self, session_id: str, rel: str) -> str | None:
        return (self._folder(session_id) / rel).as_uri()
