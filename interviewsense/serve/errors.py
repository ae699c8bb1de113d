"""Errors as HTTP answers: one table from our error classes to statuses, one JSON shape.

Every error the API returns is ``{"error": ..., "hint": ...}``; secrets are scrubbed from
both, and nothing from the request body is echoed back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewsense.errors import (
    BadInputError,
    ConflictError,
    Interrupted,
    InterviewSenseError,
    MissingDependencyError,
    NotFoundError,
    RefusedAddressError,
    ServiceError,
    StorageError,
    TooLongError,
)

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    from interviewsense.config import Settings

log = logging.getLogger("interviewsense.serve")


class UnauthorizedError(InterviewSenseError):
    """No bearer token, or the wrong one."""


class ForbiddenError(InterviewSenseError):
    """A request this server refuses whoever sends it (a socket from another site's page)."""


class InvalidFieldError(BadInputError):
    """A field that fails the route's schema where FastAPI does not check it (a socket's
    query): the same 422 as the fields it does check."""


class TooLargeError(BadInputError):
    """A request body over the upload limit."""


class UnsupportedMediaError(BadInputError):
    """A body in a format we do not read."""


class LiveBusyError(ConflictError):
    """Another live socket is recording the answer to this session's question."""


class BusyError(ServiceError):
    """Every worker is busy and the queue is full: try again shortly."""

    retry_after_s = 5


# The first class an error is an instance of gives its status: subclasses before bases.
STATUS: tuple[tuple[type[InterviewSenseError], int], ...] = (
    (UnauthorizedError, 401),
    (RefusedAddressError, 403),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (TooLargeError, 413),
    (TooLongError, 413),
    (UnsupportedMediaError, 415),
    (InvalidFieldError, 422),
    (BusyError, 503),
    (MissingDependencyError, 503),
    (Interrupted, 503),
    (ServiceError, 502),  # a web server or LLM behind us failed
    (StorageError, 500),
    (BadInputError, 400),
    (InterviewSenseError, 400),
)

HTTP_HINTS = {
    404: "see /docs for the routes",
    405: "see /docs for the methods each route takes",
}
# What to do, for an error raised without a hint (every error carries one).
HINTS = {
    400: "see /docs for what this route takes",
    404: "GET /v1/sessions?user_id=… lists a user's sessions; /docs lists the routes",
    409: "GET /v1/sessions/{id} shows the question waiting (its turn)",
    413: "send less",
    415: "see /docs for the formats this route takes",
    500: "try again; if it persists, the server log says more",
    502: "try again in a while",
    503: "try again in a few seconds",
}
# Starlette's and FastAPI's own messages, said in our words.
HTTP_MESSAGES = {
    "There was an error parsing the body": (
        "the request body could not be read as JSON (it must be UTF-8, not nested deeper "
        "than a few levels, with no number over 4,300 digits)",
        "send a JSON object with the fields /docs shows for this route",
    ),
}


def allowed_methods(request: Request) -> str | None:
    """For Starlette's 405 (no route at the path takes the method): the methods of every
    route at the path, as an Allow header says them (HEAD wherever GET is: Starlette
    answers it). None when a route took the request and answered 405 itself."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in getattr(request.app.state, "http_routes", request.app.routes):
        if not hasattr(route, "methods"):
            continue  # an included router (its routes are listed), the static files
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return None
        if match == Match.PARTIAL:
            if getattr(route, "endpoint", None).__name__ == "post_only":  # type: ignore[union-attr]
                return "POST"  # the path is a POST route's; a session's routes are hidden
            methods |= set(route.methods or ())
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods)) or None


# Hints the shared code writes for the command line, said as an API client can act on them.
CLI_HINTS = {
    "'interviewsense sessions list' shows them": "GET /v1/sessions?user_id=… lists them",
    "check the link and your connection, or download the file and pass its path": (
        "check the link, or download the file and upload it (multipart 'audio')"
    ),
    "'interviewsense sessions repair' rebuilds it from the audio": (
        "the server's operator can rebuild it ('interviewsense sessions repair')"
    ),
    "'interviewsense sessions repair' rebuilds it from what is left": (
        "the server's operator can rebuild it ('interviewsense sessions repair')"
    ),
}


def for_clients(hint: str) -> str:
    for cli, api in CLI_HINTS.items():
        hint = hint.replace(cli, api)
    return hint


def hint_for(status: int, hint: str | None) -> str:
    """The error's own hint, else what to do about any error of its status."""
    return hint or HINTS.get(status, "see /docs for the routes and what each takes")


def scrubber(settings: Settings) -> Callable[[str], str]:
    """What makes an error message safe to send: secrets masked, and the server's own files
    (anything under INTERVIEWSENSE_HOME) named for what they are ("the uploaded file", "the
    recording of answer 1"), never by their path."""
    known = [s for s in settings.secrets() if len(s) >= 4]
    paths = _path_namer(settings.home)

    def scrub(text: str) -> str:
        for secret in known:
            text = text.replace(secret, "***")
        return paths(text)

    return scrub


_ANSWER_WAV = re.compile(r"^audio/a(\d{2,3})\.wav$")


def _path_namer(home: Path) -> Callable[[str], str]:
    homes = [home.absolute()]
    try:
        homes.append(home.resolve())
    except (OSError, RuntimeError):
        pass
    roots = {str(h).rstrip("/\\") for h in homes}
    alternatives = "|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True) if r)
    if not alternatives:  # the home folder is the file system's root: nothing to tell apart
        return lambda text: text
    # The home folder as a whole path (not inside a longer one), then maybe a path below
    # it, up to a space, a quote or punctuation.
    found = re.compile(
        rf"(?<![^\s'\"(])(?:{alternatives})(?![^/\\\s'\"(),;:])([/\\][^\s'\"(),;:]*)?"
    )

    def name(match: re.Match[str]) -> str:
        rest = (match.group(1) or "").replace("\\", "/").strip("/")
        dot = "." if rest.endswith(".") else ""
        return _file_name(rest.rstrip(".")) + dot

    return lambda text: found.sub(name, text)


def _file_name(rel: str) -> str:
    """A file under the home folder (``rel``), named for a client."""
    parts = rel.split("/")
    if len(parts) == 1:
        return {"": "the server's data folder", "sessions": "the server's session folder"}.get(
            rel, "a folder of the server"
        )
    if parts[:2] == ["cache", "uploads"] and len(parts) > 2:
        return "the uploaded file"
    if parts[:2] == ["cache", "downloads"] and len(parts) > 2:
        return "the downloaded file"
    if parts[0] == "sessions" and len(parts) == 2:
        return "the session's folder"
    if parts[0] == "sessions":
        inner = "/".join(parts[2:])
        answer = _ANSWER_WAV.match(inner)
        if answer:
            return f"the recording of answer {int(answer.group(1))}"
        return f"the session's {inner}"
    return "a file of the server"


def event_of(exc: InterviewSenseError, scrub: Callable[[str], str]) -> dict[str, Any]:
    """An error as the live socket sends it: the ``{error, hint}`` of the HTTP answers and
    its ``status`` (``busy`` when another connection holds the answer: worth a retry)."""
    status = status_for(exc)
    event: dict[str, Any] = {
        "type": "error",
        "error": scrub(exc.message),
        "hint": scrub(hint_for(status, exc.hint)),
        "status": status,
    }
    if isinstance(exc, LiveBusyError):
        event["busy"] = True
    return event


def status_for(exc: InterviewSenseError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type", "model_type"})
CLIENT_CLOSED = 499  # the status logged for a request whose client left before its body did


def error_response(
    status: int,
    message: str,
    hint: str | None,
    scrub: Callable[[str], str],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    from fastapi.responses import JSONResponse

    body = {"error": scrub(message), "hint": scrub(for_clients(hint_for(status, hint)))}
    return JSONResponse(body, status_code=status, headers=headers)


def is_json(kind: str) -> bool:
    """A media type JSON is sent as: application/json, or a +json one."""
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def install(app: FastAPI, scrub: Callable[[str], str]) -> None:
    """Register the handlers that turn every error into ``{error, hint}``."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException
    from starlette.requests import ClientDisconnect

    async def ours(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InterviewSenseError)
        status = status_for(exc)
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, BusyError) else None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return error_response(status, exc.message, exc.hint, scrub, headers)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if (
            kind
            and not is_json(kind)
            and any(
                tuple(e.get("loc", ())) == ("body",) and e.get("type") in NOT_AN_OBJECT
                for e in exc.errors()
            )
        ):  # a form or text sent where JSON goes: the type is wrong, not a field (a review)
            return error_response(
                415,
                f"this route takes a JSON object, not {kind[:60]}",
                "send it as application/json",
                scrub,
            )
        problems = []
        for err in exc.errors()[:5]:  # the location and the rule, never the value sent
            if err.get("type") == "json_invalid":  # FastAPI's loc is a character offset
                problems.append("the body is not valid JSON")
                continue
            if tuple(err.get("loc", ())) == ("body",) and err.get("type") in NOT_AN_OBJECT:
                # QA: a form or text body read "Input should be a valid dictionary or object
                # to extract fields from"
                problems.append("the body is not a JSON object (send one, as application/json)")
                continue
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return error_response(
            422,
            "invalid request: " + "; ".join(problems),
            "see /docs for the fields each route takes",
            scrub,
        )

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        message, hint = HTTP_MESSAGES.get(
            str(exc.detail), (str(exc.detail), HTTP_HINTS.get(exc.status_code, ""))
        )
        # Starlette's own headers go along: a 405 says which methods the route takes (Allow),
        # of every route at that path (Starlette names only the first one's).
        headers = dict(exc.headers) if exc.headers else None
        allow = allowed_methods(request) if exc.status_code == 405 else None
        if allow:
            headers = {**(headers or {}), "Allow": allow}
        return error_response(exc.status_code, message, hint, scrub, headers)

    async def gone(request: Request, exc: Exception) -> JSONResponse:
        # The client went away mid-body (a phone losing signal): its fault, no server error,
        # and no one to read the reply. Logged as 499 (nginx's "client closed request").
        rid = request.scope.get("state", {}).get("request_id", "")
        log.info("request %s: the client closed the connection before its body was in", rid)
        return error_response(
            CLIENT_CLOSED, "the connection closed before the request's body arrived",
            "send it again", scrub,
        )  # fmt: skip

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = request.scope.get("state", {}).get("request_id", "")
        log.error("request %s failed: %s", rid, type(exc).__name__, exc_info=exc)
        return error_response(
            500, f"unexpected {type(exc).__name__}", f"the server log has it (request {rid})", scrub
        )

    handlers: dict[Any, Any] = {
        InterviewSenseError: ours,
        RequestValidationError: invalid,
        HTTPException: http,
        ClientDisconnect: gone,  # not under Exception: that handler's errors are raised again
        Exception: unexpected,
    }
    for cls, handler in handlers.items():
        app.add_exception_handler(cls, handler)
