"""The app factory: settings, the engine (Whisper loaded once per worker), the routes, the
error handlers, and one middleware for request ids, the bearer token, the body limit and
the access log."""

from __future__ import annotations

import contextlib
import logging
import math
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from interviewsense.config import Settings, load_settings
from interviewsense.errors import InterviewSenseError
from interviewsense.serve.backends import engine_for
from interviewsense.serve.errors import TooLargeError, error_response, install, scrubber
from interviewsense.serve.security import (
    LINKED_FORMAT,
    bearer_ok,
    foreign_origin,
    report_access_ok,
)
from interviewsense.serve.state import SharedState, sweep_dead

if TYPE_CHECKING:
    from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access = logging.getLogger("interviewsense.serve.access")
OPEN_PATHS = ("/healthz", "/")  # the page holds no data: it asks for the token itself
STATIC_PREFIX = "/static/"
PROBES = ("/healthz", "/readyz")  # not rate limited: load balancers poll them
MULTIPART_SLACK = 64 * 1024  # form boundaries and headers around an upload at the limit
# Any body but an upload (JSON: a typed answer is at most MAX_TYPED_CHARS, 80 kB of UTF-8):
# a review had 48 MB of JSON parsed on the event loop, every request waiting 3 s behind it.
OTHER_BODY_LIMIT = 1024 * 1024
UPLOAD_TYPES = ("multipart/", "audio/", "application/octet-stream")
_RID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # they change nothing
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(header: str) -> str:
    """The name in a Host header, without its port: "[::1]:8000" and "[::1]" are "::1"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """Pure ASGI, outermost: gives each request an id, refuses a client over the rate
    limit (429) and a missing or wrong bearer token, stops a body over the limit (by its
    Content-Length, or as it streams in), and logs one line per request: id, method,
    route, status, milliseconds. Never a body, a query string or a header value. A
    WebSocket gets the id, the rate limit and the log line too (``_socket``)."""

    def __init__(self, app: ASGIApp, settings: Settings, shared: SharedState) -> None:
        self.app = app
        self.token = settings.api_token
        self.rate_limit = settings.serve_rate_limit
        self.shared = shared
        self.limit = settings.serve_max_upload_mb * 1024 * 1024 + MULTIPART_SLACK
        self.scrub = scrubber(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        rid = _request_id(scope, headers)
        started = time.monotonic()
        method = str(scope.get("method", ""))
        status = 500
        over = False  # the body went over the limit as it streamed in
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        limit = self.limit if kind.startswith(UPLOAD_TYPES) else OTHER_BODY_LIMIT

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        async def send_checked(message: Message) -> None:
            nonlocal over
            if over:  # whatever the route made of the cut body (FastAPI says 400): 413
                if message["type"] == "http.response.start":
                    too_large = error_response(413, *_too_large(limit), self.scrub)
                    await too_large(scope, receive, send_logged)
                return  # the route's own response is dropped
            await send_logged(message)

        def overflowed() -> None:
            nonlocal over
            over = True

        try:
            refusal = await self._limit(scope) or self._refuse(scope, headers, limit)
            if refusal is not None:
                await refusal(scope, receive, send_logged)
                return
            reply: Send = send_checked
            if method == "HEAD":  # every GET route answers HEAD: its headers alone
                scope["method"] = "GET"  # in place: the router notes the route in this scope
                reply = _headers_only(send_checked)
            await self.app(scope, self._limited(receive, overflowed, limit), reply)
        finally:
            _log(scope, rid, method, status, started)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket (the live answer) as an HTTP request: an id, the rate limit (the
        connection counts as one request; over it, the handshake is refused with 429 and
        Retry-After) and one access log line when it ends: ``WS``, the route, 101 if it
        was accepted (else the status the handshake was refused with), milliseconds."""
        rid = _request_id(scope, _headers(scope))
        started = time.monotonic()
        status = 500

        async def send_logged(message: Message) -> None:
            nonlocal status
            kind = message["type"]
            if kind == "websocket.accept":
                status = 101
            elif kind == "websocket.http.response.start":
                status = message["status"]
            elif kind == "websocket.close" and status == 500:
                status = 403  # closed before it was accepted: the handshake is refused
            await send(message)

        try:
            refusal = await self._limit(scope)
            if refusal is not None:
                await refusal(scope, receive, send_logged)
                return
            await self.app(scope, receive, send_logged)
        finally:
            _log(scope, rid, "WS", status, started)

    async def _limit(self, scope: Scope) -> ASGIApp | None:
        """429 for a client address over serve_rate_limit requests in any 60 s (the probes
        are not counted). Checked before the token, so guessing tokens is limited too."""
        if self.rate_limit <= 0 or scope.get("path") in PROBES:
            return None
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = await self.shared.spend(str(client), self.rate_limit)
        if wait <= 0:
            return None
        seconds = max(1, math.ceil(wait))
        return error_response(
            429,
            f"too many requests: over {self.rate_limit} in 60 s from this address",
            f"wait {seconds} s (Retry-After) and slow down",
            self.scrub,
            {"Retry-After": str(seconds)},
        )

    def _refuse(self, scope: Scope, headers: dict[str, str], limit: int) -> ASGIApp | None:
        path = str(scope.get("path", ""))
        host = host_name(headers.get("host", ""))
        if not self.token and host not in LOOPBACK_NAMES:
            # No token means a loopback server: a page elsewhere that rebinds its own name to
            # 127.0.0.1 (DNS rebinding) must not reach it. The name is not echoed.
            port = (scope.get("server") or ("", 8000))[1]
            return error_response(
                421, "this server answers only as localhost or a loopback address",
                f"open it at http://127.0.0.1:{port}, or set INTERVIEWSENSE_API_TOKEN to serve "
                "other names", self.scrub,
            )  # fmt: skip
        if scope.get("method") not in SAFE_METHODS and foreign_origin(
            headers.get("origin"), headers.get("host", "")
        ):
            # A form on any site can post to a local server without asking first (a CORS
            # "simple request"): an answer recorded, or one replaced, in someone's session.
            return error_response(
                403, "this server takes changes from a browser only from its own pages",
                "open the practice page this server serves, or call the API from a script or "
                "a server (they send no Origin)", self.scrub,
            )  # fmt: skip
        if self.token and path not in OPEN_PATHS and not path.startswith(STATIC_PREFIX):
            if not bearer_ok(headers.get("authorization"), self.token) and not self._linked(scope):
                return error_response(
                    401,
                    "missing or wrong bearer token",
                    "send 'Authorization: Bearer <INTERVIEWSENSE_API_TOKEN>'",
                    self.scrub,
                    {"WWW-Authenticate": "Bearer"},
                )
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            return error_response(413, *_too_large(limit), self.scrub)
        return None

    def _linked(self, scope: Scope) -> bool:
        """A GET (or HEAD) of a session's report with a valid ``access`` (``POST …/report/link``
        made it): a new tab cannot send the bearer token."""
        from urllib.parse import parse_qs

        if scope.get("method") not in ("GET", "HEAD"):
            return False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        access = query.get("access", [""])[-1]
        user = query.get("user_id", [""])[-1]
        fmt = query.get("format", [LINKED_FORMAT])[-1]
        path = str(scope.get("path", ""))
        return bool(access) and report_access_ok(self.token, path, user, access, time.time(), fmt)

    def _limited(self, receive: Receive, overflowed: Callable[[], None], limit: int) -> Receive:
        """``receive`` that stops a body at the limit. The error may be caught and turned
        into another status by the framework (FastAPI answers 400 for any failure while it
        reads a JSON body), so ``overflowed`` tells ``__call__`` to answer 413 itself."""
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    overflowed()
                    raise TooLargeError(*_too_large(limit))
            return message

        return wrapped


