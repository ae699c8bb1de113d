"""Errors as HTTP answers: one table from our error classes to statuses, one JSON shape.

Every error the API returns is ``{"error": ..., "hint": ...}``; secrets are scrubbed from
both, and nothing from the request body is echoed back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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
)

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

log = logging.getLogger("interviewsense.serve")


class UnauthorizedError(InterviewSenseError):
    """No bearer token, or the wrong one."""


class TooLargeError(BadInputError):
    """A request body over the upload limit."""


class UnsupportedMediaError(BadInputError):
    """A body in a format we do not read."""


class BusyError(ServiceError):
    """Every worker is busy and the queue is full: try again shortly."""

    retry_after_s = 5


# The first class an error is an instance of gives its status: subclasses before bases.
STATUS: tuple[tuple[type[InterviewSenseError], int], ...] = (
    (UnauthorizedError, 401),
    (RefusedAddressError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (TooLargeError, 413),
    (UnsupportedMediaError, 415),
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


def status_for(exc: InterviewSenseError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def error_response(
    status: int,
    message: str,
    hint: str | None,
    scrub: Callable[[str], str],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    from fastapi.responses import JSONResponse

    body = {"error": scrub(message), "hint": scrub(hint or "")}
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI, scrub: Callable[[str], str]) -> None:
    """Register the handlers that turn every error into ``{error, hint}``."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def ours(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InterviewSenseError)
        status = status_for(exc)
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, BusyError) else None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return error_response(status, exc.message, exc.hint, scrub, headers)

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = []
        for err in exc.errors()[:5]:  # the location and the rule, never the value sent
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
        return error_response(
            exc.status_code, str(exc.detail), HTTP_HINTS.get(exc.status_code, ""), scrub
        )

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
        Exception: unexpected,
    }
    for cls, handler in handlers.items():
        app.add_exception_handler(cls, handler)
