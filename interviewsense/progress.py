"""How flows report progress without knowing about the terminal.

The CLI passes a rich-backed ``Reporter`` (``JsonLines`` for scripts); tests and library
users can pass ``Quiet``.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import IO, Protocol

from interviewsense.fsutil import to_devnull

Advance = Callable[[float], None]  # set the amount done so far


class Reporter(Protocol):
    def status(self, message: str) -> contextlib.AbstractContextManager[None]:
        """A spinner with ``message`` while the block runs."""
        ...

    def progress(
        self, description: str, total: float | None, unit: str = ""
    ) -> contextlib.AbstractContextManager[Advance]:
        """A progress bar; call the yielded function with the amount done."""
        ...

    def notice(self, message: str) -> None:
        """A one-line notice (a fallback taken, a setting missing)."""
        ...


class Quiet:
    """A reporter that shows nothing but remembers the notices."""

    def __init__(self) -> None:
        self.notices: list[str] = []

    @contextlib.contextmanager
    def status(self, message: str) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def progress(self, description: str, total: float | None, unit: str = "") -> Iterator[Advance]:
        yield lambda done: None

    def notice(self, message: str) -> None:
        self.notices.append(message)


class JsonLines:
    """A reporter for scripts (``--json``): one JSON object per event on ``stream`` (stderr),
    progress at most ``every_s`` apart plus the last one: ``{"event": "progress", "what",
    "done", "total", "unit", "elapsed_s", "eta_s"}``, ``{"event": "status" | "notice",
    "message"}``."""

    def __init__(self, stream: IO[str], every_s: float = 0.5) -> None:
        self.stream = stream
        self.every_s = every_s
        self.gone = False  # nobody reads the stream any more

    def _emit(self, **event: object) -> None:
        if self.gone:
            return
        try:
            self.stream.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.stream.flush()
        except BrokenPipeError:  # the reader left (``2> >(head -1)``): the work goes on
            self.gone = True
            with contextlib.suppress(OSError):
                to_devnull(self.stream)

    @contextlib.contextmanager
    def status(self, message: str) -> Iterator[None]:
        self._emit(event="status", message=message)
        yield

    @contextlib.contextmanager
    def progress(self, description: str, total: float | None, unit: str = "") -> Iterator[Advance]:
        start = last = time.monotonic()
        done_so_far = [0.0]
        shown: list[float] = []

        def emit(done: float) -> None:
            shown[:] = [done]
            elapsed = time.monotonic() - start
            eta = (total - done) * elapsed / done if total and done else None
            self._emit(
                event="progress",
                what=description,
                done=done,
                total=total,
                unit=unit,
                elapsed_s=round(elapsed, 2),
                eta_s=None if eta is None else round(eta, 1),
            )

        def advance(done: float) -> None:
            nonlocal last
            done_so_far[0] = done
            now = time.monotonic()
            if now - last >= self.every_s or (total is not None and done >= total):
                last = now
                emit(done)

        yield advance
        if shown != done_so_far:
            emit(done_so_far[0])

    def notice(self, message: str) -> None:
        self._emit(event="notice", message=message)
