"""Starting and stopping the real servers the tests use (Azurite, redis-server, llama.cpp,
interviewsense serve): one wait-until-up loop and one polite stop."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self


def wait_until_up(
    proc: subprocess.Popen[bytes], ready: Callable[[], bool], what: str, timeout_s: float
) -> None:
    """Poll ``ready`` until it says yes; fail at once if ``proc`` exits, or after
    ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited at start (code {proc.returncode})")
        if ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {timeout_s:.0f} s")


def stop_process(proc: subprocess.Popen[bytes] | None, grace_s: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``grace_s``."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class LocalServer:
    """A real server on a free loopback port that keeps its data in a temporary folder, so
    a test can kill it and start it again on the same port with its data (Azurite,
    redis-server). A subclass gives its ``command`` and its ``ready`` probe."""

    name = "server"
    start_timeout_s = 30.0

    def __init__(self, prefix: str) -> None:
        from tests.llm_server import free_port

        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix=prefix))
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        """Whether the port answers; a subclass may ask more of it."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> Self:
        """Start (or restart) on the same port and data folder."""
        from tests.isolation import clean_environ

        if self.running:
            return self
        self._proc = subprocess.Popen(
            self.command(), env=clean_environ(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until_up(self._proc, self.ready, self.name, self.start_timeout_s)
        return self

    def kill(self) -> None:
        """Die at once, as a crash would (the data folder stays)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.data, ignore_errors=True)
