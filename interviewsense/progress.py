"""How flows report progress without knowing about the terminal.

The CLI passes a rich-backed ``Reporter``; tests and library users can pass ``Quiet``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Protocol

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