def _headers_only(send: Send) -> Send:
    """A HEAD answered as the GET it stands for (FastAPI's routes take only the methods they
    name): the body dropped, the headers, Content-Length included, kept."""

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return headers_only


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _request_id(scope: Scope, headers: dict[str, str]) -> str:
    """The client's X-Request-ID if it is a plain token, else a new one; kept in the scope."""
    given = headers.get("x-request-id", "")
    rid = given if _RID.fullmatch(given) else secrets.token_hex(8)
    scope.setdefault("state", {})["request_id"] = rid
    return rid


def _log(scope: Scope, rid: str, method: str, status: int, started: float) -> None:
    """The access log line: id, method, route template (never the query), status, ms. A
    request refused before routing, or matching no route, logs its own path with every
    control character escaped: a line break or an escape code in it would forge log lines
    or repaint the terminal that reads the log."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        path = str(scope.get("path", ""))[:200].encode("unicode_escape").decode("ascii")
    access.info(
        "%s %s %s %d %.0fms", rid, method, path, status, (time.monotonic() - started) * 1000
    )


def _too_large(limit: int) -> tuple[str, str]:
    from interviewsense.scoring.text import MAX_TYPED_CHARS

    if limit == OTHER_BODY_LIMIT:  # an upload's limit is whole MB plus MULTIPART_SLACK
        return (
            f"the request body is over the {OTHER_BODY_LIMIT // (1024 * 1024)} MB limit for "
            "anything but an upload",
            f"send less: a typed answer is at most {MAX_TYPED_CHARS:,} characters; a "
            "recording goes as multipart/form-data",
        )
    mb = (limit - MULTIPART_SLACK) // (1024 * 1024)
    return (
        f"the request body is over the {mb} MB limit",
        "send less: a shorter or compressed recording, or a shorter text "
        "(INTERVIEWSENSE_SERVE_MAX_UPLOAD_MB sets the limit)",
    )


_QUERY = re.compile(r"((?:^|(?<=[\s\"'(]))/[^\s\"'?]*)\?[^\s\"']*")
# uvicorn's loggers (and websockets', which uvicorn hands its own): their lines name the
# request target, query string included ("WebSocket /v1/…/live?token=…" [accepted]).
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "websockets")


class NoQueryString(logging.Filter):
    """Drops the query string from every request target a log line carries: a query may
    hold the live socket's token (``?token=``) or a user's id, and logs keep neither."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(isinstance(a, str) and "?" in a for a in args):
            # uvicorn's "%s - \"WebSocket %s\" …": the target is an argument, its path
            # percent-quoted, so its first "?" starts the query.
            record.args = tuple(
                a.split("?", 1)[0] if isinstance(a, str) and a.startswith("/") else a for a in args
            )
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging reports it, not this filter
            return True
        if "?" in message:
            record.msg, record.args = _QUERY.sub(r"\1", message), ()
        return True


