"""What the server holds between requests, each behind a small interface with a local
implementation: the worker pool for heavy work, per-session locks, the client-id map and
TTS artifacts. Shared implementations (Redis locks, Azure Blob artifacts) slot in beside
these without touching the routes.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from interviewsense.audio.addresses import AddressPolicy
from interviewsense.config import Settings
from interviewsense.errors import ConflictError, InterviewSenseError, NotFoundError, StorageError
from interviewsense.fsutil import atomic_write_bytes, ensure_dir
from interviewsense.serve.errors import BusyError, LiveBusyError
from interviewsense.serve.security import SAFE_ID, SAFE_ID_HINT, safe_id
from interviewsense.storage.store import SessionStore, is_session_id

if TYPE_CHECKING:
    import asyncio

    import anyio

    from interviewsense.stt.base import Transcriber
    from interviewsense.tts.base import Speaker

T = TypeVar("T")
RATE_WINDOW_S = 60.0  # serve_rate_limit counts requests in any window this long
# A second live socket on a session waits this long for the first one to end (a page's
# reconnect can beat the close of its old connection), then it is refused (409).
LIVE_WAIT_S = 3.0
ID_MAP = ".api-ids"  # <sessions>/.api-ids/<user_id>/<client id> holds the store id
_TEMP = re.compile(r"^(upload|tts)-(\d+)@")  # worker_temp's names: <kind>-<pid>@<host>-…


def worker_temp(folder: Path, kind: str, suffix: str) -> tuple[int, Path]:
    """A private temporary file (descriptor, path) named after this process and host, so
    that the files of a worker that was killed can be told apart (``sweep_dead``)."""
    ensure_dir(folder)
    fd, name = tempfile.mkstemp(
        prefix=f"{kind}-{os.getpid()}@{_host()}-", suffix=suffix, dir=folder
    )
    return fd, Path(name)


def sweep_dead(folder: Path) -> list[Path]:
    """Remove the temporary files that worker processes of this host left when they died
    (killed in the middle of an upload or a synthesis); other hosts' are left alone."""
    from interviewsense.storage.repair import process_alive

    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        found = _TEMP.match(path.name)
        if found is None or not path.name.startswith(f"{found[1]}-{found[2]}@{_host()}-"):
            continue
        pid = int(found[2])
        if pid != os.getpid() and not process_alive(pid):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())[:64]


# Downloads (an ``audio_url``) at once, for each job: a download waits on the network, so it
# takes no job; its decoding and the recording it holds until its job is done are bounded
# by this.
DOWNLOADS_PER_JOB = 2


