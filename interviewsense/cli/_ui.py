"""A rich ``Reporter``: spinners and progress bars on stderr, plain lines when not a terminal."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from interviewsense.progress import Advance


class RichReporter:
    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.notices: list[str] = []

    @contextlib.contextmanager
    def status(self, message: str) -> Iterator[None]:
        if self.quiet or not self.console.is_terminal:
            yield
            return
        with self.console.status(message, spinner="dots"):
            yield

    @contextlib.contextmanager
    def progress(self, description: str, total: float | None, unit: str = "") -> Iterator[Advance]:
        if self.quiet or not self.console.is_terminal:
            yield lambda done: None
            return
        size = (
            DownloadColumn()
            if unit == "B"
            else TextColumn("{task.completed:.0f}/{task.total:.0f} " + unit if total else "")
        )
        columns = [
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            size,
            TimeRemainingColumn(),
        ]
        with Progress(*columns, console=self.console, transient=True) as bar:
            task = bar.add_task(description, total=total)

            def advance(done: float) -> None:
                bar.update(task, completed=done if total is None else min(done, total))

            yield advance

    def notice(self, message: str) -> None:
        if message in self.notices:
            return
        self.notices.append(message)
        self.console.print(f"[yellow]note:[/] {escape(message)}", soft_wrap=True)
