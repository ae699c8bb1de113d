"""Slow checks that only read, started in the background when the run is collected.

A test marked ``@pytest.mark.early(argv)`` is a command whose exit code and output it
checks, and nothing it runs depends on the rest of the run (retraining the coach model from
the splits and comparing it with the shipped file, say). conftest.py starts each such command
as soon as the run's tests are known, at the lowest CPU priority, so it uses the time the
other tests leave a core idle (waiting on real-time audio, a browser, a server) and never
takes it from them; the test itself is moved to the end of the run and waits for the
command's result. Most of the suite waits on real time: its CPU use averages one core of two.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import pytest

MARK = "early"
LOWEST = 19  # nice(1)'s lowest priority: the command runs only when a core is otherwise idle


@dataclass
class Run:
    argv: list[str]
    proc: subprocess.Popen[bytes]
    out: IO[bytes]

    def result(self, timeout: float) -> subprocess.CompletedProcess[str]:
        """The command's exit code and output, waiting up to ``timeout`` seconds more."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self.out.seek(0)
        text = self.out.read().decode("utf-8", "replace")
        return subprocess.CompletedProcess(self.argv, self.proc.returncode, text, "")

    def kill(self) -> None:
        """The command and the processes it started (a pool of workers, say)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


_RUNS: dict[str, Run] = {}


def argv_of(item: pytest.Item) -> list[str] | None:
    mark = item.get_closest_marker(MARK)
    return None if mark is None else [str(a) for a in mark.args[0]]


def last(items: list[pytest.Item]) -> None:
    """Move the early tests to the end, keeping both groups' order: their commands then have
    the whole run to finish in."""
    items[:] = [i for i in items if argv_of(i) is None] + [i for i in items if argv_of(i)]


def start(items: Iterable[pytest.Item]) -> None:
    for item in items:
        argv = argv_of(item)
        if argv is None or item.nodeid in _RUNS:
            continue
        out = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            ["nice", "-n", str(LOWEST), *argv], stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        _RUNS[item.nodeid] = Run(argv, proc, out)


def result(item: pytest.Item, timeout: float) -> subprocess.CompletedProcess[str]:
    """The test's command's result; run now, in the foreground, when it was not started
    early (a test run on its own by node id still goes through ``start``)."""
    run = _RUNS.get(item.nodeid)
    if run is None:
        argv = argv_of(item)
        assert argv is not None, f"{item.nodeid} has no @pytest.mark.{MARK}(argv)"
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        return subprocess.CompletedProcess(argv, done.returncode, done.stdout + done.stderr, "")
    return run.result(timeout)


def stop_all() -> None:
    """Kill what is still running (an interrupted or failed-early run)."""
    for run in _RUNS.values():
        run.kill()
        run.out.close()
    _RUNS.clear()
