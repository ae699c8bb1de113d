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

import ctypes
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from tests.isolation import subprocess_env

MARK = "early"
LOWEST = 19  # nice(1)'s lowest priority: the command runs only when a core is otherwise idle
_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when the one that started it dies


def _die_with_pytest() -> None:
    """In the command, before it runs: killed when pytest dies, however it dies (a cancelled
    CI job's SIGKILL runs no hook of ours)."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


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
    if mark is None:
        return None
    if len(mark.args) != 1 or isinstance(mark.args[0], str | bytes):
        raise pytest.UsageError(f"{item.nodeid}: write @pytest.mark.{MARK}([program, arg, ...])")
    return [str(a) for a in mark.args[0]]


def last(items: list[pytest.Item]) -> None:
    """Move the early tests to the end, keeping both groups' order: their commands then have
    the whole run to finish in. Called once the run's order is final (after ``--ff`` and
    ``--nf`` have had their say)."""
    items[:] = [i for i in items if argv_of(i) is None] + [i for i in items if argv_of(i)]


def start(items: Iterable[pytest.Item], workdir: Path) -> None:
    """Start each early test's command, isolated as a test is (tests/isolation.py: no
    variable of the developer's, no config file, a data folder and working folder of its
    own), in a process group of its own (killed whole) but pytest's session, where nice
    counts (a new session is a CPU group of its own under the kernel's autogroup, and would
    compete with the tests as an equal)."""
    for n, item in enumerate(items):
        argv = argv_of(item)
        if argv is None or item.nodeid in _RUNS:
            continue
        here = workdir / f"early-{n}"
        (here / "home").mkdir(parents=True)
        out = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            ["nice", "-n", str(LOWEST), *argv], stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=here, env=subprocess_env(here / "home"),
            process_group=0, preexec_fn=_die_with_pytest,
        )  # fmt: skip
        _RUNS[item.nodeid] = Run(argv, proc, out)


def result(item: pytest.Item, timeout: float) -> subprocess.CompletedProcess[str]:
    """The test's command's result; run now, in the foreground, when it was not started
    early (a test run on its own by node id still goes through ``start``)."""
    run = _RUNS.get(item.nodeid)
    if run is None:
        argv = argv_of(item)
        assert argv is not None, f"{item.nodeid} has no @pytest.mark.{MARK}(argv)"
        done = subprocess.run(argv, capture_output=True, timeout=timeout)
        text = (done.stdout + done.stderr).decode("utf-8", "replace")
        return subprocess.CompletedProcess(argv, done.returncode, text, "")
    return run.result(timeout)


def stop_all() -> None:
    """Kill what is still running (an interrupted or failed-early run)."""
    for run in _RUNS.values():
        run.kill()
        run.out.close()
    _RUNS.clear()
