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

    def read(self, session_id: str, rel: str, limit: int) -> bytes | None:
        path = self._folder(session_id) / rel
        try:
            if path.stat().st_size > limit:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def finish(self, session_id: str, files: list[LocalFile]) -> None:
        manifest = {f.rel: {"size": f.size, "md5": f.md5} for f in files}
        atomic_write_json(self._folder(session_id) / MANIFEST, to_json(manifest))

    def listed(self, session_id: str) -> list[str]:
        """The files the copy's manifest lists (what an earlier copy wrote); none when it
        has no manifest, or one that cannot be read."""
        import json

        try:
            data = json.loads((self._folder(session_id) / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [rel for rel in data if isinstance(rel, str)] if isinstance(data, dict) else []

    def prune(self, session_id: str, before: list[str], keep: list[LocalFile]) -> list[str]:
        """Remove the files an earlier copy wrote (``before``, from its manifest) that the
        session no longer has: a copy holds what the session holds. Only files the manifest
        named, inside the copy's folder, are touched; returns what was removed."""
        from interviewsense.fsutil import inside

        folder = self._folder(session_id)
        kept = {f.rel for f in keep}
        removed = []
        for rel in before:
            path = folder / rel
            if rel in kept or rel == MANIFEST or not inside(path, folder) or not path.is_file():
                continue
            try:
                path.unlink()
            except OSError as exc:
                raise storage_error(exc, path) from exc
            removed.append(rel)
        return removed

    def link(self, session_id: str, rel: str) -> str | None:
        return (self._folder(session_id) / rel).as_uri()
