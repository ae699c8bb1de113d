"""Capture a real spoken practice session for docs/practice.md.

    .venv/bin/python scripts/capture_practice.py > /tmp/practice.txt

The session runs in tmux (a real terminal, so the live display is what a user sees) with
the virtual microphone the tests use (tests/vmic.py); espeak-ng answers the question and
the follow-up. Prints the terminal while the first answer is recorded, then at the end.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.vmic import VirtualMic  # noqa: E402

CLI = ROOT / ".venv" / "bin" / "interviewsense"
ANSWERS = (
    "So, um, last year I led the move of our billing service to a new platform. The old "
    "system failed every week, so I planned the move in three phases and, you know, we "
    "finished two weeks early.",
    "I measured it with the weekly failure count, which dropped from 6 to 0.",
)
SESSION = "capture"


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, check=True)
    return done.stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-J", "-S", "-300", "-t", SESSION)


def wait_for(predicate: str, after: int = 0, timeout: float = 180) -> str:
    """Wait until ``predicate`` shows up in the terminal past character ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = screen()
        if predicate in text[after:]:
            return text
        time.sleep(0.2)
    sys.exit(f"gave up waiting for {predicate!r}:\n{screen()}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, VirtualMic() as mic:
        work = Path(tmp)
        wavs = []
        for i, text in enumerate(ANSWERS, 1):
            wav = work / f"answer{i}.wav"
            subprocess.run(["espeak-ng", "-v", "en", "-s", "160", "-w", str(wav), text], check=True)
            wavs.append(wav)
        env = {
            "XDG_RUNTIME_DIR": mic.env["XDG_RUNTIME_DIR"],
            "INTERVIEWSENSE_HOME": str(work / "home"),
            "INTERVIEWSENSE_OFFLINE": "1",
            "INTERVIEWSENSE_LLM": "off",
        }
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"env {assignments} {CLI} practice -n 1 --no-voice; sleep 3600"
        tmux("new-session", "-d", "-s", SESSION, "-x", "92", "-y", "60", command)
        try:
            wait_for("listening")
            mic.play(wavs[0])
            time.sleep(7)
            during = screen()
            text = wait_for("Follow-up")
            start = text.index("Follow-up")
            wait_for("listening", after=start)
            mic.play(wavs[1])
            end = wait_for("to see it again", timeout=240)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    print("=== while answering ===")
    print(during.rstrip())
    print("=== at the end ===")
    print(end.rstrip())


if __name__ == "__main__":
    main()
