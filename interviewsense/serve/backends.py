"""Shared backends for the web API, used when configured: Azure Blob Storage for the files
it hands out (``AzureArtifacts``) and Redis for what several processes or hosts must agree
on (``RedisState``). Their SDKs are imported only here, and only when enabled."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewsense.config import Settings
from interviewsense.diagnostics import PROBE_TIMEOUT_S
from interviewsense.errors import BadInputError, MissingDependencyError, ServiceError
from interviewsense.fsutil import ensure_dir
from interviewsense.serve.errors import BusyError
from interviewsense.serve.state import (
    LIVE_WAIT_S,
    RATE_WINDOW_S,
    Claim,
    Engine,
    LocalArtifacts,
    live_busy,
)
from interviewsense.storage.azure_blobs import Container, Timeouts, unreachable
from interviewsense.storage.azure_sas import read_link

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("interviewsense.serve")
# A request waits at most 5 s to connect and 20 s for each reply, tried twice; /readyz asks
# once, as doctor does (PROBE_TIMEOUT_S each). After Azure could not be reached, or did not
# answer /readyz in that time, requests go on without it (answers and speech kept here, no
# links) for UNREACHABLE_HOLD_S before it is asked again.
REQUEST = Timeouts(5, 20, 1)
UNREACHABLE_HOLD_S = 30.0
BLOB_PREFIX = "serve"  # blobs are serve/<store id>/<rel>: tts/<name>, audio/a01.wav


class AzureArtifacts:
    """Artifacts as blobs in AZURE_STORAGE_CONTAINER (created if missing), with a copy in
    the session folder that this process serves and scores from. Another host that lacks
    the copy downloads it; with AZURE_BLOB_SAS_TTL_SECONDS > 0 a client gets a read-only
    link and reads the blob from Azure itself."""

    def __init__(self, settings: Settings, local: LocalArtifacts) -> None:
        self.local = local
        self.blobs = Container(settings, settings.azure_storage_container, timeouts=REQUEST)
        self.probe = Container(settings, settings.azure_storage_container, probe_s=PROBE_TIMEOUT_S)
        self.ttl = settings.azure_blob_sas_ttl_seconds
        self._created = False
        self._create_lock = threading.Lock()
        # Azure not reached: the error, and until when requests go on without asking again.
        self._down: tuple[ServiceError, float] | None = None

    def _call(self, what: str, fn: Any, *args: Any, probe: bool = False, **kwargs: Any) -> Any:
        """``Container.call``, except that for ``UNREACHABLE_HOLD_S`` after Azure could not
        be reached, requests fail at once with that error instead of each waiting out its
        time-outs (the probe, /readyz, always asks)."""
        down = self._down
        if down is not None and not probe:
            error, until = down
            if time.monotonic() < until:
                raise ServiceError(
                    f"{error.message}; not asked again for {UNREACHABLE_HOLD_S:.0f} s",
                    hint=error.hint,
                )
        try:
            result = (self.probe if probe else self.blobs).call(what, fn, *args, **kwargs)
        except ServiceError as exc:
            if unreachable(exc):
                self._down = (exc, time.monotonic() + UNREACHABLE_HOLD_S)
            raise
        self._down = None
        return result

    def blob_name(self, store_id: str, rel: str) -> str:
        return f"{BLOB_PREFIX}/{store_id}/{rel}"

    def _ensure_container(self, *, probe: bool = False) -> None:
        if self._created:
            return
        from azure.core.exceptions import ResourceExistsError

        def create() -> None:
            with contextlib.suppress(ResourceExistsError):
                (self.probe if probe else self.blobs).client.create_container()

        with self._create_lock:
            if not self._created:
                self._call(f"create the container {self.blobs.name}", create, probe=probe)
                self._created = True

    def put(self, store_id: str, rel: str, source: Path) -> None:
        from azure.storage.blob import ContentSettings

        self.local.put(store_id, rel, source)
        path = self.local.path(store_id, rel)
        self._ensure_container()
        kind = "audio/wav" if rel.endswith(".wav") else "application/octet-stream"
        blob = self.blobs.client.get_blob_client(self.blob_name(store_id, rel))
        with path.open("rb") as fh:
            self._call(
                f"store {rel}",
                blob.upload_blob,
                fh,
                overwrite=True,
                content_settings=ContentSettings(content_type=kind),
            )

    def get(self, store_id: str, rel: str) -> Path | None:
        found = self.local.get(store_id, rel)
        if found is not None:
            return found
        from azure.core.exceptions import ResourceNotFoundError

        blob = self.blobs.client.get_blob_client(self.blob_name(store_id, rel))
        target = self.local.path(store_id, rel)
        ensure_dir(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=".get-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                try:
                    self._call(f"read {rel}", lambda: blob.download_blob().readinto(fh))
                except ServiceError as exc:
                    if isinstance(exc.__cause__, ResourceNotFoundError):
                        return None  # neither here nor in Azure
                    raise
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return target

    def link(self, store_id: str, rel: str) -> str | None:
        return read_link(self.blobs, self.blob_name(store_id, rel), self.ttl)

    def delete(self, store_id: str) -> None:
        prefix = self.blob_name(store_id, "")

        def remove() -> None:
            for blob in self.blobs.client.list_blobs(name_starts_with=prefix):
                self.blobs.client.delete_blob(blob.name)

        if self._created or self._call("look for the container", self.blobs.client.exists):
            self._call(f"delete the files of session {store_id}", remove)

    def check(self) -> str:
        self.local.check()
        self._ensure_container(probe=True)
        self._call("reach the container", self.probe.client.get_container_properties, probe=True)
        return "ok"


PREFIX = "interviewsense"  # Redis keys: interviewsense:lock:<store id>, …:live:…, …:answered:…
LOCK_TTL_S = 30.0  # a session lock whose holder stops renewing it (a dead process) expires
LEASE_MARGIN_S = 5.0  # a lease not renewed for LOCK_TTL_S minus this is taken as lost
LOCK_WAIT_S = 120.0  # a request waits this long for a session's lock, then gets 503
SPEND = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""  # seconds until the client may send again; 0 and the request counted when it may
KEEP_S = 30 * 24 * 3600  # turn counters and the TTS cache are forgotten after 30 days


class RedisLease:
    """A session lock held in Redis. Renewed by ``RedisState._renew``; ``check`` asks Redis
    whether it is still this request's before each write, so a request whose lease expired
    (a renewal that could not reach Redis, a process paused past the TTL) stops with 503
    instead of writing while another request may hold the lock."""

    def __init__(self, lock: Any, key: str) -> None:
        self.lock = lock
        self.key = key
        self.renewed = time.monotonic()
        self.lost = False

    def check(self) -> None:
        import anyio.from_thread
        from redis.exceptions import RedisError

        if not self.lost:
            try:
                self.lost = not anyio.from_thread.run(self.lock.owned)
            except RedisError:  # cannot ask: still ours while its TTL has surely not run out
                self.lost = time.monotonic() - self.renewed > LOCK_TTL_S - LEASE_MARGIN_S
        if self.lost:
            raise BusyError(
                f"the lock on session {self.key} was lost (Redis did not keep it for this "
                "request), so nothing more was written",
                hint=f"send the same request again in {BusyError.retry_after_s} s",
            )


REDIS_CALL_S = 2.0  # the longest one Redis call may take before it counts as Redis down


class RedisState:
    """Session locks, turn counters and the TTS cache in Redis, so several worker processes
    or hosts serve one session. A lock is held while its holder renews it (every
    LOCK_TTL_S / 3), so one whose process died frees itself; Redis being down is a 503
    with Retry-After before any work starts, never a lost answer."""

    def __init__(self, url: str) -> None:
        from urllib.parse import urlsplit

        try:
            import redis.asyncio as aioredis
        except ImportError as exc:  # pragma: no cover - a broken install
            raise MissingDependencyError(
                "REDIS_URL is set but the redis package is not installed",
                hint="pip install 'interviewsense[serve]'",
            ) from exc
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError, TimeoutError

        parts = urlsplit(url)
        try:
            port = parts.port  # a port that is no number (or over 65535) raises here
            database = parts.path.strip("/")
            if parts.scheme in ("redis", "rediss") and database and not database.isdigit():
                raise ValueError(f"the database is {database!r}, not a number")
            self.shown = f"{parts.hostname or ''}:{port or 6379}"  # never the password
            self.client: Any = aioredis.Redis.from_url(
                url,
                socket_connect_timeout=2,
                # Every call is small: one that takes seconds is a Redis that stalled, and
                # the request waiting on it answers 503 in seconds, not minutes (a review:
                # 10 s, retried twice, a few calls a request: 91 s).
                socket_timeout=REDIS_CALL_S,
                health_check_interval=15,
                # A connection broken by a Redis restart is replaced, not reported.
                retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 1),
                retry_on_error=[ConnectionError, TimeoutError],
            )
        except ValueError as exc:
            raise BadInputError(
                f"REDIS_URL is not a Redis URL ({parts.scheme or 'no scheme'}: {exc})",
                hint="e.g. redis://127.0.0.1:6379/0 or rediss://:PASSWORD@HOST:6380/0",
            ) from None
        self._local: dict[str, asyncio.Lock] = {}
        self._spend: Any = None

    @contextlib.asynccontextmanager
    async def reached(self) -> AsyncIterator[None]:
        """Redis's errors as a 503 with Retry-After, naming no password: a connection lost,
        and also a replica after a failover (READONLY), a full memory (OOM) or refused
        rights, so a client retries instead of seeing a 500 and sending its answer twice."""
        from redis.exceptions import RedisError

        try:
            yield
        except RedisError:
            raise BusyError(
                f"Redis at {self.shown} cannot be reached",
                hint=f"try again in {BusyError.retry_after_s} s; GET /readyz says when it is back",
            ) from None

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[RedisLease]:
        import asyncio

        local = self._local.setdefault(key, asyncio.Lock())
        async with local:  # one waiter per process polls Redis, not every request
            lock = self.client.lock(
                f"{PREFIX}:lock:{key}", timeout=LOCK_TTL_S, sleep=0.05, blocking_timeout=LOCK_WAIT_S
            )
            async with self.reached():
                got = await lock.acquire()
            if not got:
                raise BusyError(
                    f"session {key} stayed busy for {LOCK_WAIT_S:.0f} s",
                    hint="another request is still working on it; try again",
                )
            async with self._renewed(lock, key) as lease:
                yield lease

    def drop(self, key: str) -> None:
        return None  # a Redis lock expires by itself

    @contextlib.asynccontextmanager
    async def claim(self, key: str) -> AsyncIterator[Claim]:
        """The session's live answer: a Redis lock of its own (renewed like the session
        locks, so a dead holder frees it), waited for up to LIVE_WAIT_S, then 409."""
        lock = self.client.lock(
            f"{PREFIX}:live:{key}", timeout=LOCK_TTL_S, sleep=0.1, blocking_timeout=LIVE_WAIT_S
        )
        async with self.reached():
            got = await lock.acquire()
        if not got:
            raise live_busy(key)
        async with self._renewed(lock, key) as lease:
            yield lease  # lease.lost: the socket stops (serve/page.py)

    @contextlib.asynccontextmanager
    async def _renewed(self, lock: Any, key: str) -> AsyncIterator[RedisLease]:
        """An acquired lock, renewed while the block runs, then released."""
        import asyncio

        lease = RedisLease(lock, key)
        renewing = asyncio.create_task(self._renew(lease))
        try:
            yield lease
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            try:
                await lock.release()
            except Exception as exc:  # expired or Redis down: it frees itself
                log.warning("could not release the lock on session %s (%s)", key, exc)

    async def _renew(self, lease: RedisLease) -> None:
        import asyncio

        from redis.exceptions import LockError

        while True:
            await asyncio.sleep(LOCK_TTL_S / 3)
            try:
                await lease.lock.extend(LOCK_TTL_S, replace_ttl=True)
                lease.renewed = time.monotonic()
            except LockError:  # expired, and maybe taken by another request: gone for good
                lease.lost = True
                log.warning("lost the lock on session %s: its request stops", lease.key)
                return
            except Exception as exc:  # Redis unreachable: the lease holds until its TTL
                log.warning("could not renew the lock on session %s (%s)", lease.key, exc)

    async def answered(self, store_id: str) -> int | None:
        async with self.reached():
            raw = await self.client.get(f"{PREFIX}:answered:{store_id}")
        return int(raw) if raw is not None else None

    async def set_answered(self, store_id: str, count: int) -> None:
        await self._quietly(self.client.set, f"{PREFIX}:answered:{store_id}", count, ex=KEEP_S)

    async def tts_owner(self, key: str) -> str | None:
        async with self.reached():
            raw = await self.client.get(f"{PREFIX}:tts:{key}")
        return raw.decode("ascii") if raw is not None else None

    async def remember_tts(self, key: str, store_id: str) -> None:
        await self._quietly(self.client.set, f"{PREFIX}:tts:{key}", store_id, ex=KEEP_S)

    async def _quietly(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        """A write after the work is done: the answer is saved either way, so a failure is
        logged rather than turned into an error the client would retry."""
        try:
            async with self.reached():
                await fn(*args, **kwargs)
        except BusyError as exc:
            log.warning("%s (%s)", exc.message, exc.hint)

    async def check(self) -> str:
        async with self.reached():
            await self.client.ping()
        return "ok"

    async def forget(self, store_id: str) -> None:
        await self._quietly(self.client.delete, f"{PREFIX}:answered:{store_id}")

    async def spend(self, client: str, limit: int) -> float:
        """A sliding window in Redis (its own clock), so every worker and host counts one
        client together. With Redis down the request is let through: the limit protects
        the server, and Redis being down must not lock every client out."""
        from redis.exceptions import RedisError

        if self._spend is None:
            self._spend = self.client.register_script(SPEND)
        try:
            wait = await self._spend(
                keys=[f"{PREFIX}:rate:{client}"], args=[RATE_WINDOW_S, limit, os.urandom(6).hex()]
            )
        except RedisError as exc:
            log.debug("rate limit not checked (%s)", exc)
            return 0.0
        return float(wait)


def engine_for(settings: Settings) -> Engine:
    """The engine with the shared backends that are configured: Azure Blob Storage for
    artifacts, Redis for locks, turn counters and the TTS cache."""
    engine = Engine.local(settings)
    if settings.azure_storage_connection_string:
        engine.artifacts = AzureArtifacts(settings, LocalArtifacts(engine.store))
    if settings.redis_url:
        state = RedisState(settings.redis_url)
        engine.locks = state
        engine.shared = state
    return engine