class WorkPool:
    """Heavy work (Whisper, scoring, TTS, LLM calls) in ``jobs`` threads, never on the event
    loop; at most ``queue`` more wait, and the next one gets 503 at once. Downloads run
    beside them (``download``), so a slow server holds no job (a review: one audio_url held
    the only job for its whole download)."""

    def __init__(self, jobs: int, queue: int) -> None:
        import anyio

        self.limiter: anyio.CapacityLimiter = anyio.CapacityLimiter(max(1, jobs))
        self.capacity = max(1, jobs) + max(0, queue)
        self.pending = 0
        self.download_capacity = DOWNLOADS_PER_JOB * max(1, jobs)
        self.downloads = 0

    def _busy(self) -> BusyError | None:
        if self.pending >= self.capacity:
            return BusyError(
                f"the server is busy ({self.pending} requests in progress or waiting)",
                hint=f"try again in {BusyError.retry_after_s} s",
            )
        return None

    @contextlib.asynccontextmanager
    async def download(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> AsyncIterator[T]:
        """``fn`` (a download, then its decoding) in a thread of its own, taking no job; its
        result is held until the block ends (the answer scored), and past
        ``download_capacity`` such at once, or with every job and queue place taken (its
        answer would be refused after it), the next gets 503 before it downloads."""
        import anyio.to_thread

        busy = self._busy()
        if busy is None and self.downloads >= self.download_capacity:
            busy = BusyError(
                f"the server is busy ({self.downloads} downloads in progress)",
                hint=f"try again in {BusyError.retry_after_s} s",
            )
        if busy is not None:
            raise busy
        self.downloads += 1  # the event loop is one thread: no lock needed
        try:
            yield await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
        finally:
            self.downloads -= 1

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        import anyio.to_thread

        busy = self._busy()
        if busy is not None:
            raise busy
        self.pending += 1  # the event loop is one thread: no lock needed
        try:
            # Not abandoned on cancel: a client that hangs up still gets its answer saved.
            return await anyio.to_thread.run_sync(
                functools.partial(fn, *args, **kwargs), limiter=self.limiter
            )
        finally:
            self.pending -= 1


class Lease(Protocol):
    """A held session lock, as the code that writes under it sees it."""

    def check(self) -> None:
        """Raise ``BusyError`` (503) if the lock is no longer this request's, so it stops
        before it writes. Called from a worker thread (``WorkPool.run``) right before each
        write to the session."""
        ...


class Claim(Protocol):
    """A held live claim, as the socket that records under it sees it."""

    lost: bool  # True once the claim is no longer this socket's (a Redis one can expire)


class KeptLease:
    """A lock that cannot be lost while its process lives (``LocalLocks``)."""

    lost = False

    def check(self) -> None:
        return None


class SessionLocks(Protocol):
    def hold(self, key: str) -> contextlib.AbstractAsyncContextManager[Lease]:
        """Serialise the requests that change one session."""
        ...

    def claim(self, key: str) -> contextlib.AbstractAsyncContextManager[Claim]:
        """The session's live answer, for one socket at a time across every worker (and
        host, with Redis): held while that socket records, released when it ends, however
        it ends. Another claim waits up to LIVE_WAIT_S, then raises ``LiveBusyError``."""
        ...

    def drop(self, key: str) -> None:
        """Drop what is kept for a deleted session's lock (called holding it)."""
        ...


def live_busy(key: str) -> LiveBusyError:
    return LiveBusyError(
        f"the answer to the question of session {key} is being recorded by another connection",
        hint="close the other tab or connection (or let it finish), then connect again",
    )


class LocalLocks:
    """Per-session locks on this machine: an asyncio lock within the process, then a file
    lock (``flock``) across the worker processes of ``--workers N`` that share the folder.
    Hosts that share sessions over the network need a shared backend instead."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._locks: dict[str, asyncio.Lock] = {}
        self._claimed: set[str] = set()  # live claims, where there is no flock
        self._claiming = threading.Lock()

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Lease]:
        import asyncio

        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            try:
                import fcntl
            except ImportError:  # Windows: one worker process, the asyncio lock suffices
                yield KeptLease()
                return
            import anyio.to_thread

            ensure_dir(self.folder)
            fd = os.open(self.folder / safe_id(key), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                await anyio.to_thread.run_sync(fcntl.flock, fd, fcntl.LOCK_EX)
                yield KeptLease()
            finally:
                os.close(fd)  # closing releases the flock

    def drop(self, key: str) -> None:
        """The lock file of a deleted session goes (QA: they stayed, one per session ever
        deleted). Safe while held: a request still waiting on it finds no session (404), and
        a store id is never made again."""
        self._locks.pop(key, None)
        with contextlib.suppress(OSError):
            (self.folder / safe_id(key)).unlink()

    @contextlib.asynccontextmanager
    async def claim(self, key: str) -> AsyncIterator[Claim]:
        """A non-blocking ``flock`` on ``<key>.live``, tried until LIVE_WAIT_S has passed:
        two sockets of one process conflict too (each opens the file), and a worker that
        dies releases it with its descriptors."""
        import anyio
        import anyio.to_thread

        path = self.folder / f"{safe_id(key)}.live"
        deadline = time.monotonic() + LIVE_WAIT_S
        while (fd := await anyio.to_thread.run_sync(self._try_claim, path, key)) is None:
            if time.monotonic() >= deadline:
                raise live_busy(key)
            await anyio.sleep(0.1)
        try:
            yield KeptLease()  # a flock is this process's while it lives
        finally:  # not awaited: a cancelled socket must release it all the same
            self._release(fd, key)

    def _try_claim(self, path: Path, key: str) -> int | None:
        try:
            import fcntl
        except ImportError:  # Windows: one worker process, a set of keys suffices
            with self._claiming:
                if key in self._claimed:
                    return None
                self._claimed.add(key)
                return -1
        ensure_dir(self.folder)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def _release(self, fd: int, key: str) -> None:
        if fd < 0:
            with self._claiming:
                self._claimed.discard(key)
        else:
            os.close(fd)  # closing releases the flock


class SharedState(Protocol):
    """What several processes or hosts must agree on beyond the session files."""

    async def answered(self, store_id: str) -> int | None:
        """How many answers the session had when it was last answered, if known."""
        ...

    async def set_answered(self, store_id: str, count: int) -> None: ...

    async def tts_owner(self, key: str) -> str | None:
        """The session that holds the speech made for ``key``, if any."""
        ...

    async def remember_tts(self, key: str, store_id: str) -> None: ...

    async def check(self) -> str:
        """'off', 'ok', or raise when the backend cannot be reached (for /readyz)."""
        ...

    async def forget(self, store_id: str) -> None:
        """Drop what is kept about a deleted session."""
        ...

    async def spend(self, client: str, limit: int) -> float:
        """Count a request of ``client``: 0 if it is within ``limit`` in the last
        RATE_WINDOW_S seconds, else the seconds until one is allowed."""
        ...


class LocalState:
    """No shared state: the session files are the only record, speech is cached per
    session (in its folder) only, and request rates are counted per process."""

    def __init__(self) -> None:
        self._seen: dict[str, collections.deque[float]] = {}

    async def answered(self, store_id: str) -> int | None:
        return None

    async def set_answered(self, store_id: str, count: int) -> None:
        return None

    async def tts_owner(self, key: str) -> str | None:
        return None

    async def remember_tts(self, key: str, store_id: str) -> None:
        return None

    async def check(self) -> str:
        return "off"

    async def forget(self, store_id: str) -> None:
        return None

    async def spend(self, client: str, limit: int) -> float:
        now = time.monotonic()
        if len(self._seen) > 10_000:  # forget clients with nothing in the window
            self._seen = {k: q for k, q in self._seen.items() if q and q[-1] > now - RATE_WINDOW_S}
        seen = self._seen.setdefault(client, collections.deque())
        while seen and seen[0] <= now - RATE_WINDOW_S:
            seen.popleft()
        if len(seen) >= limit:
            return seen[0] + RATE_WINDOW_S - now
        seen.append(now)
        return 0.0


class Artifacts(Protocol):
    """A session's files the API hands out (``rel`` like ``tts/<name>`` or ``audio/a01.wav``)."""

    def put(self, store_id: str, rel: str, source: Path) -> None:
        """Keep ``source`` as the session's file ``rel`` (a temporary file is moved in; the
        session's own file is kept where it is)."""
        ...

    def get(self, store_id: str, rel: str) -> Path | None:
        """A local file with the artifact's bytes, or None if there is none."""
        ...

    def link(self, store_id: str, rel: str) -> str | None:
        """A URL a client can read the file from directly (a SAS link), or None."""
        ...

    def check(self) -> str:
        """'ok', or raise when the storage cannot be reached (for /readyz)."""
        ...

    def delete(self, store_id: str) -> None:
        """Remove every artifact of the session kept outside its folder."""
        ...


@dataclass
class LocalArtifacts:
    """A session's generated files in its own folder (``tts/<name>``), so they are synced,
    exported and deleted with it."""

    store: SessionStore

    def path(self, store_id: str, rel: str) -> Path:
        return self.store.folder(store_id) / rel

    def put(self, store_id: str, rel: str, source: Path) -> None:
        target = self.path(store_id, rel)
        if source.resolve() != target.resolve():
            ensure_dir(target.parent)
            shutil.move(source, target)

    def get(self, store_id: str, rel: str) -> Path | None:
        path = self.path(store_id, rel)
        return path if path.is_file() else None

    def link(self, store_id: str, rel: str) -> str | None:
        return None

    def check(self) -> str:
        ensure_dir(self.store.root)
        if not self.store.root.is_dir() or not os.access(self.store.root, os.W_OK | os.X_OK):
            raise StorageError(
                f"the session folder {self.store.root} is not a folder this server can write",
                hint="make it a writable folder, or move INTERVIEWSENSE_HOME to one",
            )
        return "ok"

    def delete(self, store_id: str) -> None:
        return None  # they live in the session folder, deleted with it


# A start binds its id within seconds (an LLM's first question within its timeout and
# retries): a reservation still unbound after this long was left by a worker that died.
UNBOUND_RESERVATION_S = 600.0


@dataclass
class IdMap:
    """Client-chosen session ids, per user, mapped to the store's own ids.

    One small file per (user, id) under ``<sessions>/.api-ids/``: creating it is atomic
    across processes (``O_EXCL``), so two starts with one id cannot both win, and the map
    lives with the sessions wherever they are shared.
    """

    store: SessionStore

    @property
    def root(self) -> Path:
        return self.store.root / ID_MAP

    def reserve(self, user_id: str, client_id: str) -> Path:
        folder = ensure_dir(self.root / safe_id(user_id, "user_id"))
        path = folder / safe_id(client_id)
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                if not self._stale(path):
                    break
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # then one start takes it (O_EXCL), the other gets 409
                continue
            os.close(fd)
            return path
        raise ConflictError(
            f"user {user_id} already has a session {client_id}",
            hint="pick another session_id, or leave it out and the server makes one",
        )

    def _stale(self, path: Path) -> bool:
        """A reservation no session holds: bound to a session deleted since (by the CLI), or
        never bound, by a start whose worker died before it was (a review: the id was taken
        for ever, while every request for it was a 404)."""
        try:
            bound = path.read_text("ascii").strip()
            age = time.time() - path.stat().st_mtime
        except (OSError, UnicodeDecodeError):
            return False
        if bound:
            return not self.store.exists(bound)
        return age > UNBOUND_RESERVATION_S

    def bind(self, path: Path, store_id: str) -> None:
        atomic_write_bytes(path, store_id.encode("ascii"))

    def resolve(self, client_id: str, user_id: str | None = None) -> tuple[str, str]:
        """(store id, user id) for a session id the client knows."""
        if is_session_id(client_id) and self.store.exists(client_id):
            # The server's own id: the user named must be the one who started it (a review:
            # anyone's user_id read, exported and deleted it).
            if user_id is not None and not self._owns(user_id, client_id):
                raise NotFoundError(
                    f"no session {client_id} for user {user_id}",
                    hint="GET /v1/sessions?user_id=… lists them",
                )
            return client_id, user_id or ""
        if not SAFE_ID.fullmatch(client_id):  # a path's id no session can have (not echoed)
            raise NotFoundError("no session has that id", hint=SAFE_ID_HINT)
        if user_id is not None:
            candidates = [self.root / safe_id(user_id, "user_id") / client_id]
        else:
            candidates = sorted(self.root.glob(f"*/{client_id}")) if self.root.is_dir() else []
        found = [(p.read_text("ascii").strip(), p.parent.name) for p in candidates if p.is_file()]
        found = [(sid, user) for sid, user in found if self.store.exists(sid)]
        if not found:
            raise NotFoundError(
                f"no session {client_id}" + (f" for user {user_id}" if user_id else ""),
                hint="GET /v1/sessions?user_id=… lists them",
            )
        if len(found) > 1:
            raise ConflictError(
                f"several users have a session {client_id}",
                hint="add user_id to the request (a query parameter or a field)",
            )
        return found[0]

    def _owns(self, user_id: str, store_id: str) -> bool:
        """Whether the session may be the user's: one of the user's ids is bound to it, or
        it names no other owner (a finalize without a session, a session the CLI made)."""
        folder = self.root / safe_id(user_id, "user_id")
        if (folder / store_id).is_file():  # started without a client id: the server's id
            return True
        try:
            info = self.store.load(store_id).settings.get("api")
        except InterviewSenseError:  # damaged: the route's own read says so
            return True
        owner = info.get("user_id") if isinstance(info, dict) else None
        return not owner or owner == user_id

    def ids_of(self, user_id: str) -> list[tuple[str, str]]:
        """(client id, store id) of the user's sessions, oldest first."""
        folder = self.root / safe_id(user_id, "user_id")
        if not folder.is_dir():
            return []
        out = [(p.name, p.read_text("ascii").strip()) for p in folder.iterdir() if p.is_file()]
        # The store's ids begin with the time the session started.
        return sorted(((c, s) for c, s in out if self.store.exists(s)), key=lambda cs: cs[1])

    def forget(self, user_id: str, client_id: str) -> None:
        with contextlib.suppress(OSError):
            (self.root / user_id / client_id).unlink()


@dataclass
class Engine:
    """Everything the routes share, built once per worker process in the app's lifespan."""

    settings: Settings
    store: SessionStore
    pool: WorkPool
    locks: SessionLocks
    ids: IdMap
    artifacts: Artifacts
    shared: SharedState = field(default_factory=LocalState)
    transcriber: Transcriber | None = None
    missing: InterviewSenseError | None = None  # why Whisper is not loaded
    speakers: dict[str, Speaker] = field(default_factory=dict)
    fetch_policy: AddressPolicy = field(default_factory=AddressPolicy)  # where audio_url may go

    @classmethod
    def local(cls, settings: Settings) -> Engine:
        """Everything in this process and the session folder (``backends.engine_for`` swaps
        in the shared backends that are configured)."""
        store = SessionStore(settings.sessions_dir)
        return cls(
            settings=settings,
            store=store,
            pool=WorkPool(settings.serve_jobs, settings.serve_queue),
            locks=LocalLocks(store.root / ".api-locks"),
            ids=IdMap(store),
            artifacts=LocalArtifacts(store),
            fetch_policy=AddressPolicy.parse(settings.serve_fetch_allow),
        )

    def whisper(self) -> Transcriber:
        if self.transcriber is None:
            raise self.missing or NotFoundError("Whisper is not loaded")
        return self.transcriber

    def tts_name(self) -> str:
        """The name of the server's TTS engine (tts/registry.py), without loading it."""
        if "tts" in self.speakers:
            return self.speakers["tts"].name
        from interviewsense.tts.registry import TTS

        return TTS.choose(self.settings).name

    def speaker(self) -> Speaker:
        """The server's TTS engine, made on first use (called in a worker thread)."""
        if "tts" not in self.speakers:
            from interviewsense.progress import Quiet
            from interviewsense.tts.registry import TTS

            info = TTS.choose(self.settings)
            self.speakers["tts"] = info.build(self.settings, Quiet())
        return self.speakers["tts"]
