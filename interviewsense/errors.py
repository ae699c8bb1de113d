"""Errors a person can act on: each carries a one-line message, a hint and an exit code."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from enum import IntEnum

# Where a person reports a bug; the one-line message of an unexpected error names it.
REPORT_URL = "https://github.com/interviewsense/interviewsense/issues"


class ExitCode(IntEnum):
    """Process exit codes; part of the public contract (see ARCHITECTURE.md and the table in
    docs/configuration.md, which tests/test_errors.py checks against this enum)."""

    OK = 0
    BAD_INPUT = 1
    USAGE = 2
    PARTIAL = 3
    MISSING = 4
    SERVICE = 5
    BUG = 70  # sysexits' EX_SOFTWARE: an exception we did not expect, so a bug of ours
    INTERRUPTED = 130


class InterviewSenseError(Exception):
    """Base of every error we raise on purpose: what went wrong, and what to do."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class BadInputError(InterviewSenseError):
    """The user gave us something we cannot use (a file, a URL, an option value)."""


class TooLongError(BadInputError):
    """A recording longer than the decoding limit (``Settings.max_audio_min``)."""


class NotFoundError(BadInputError):
    """What the user named (a session, a file) does not exist."""


class RefusedAddressError(BadInputError):
    """A URL whose host is an address this server may not fetch from (the web API refuses
    private, loopback and link-local ones: audio/addresses.py)."""


class ConflictError(BadInputError):
    """The request does not fit the current state (a question already answered, an id taken)."""


class MissingDependencyError(InterviewSenseError):
    """A model, a library or a device the command needs is not there."""

    exit_code = ExitCode.MISSING


class ServiceError(InterviewSenseError):
    """An external service (LLM server, storage, web server) failed."""

    exit_code = ExitCode.SERVICE


class PartialFailure(InterviewSenseError):
    """Some items of a run failed and the rest are done (batch); the results are written."""

    exit_code = ExitCode.PARTIAL


class CheckFailed(InterviewSenseError):
    """A check the user asked for found a problem (``sync --check``: files differ)."""


class StorageError(InterviewSenseError):
    """Local storage failed: a full disk, a permission, a damaged file."""


class Interrupted(InterviewSenseError):
    """The user stopped the command (Ctrl-C or SIGTERM); state has been saved."""

    exit_code = ExitCode.INTERRUPTED


@contextlib.contextmanager
def named(path: str, name: str) -> Iterator[None]:
    """Errors raised in the block say ``name`` where they said ``path`` (a file of the
    client's that the server resolved or downloaded: the client knows it by ``name``)."""
    try:
        yield
    except InterviewSenseError as exc:
        if path:
            exc.message = exc.message.replace(path, name)
            exc.hint = exc.hint.replace(path, name) if exc.hint else exc.hint
        raise
