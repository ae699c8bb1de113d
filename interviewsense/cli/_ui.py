"""A rich ``Reporter``: spinners and progress bars on stderr; when stderr is not a terminal,
progress as a plain line every ``PLAIN_EVERY_S`` and no spinner."""

from __future__ import annotations

import contextlib
import threading
import time
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

PLAIN_EVERY_S = 30.0  # not a terminal (a log file, CI): a progress line at most this often


class RichReporter:
    def __init__(
        self, console: Console, *, quiet: bool = False, plain_every_s: float = PLAIN_EVERY_S
    ) -> None:
        self.console = console
        self.quiet = quiet
        self.plain_every_s = plain_every_s
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
        if self.quiet:
            yield lambda done: None
            return
        if not self.console.is_terminal:
            with self._plain(description, total, unit) as advance:
                yield advance
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

    @contextlib.contextmanager
    def _plain(self, description: str, total: float | None, unit: str) -> Iterator[Advance]:
        """Long work written to a log: a plain line every ``plain_every_s`` ("scoring: 40/200
        answers (20 %), about 3 min left"), and one at the end if any was written. Short work
        writes none."""
        start = last = time.monotonic()
        done_so_far = 0.0
        said = False

        def line(done: float, *, end: bool = False) -> None:
            elapsed = time.monotonic() - start
            if unit == "B":
                amount = f"{done / 1e6:.1f}" + (f"/{total / 1e6:.1f} MB" if total else " MB")
            else:
                amount = f"{done:.0f}" + (f"/{total:.0f}" if total else "") + f" {unit}".rstrip()
            share = f" ({100 * done / total:.0f} %)" if total else ""
            left = ""
            if total and done and not end:
                left = f", about {_duration(elapsed * (total - done) / done)} left"
            took = f", in {_duration(elapsed)}" if end else ""
            self.console.print(
                f"{escape(description)}: {amount}{share}{left}{took}",
                soft_wrap=True,
                highlight=False,
            )

        lock = threading.Lock()

        def tick(done: float | None) -> None:
            nonlocal last, done_so_far, said
            with lock:
                done_so_far = done_so_far if done is None else done
                now = time.monotonic()
                if now - last >= self.plain_every_s:
                    last, said = now, True
                    line(done_so_far)

        # A line comes on time even while one long step gives no news (a review: a batch of
        # one 12-minute recording wrote nothing for 10 minutes).
        stop = threading.Event()

        def ticker() -> None:
            while not stop.wait(self.plain_every_s / 4):
                tick(None)

        thread = threading.Thread(target=ticker, name="progress-lines", daemon=True)
        if self.plain_every_s >= 1.0:  # under it, each advance writes its own line
            thread.start()
        try:
            yield lambda done: tick(done)
        finally:
            stop.set()
            if thread.is_alive():
                thread.join()
        if said:
            line(done_so_far, end=True)

    def notice(self, message: str) -> None:
        if message in self.notices:
            return
        self.notices.append(message)
        self.console.print(f"[yellow]note:[/] {escape(message)}", soft_wrap=True)


def _duration(seconds: float) -> str:
    """ "45 s", "3 min", "1 h 05 min"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
