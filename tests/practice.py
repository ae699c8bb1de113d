"""The command line as a user runs it, in a subprocess: ``interviewsense practice`` fed by
stdin or by the virtual microphone (tests/vmic.py), and any other command.

Build the environment with ``practice_env`` (tests/isolation.py): a practice session then sees
its own data folder and nothing of the developer's settings. Starting a practice session is
a slow test (conftest.py checks the mark).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests import speech
from tests.isolation import subprocess_env
from tests.vmic import VirtualMic


def command(*args: str) -> list[str]:
    """``interviewsense ARGS`` with this interpreter (so PYTHONPATH's tree is the one run)."""
    return [sys.executable, "-m", "interviewsense", *args]


def wav_seconds(path: Path) -> float:
    samples, rate = speech.read_wav(path)
    return len(samples) / rate


class Run:
    """A practice subprocess whose stderr is read line by line; answers are played into the
    microphone each time it starts listening."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str],
        mic: VirtualMic | None,
        answers: list[Path],
        stdin: str | None = None,
    ) -> None:
        self.lines: list[str] = []
        self.stamps: list[tuple[float, str]] = []  # each line with when it arrived
        self.listening = threading.Event()
        self.mic = mic
        self.answers = list(answers)
        self.played: list[Path] = []
        self.proc = subprocess.Popen(
            command("practice", *args),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if stdin is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.write(stdin)
            self.proc.stdin.close()
        self._out: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stdout = threading.Thread(target=self._read_stdout, daemon=True)
        self._stdout.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        self._out.append(self.proc.stdout.read())

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            self.stamps.append((time.monotonic(), line.rstrip("\n")))
            if line.startswith("listening"):
                self.listening.set()
                if self.mic is not None and self.answers:
                    wav = self.answers.pop(0)
                    self.played.append(wav)
                    self.mic.play(wav)

    def finish(self, timeout: float = 240) -> tuple[int, Any]:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError("practice did not finish:\n" + self.stderr) from None
        self._reader.join(timeout=10)
        self._stdout.join(timeout=10)
        if self.mic is not None:
            self.mic.quiet()
        out = "".join(self._out)
        data = json.loads(out) if out.strip() else None
        return self.proc.returncode, data

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)


def run_practice(env: dict[str, str], *args: str, stdin: str) -> tuple[int, Any, str]:
    """A typed practice session (``--keyboard --no-voice --json``) run to its end."""
    proc = subprocess.run(
        command("practice", "--keyboard", "--no-voice", "--json", *args),
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    data = json.loads(proc.stdout) if proc.stdout.strip() else None
    return proc.returncode, data, proc.stderr


def start_practice(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """A silent (``--no-voice``) practice session, left running."""
    return subprocess.Popen(
        command("practice", "--no-voice", *args),
        env=env,
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_listening(proc: subprocess.Popen[str], lines: list[str]) -> float:
    """Read stderr in a thread; return (the time) once the program listens."""
    ready = threading.Event()
    when: list[float] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("listening") and not when:
                when.append(time.monotonic())
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    assert ready.wait(120), "".join(lines)
    return when[0]


def practice_env(home: Path, mic: VirtualMic | None = None, **extra: str) -> dict[str, str]:
    """An isolated environment with the data folder ``home``, hearing ``mic`` if given."""
    return subprocess_env(home, mic.audio_env if mic is not None else None, **extra)