def _no_query_strings() -> None:
    """Put ``NoQueryString`` on uvicorn's loggers and their handlers (the records of any
    logger below them pass those handlers). Called in every worker, after uvicorn has set
    up its logging there; a second call adds nothing."""
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if not any(isinstance(f, NoQueryString) for f in target.filters):
                target.addFilter(NoQueryString())


def _setup_logging() -> None:
    _no_query_strings()
    if not access.handlers and not logging.getLogger("interviewsense").handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        logging.getLogger("interviewsense").addHandler(handler)
        logging.getLogger("interviewsense").setLevel(logging.INFO)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI app (uvicorn calls this in each worker process: ``--factory``)."""
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    from interviewsense.serve.page import STATIC
    from interviewsense.serve.page import router as page_router
    from interviewsense.serve.routes import router

    settings = settings or load_settings()
    _setup_logging()
    engine = engine_for(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        from interviewsense.flows.finalize import load_transcriber
        from interviewsense.progress import Quiet
        from interviewsense.serve.live import warm_up

        for kind in ("uploads", "tts"):  # what a killed worker left behind
            await anyio.to_thread.run_sync(sweep_dead, settings.cache_dir / kind)
        try:  # once per worker, before the first request: answers never wait for it
            engine.transcriber = await anyio.to_thread.run_sync(load_transcriber, settings, Quiet())
        except InterviewSenseError as exc:
            engine.missing = exc  # typed answers still work; /readyz says what is missing
            logging.getLogger("interviewsense.serve").warning("%s (%s)", exc.message, exc.hint)
        try:  # the scorer's models too: the first answer's card is as quick as the next
            await anyio.to_thread.run_sync(warm_up, settings)
        except Exception as exc:  # scoring loads them on first use then
            logging.getLogger("interviewsense.serve").warning("scoring warm-up failed: %r", exc)
        yield
        live = getattr(app.state, "live_recognizer", None)
        if live is not None:  # its passes must end before the process exits
            await anyio.to_thread.run_sync(live.close)

    app = FastAPI(
        title="InterviewSense",
        summary="Spoken mock interviews: questions, Whisper transcripts, scores and feedback.",
        version="1",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.scrub = scrubber(settings)
    install(app, app.state.scrub)
    app.include_router(router)
    app.include_router(page_router)
    # Every HTTP route, in the order they are tried (a 405's Allow names them all: errors.py).
    app.state.http_routes = [*app.routes, *router.routes, *page_router.routes]
    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Guard, settings=settings, shared=engine.shared)
    return app
