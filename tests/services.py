"""Starting and stopping the real servers the tests use (Azurite, redis-server, llama.cpp,
interviewsense serve): one wait-until-up loop and one polite stop."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable


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
