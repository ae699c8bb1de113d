"""Private, crash-safe file writing shared by every stage that writes to disk.

Recordings and transcripts are personal data: folders are created 0700 and files 0600.
A JSON or copied file is written to a temporary file in the same folder, fsynced, then
renamed over the target, so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from interviewsense.errors import StorageError

DIR_MODE = 0o700
FILE_MODE = 0o600


def parse_json(text: str | bytes) -> Any:
    """``json.loads``, with JSON nested too deeply to read (``[[[[…``: Python's parser
    recurses) a ``json.JSONDecodeError`` like any other damage, not a ``RecursionError``."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", "", 0) from None


def ensure_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents, each with owner-only permissions (folders
    that already exist are left as they are); return it."""
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=DIR_MODE, exist_ok=True)
            os.chmod(folder, DIR_MODE)  # mkdir's mode is masked by the umask
    except OSError as exc:
        raise storage_error(exc, path) from exc
    return path


def read_text(
    path: Path, what: str, *, encoding: str = "utf-8", most_bytes: int | None = None
) -> str:
    """A text file the user named (a manifest, a resume …), or one ``BadInputError`` that
    says what is wrong with it. ``most_bytes``: only that much of a regular file is read (a
    review: ``--resume /dev/zero`` read until the kernel killed it, at 21 GB)."""
    from interviewsense.errors import BadInputError

    try:
        if most_bytes is None:
            return path.read_text(encoding)
        if path.exists() and not path.is_file():
            raise BadInputError(f"the {what} {path} is not a file", hint="pass a text file (UTF-8)")
        with path.open("rb") as fh:
            raw = fh.read(most_bytes)
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            if len(raw) == most_bytes and exc.start >= len(raw) - 3:  # a character cut short
                return raw[: exc.start].decode(encoding)
            raise
    except FileNotFoundError as exc:
        raise BadInputError(f"no such {what} file: {path}") from exc
    except UnicodeDecodeError as exc:
        raise BadInputError(
            f"the {what} {path} is not UTF-8 text", hint="save it as plain text (UTF-8) first"
        ) from exc
    except OSError as exc:
        raise BadInputError(f"cannot read the {what} {path}: {exc.strerror}") from exc


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it, links and ``~`` resolved."""
    where, root = path.expanduser().resolve(), folder.expanduser().resolve()
    return where == root or root in where.parents


def output_file(
    path: Path,
    sessions_dir: Path,
    what: str,
    *,
    replaceable: Callable[[Path], bool] | None = None,
) -> Path:
    """A file the user named for output (a report, a results file), checked before anything
    is written: it must not be inside the session store (it would replace recorded data),
    must not be a folder or a device, and its folder must exist (a typo does not create
    folders)."""
    from interviewsense.errors import BadInputError

    where = path.expanduser()
    if inside(where, sessions_dir):
        raise BadInputError(
            f"the {what} {path} would be written inside the session store {sessions_dir}",
            hint="choose a path outside it; the default report goes next to the session "
            "without --out",
        )
    if where.exists() and not where.is_file():
        raise BadInputError(
            f"the {what} {path} is not a regular file",
            hint="name a file (a new one, or one to replace)",
        )
    if not where.parent.is_dir():
        raise BadInputError(
            f"the folder {where.parent} for the {what} does not exist",
            hint=f"create it first (mkdir -p {where.parent}) or choose another path",
        )
    if replaceable is not None and where.is_file() and not replaceable(where):
        raise BadInputError(
            f"{path} already exists and is not a report: writing the {what} would replace it",
            hint="choose another name, or move that file away first",
        )
    return where


def storage_error(exc: OSError, path: Path) -> StorageError:
    """A one-line, actionable error for an OS error on ``path``."""
    if exc.errno == errno.ENOSPC:
        return StorageError(
            f"the disk is full: could not write {path}", hint="free some space and try again"
        )
    if exc.errno == errno.EROFS:
        return StorageError(
            f"could not write {path}: it is on a read-only disk",
            hint="choose a folder you can write to on a writable disk (if it is the data "
            "folder, INTERVIEWSENSE_HOME moves it)",
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StorageError(
            f"no permission to write {path}",
            hint="choose a folder you can write to, or make this one writable (if it is the "
            "data folder, INTERVIEWSENSE_HOME moves it)",
        )
    if exc.errno == errno.ENOTDIR:
        blocker = file_in_the_way(path) or path
        return StorageError(
            f"could not write {path}: {blocker} is a file, not a folder",
            hint="move that file away, or choose another folder",
        )
    return StorageError(
        f"could not write {path}: {exc.strerror or exc}",
        hint="check that the folder exists and can hold files, or choose another",
    )


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "wb") -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path``; on success fsync it and rename it into place."""
    ensure_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # a read-only or full folder: no temporary file to clean up
        raise storage_error(exc, path) from exc
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        _unlink_quietly(tmp)
        raise storage_error(exc, path) from exc
    except BaseException:
        _unlink_quietly(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def atomic_write_json(path: Path, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def to_devnull(stream: IO[Any]) -> None:
    """Point a stream's file descriptor at /dev/null: writes (and the flush at exit) to a
    pipe nobody reads any more then succeed quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def file_in_the_way(path: Path) -> Path | None:
    """A file standing where ``path`` or one of its parent folders should be, if any."""
    return next((p for p in (path, *path.parents) if p.is_file()), None)


def nearest_existing(path: Path) -> Path:
    """``path``, or its nearest parent that exists (where it would be created)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe


def free_bytes(path: Path) -> int:
    """Free space on the file system holding ``path`` (or its nearest existing parent)."""
    st = os.statvfs(nearest_existing(path))
    return st.f_bavail * st.f_frsize
