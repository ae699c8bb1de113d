"""Local session folders: ``<data dir>/sessions/<id>/session.json`` plus ``audio/``.

``session.json`` is rewritten atomically after every turn (see ``fsutil``), so a crash
loses at most the turn in progress. Ids are validated before they touch a path.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from interviewsense.domain import (
    MAX_TURNS,
    SESSION_SCHEMA,
    Session,
    from_json,
    newer_schema,
    to_json,
)
from interviewsense.errors import BadInputError, NotFoundError, StorageError
from interviewsense.fsutil import (
    DIR_MODE,
    atomic_write_bytes,
    atomic_write_json,
    ensure_dir,
    file_in_the_way,
    parse_json,
    storage_error,
)

SESSION_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
SESSION_FILE = "session.json"
LOCK_FILE = ".lock"  # "<pid>": a command is writing this session; left behind by a crash


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def new_session_id(when: datetime | None = None) -> str:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def is_session_id(text: str) -> bool:
    return bool(SESSION_ID.fullmatch(text))  # not match(): "$" accepts a trailing newline


def validate_id(text: str) -> str:
    if not is_session_id(text):
        shown = text.encode("unicode_escape", "backslashreplace").decode("ascii")[:80]
        raise BadInputError(
            f"'{shown}' is not a session id",
            hint="ids look like 20261130-073000-a1b2c3; 'interviewsense sessions list' shows them",
        )
    return text


def is_synced(session: Session, folder: Path) -> bool:
    """Synced, and nothing changed since."""
    from interviewsense.storage.manifest import needs_sync

    return bool(session.sync.synced_at) and not needs_sync(session, folder, session.sync.target)


def audio_name(kind: str, index: int) -> str:
    """``aNN.wav`` for answers, ``qNN.wav`` for spoken questions (1-based)."""
    if kind not in ("a", "q") or not 0 < index <= MAX_TURNS:
        raise ValueError(f"bad audio name {kind}{index}")
    return f"{kind}{index:02d}.wav"


class UnreadableSessionError(StorageError):
    """A session.json this user may not read: not damage (repair could not read it either)."""


@dataclass(frozen=True)
class SessionInfo:
    id: str
    started_at: str
    type: str
    kind: str
    status: str
    turns: int
    answered: int
    mean_score: float | None
    synced: bool


class NewerSessionError(BadInputError):
    """A session a newer InterviewSense saved: neither read nor rewritten here."""


def refuse_newer(data: object, session_id: str) -> None:
    """Refuse a session.json of a later schema than this version's (``SESSION_SCHEMA``):
    read as one of ours, whatever the newer version added would be lost on the next save,
    and 'repair' would take its new shapes for damage."""
    newer = newer_schema(data, SESSION_SCHEMA)
    if newer is not None:
        raise NewerSessionError(
            f"session {session_id} was saved by a newer InterviewSense ({newer}); it is left "
            "as it is",
            hint="upgrade InterviewSense to read it (pip install -U interviewsense)",
        )


class SessionStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, session_id: str) -> Path:
        return self.root / validate_id(session_id)

    def audio_path(self, session_id: str, kind: str, index: int) -> Path:
        return self.folder(session_id) / "audio" / audio_name(kind, index)

    def create(self, session: Session) -> Path:
        folder = self.folder(session.id)
        ensure_dir(self.root)
        try:  # claimed by creating it: two processes drawing one id cannot share (or discard) it
            folder.mkdir(mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)  # mkdir's mode is masked by the umask
        except FileExistsError as exc:
            raise StorageError(f"session {session.id} already exists") from exc
        except OSError as exc:
            raise storage_error(exc, folder) from exc
        try:
            ensure_dir(folder / "audio")
            self.lock(session.id)
            self.save(session)
        except BaseException:  # a full disk: no half-made session left for 'list' to show
            self.discard(session.id)
            raise
        return folder

    def discard(self, session_id: str) -> None:
        """Remove a session this process was making and could not finish (nothing of it was
        the user's: its answer is still wherever it came from)."""
        shutil.rmtree(self.folder(session_id), ignore_errors=True)

    def lock(self, session_id: str) -> None:
        """Mark the session as being written by this process (see ``storage.repair``)."""
        atomic_write_bytes(self.folder(session_id) / LOCK_FILE, str(os.getpid()).encode())

    def release(self, session_id: str) -> None:
        with contextlib.suppress(OSError):
            (self.folder(session_id) / LOCK_FILE).unlink()

    def save(self, session: Session) -> None:
        atomic_write_json(self.folder(session.id) / SESSION_FILE, to_json(session))

    def exists(self, session_id: str) -> bool:
        return is_session_id(session_id) and (self.folder(session_id) / SESSION_FILE).is_file()

    def load(self, session_id: str) -> Session:
        path = self.folder(session_id) / SESSION_FILE
        if not path.is_file():
            self.existing(session_id)
            raise StorageError(
                f"session {session_id} has no session.json",
                hint="'interviewsense sessions repair' rebuilds it from the audio",
            )
        try:
            data = parse_json(path.read_text("utf-8"))
            refuse_newer(data, session_id)
            session = from_json(Session, data)
        except FileNotFoundError:  # deleted since the check above
            raise NotFoundError(f"no session {session_id}") from None
        except NewerSessionError:
            raise
        except PermissionError as exc:  # not damage: repair could not read it either (a review)
            raise UnreadableSessionError(
                f"no permission to read {path}",
                hint="make it readable by this user (chmod u+r), or run as its owner",
            ) from exc
        except (OSError, UnicodeDecodeError, ValueError, BadInputError) as exc:
            raise StorageError(
                f"session {session_id} is damaged ({str(exc)[:120]})",
                hint="'interviewsense sessions repair' rebuilds it from what is left",
            ) from exc
        if session.id != session_id:  # a folder copied or renamed by hand
            raise StorageError(
                f"session {session_id}: its session.json names another session, {session.id}",
                hint=f"'interviewsense sessions repair {session_id}' gives it this folder's id",
            )
        return session

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            blocker = file_in_the_way(self.root)
            if blocker is not None:  # not "no sessions yet": none could ever be kept
                raise StorageError(
                    f"{blocker} is a file, not a folder: sessions cannot be kept in it",
                    hint="move that file away, or set INTERVIEWSENSE_HOME to a folder",
                )
            return []
        return sorted(p.name for p in self.root.iterdir() if is_session_id(p.name) and p.is_dir())

    def list(self) -> list[SessionInfo]:
        out: list[SessionInfo] = []
        for sid in self.ids():
            try:
                s = self.load(sid)
            except NewerSessionError:
                out.append(SessionInfo(sid, "", "", "", "newer version", 0, 0, None, False))
                continue
            except UnreadableSessionError:
                out.append(SessionInfo(sid, "", "", "", "unreadable", 0, 0, None, False))
                continue
            except (BadInputError, StorageError):
                out.append(SessionInfo(sid, "", "", "", "damaged", 0, 0, None, False))
                continue
            scores = [t.answer.scores.overall for t in s.turns if t.answer is not None]
            out.append(
                SessionInfo(
                    id=s.id,
                    started_at=s.started_at,
                    type=s.type,
                    kind=s.kind,
                    status=s.status,
                    turns=len(s.turns),
                    answered=len(scores),
                    mean_score=round(sum(scores) / len(scores), 1) if scores else None,
                    synced=is_synced(s, self.folder(s.id)),
                )
            )
        return out

    def existing(self, session_id: str) -> Path:
        """The session's folder, whether or not its session.json still loads."""
        folder = self.folder(session_id)
        if not folder.is_dir():
            raise NotFoundError(
                f"no session {session_id}", hint="'interviewsense sessions list' shows them"
            )
        return folder

    def delete(self, session_id: str) -> None:
        """Take the folder out of the sessions at once (a rename: a reader sees the whole
        session or none, never one half removed), then remove it."""
        folder = self.existing(session_id)
        if folder.is_symlink():  # its files are elsewhere: rmtree refuses a link (QA: it
            # said "deleted", left every file, and a hidden link in the sessions)
            raise StorageError(
                f"session {session_id} is a link to {os.readlink(folder)}: its files are "
                "not deleted through a link",
                hint="delete that folder yourself if you mean to, then remove the link",
            )
        gone = folder.with_name(f".deleted-{folder.name}-{os.getpid()}-{time.monotonic_ns()}")
        try:
            folder.rename(gone)
        except FileNotFoundError:  # deleted by another request in the meantime
            raise NotFoundError(f"no session {session_id}") from None
        except OSError as exc:
            raise storage_error(exc, folder) from exc
        try:
            shutil.rmtree(gone)
        except OSError as exc:  # never "deleted" while recordings are left
            raise StorageError(
                f"session {session_id} is out of the list, but some of its files could not be "
                f"removed ({exc.strerror or exc}): they are in {gone}",
                hint="remove that folder by hand",
            ) from exc
