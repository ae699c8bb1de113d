"""Regenerate the example report in docs/: ``make docs-example``.

A scripted answer (fillers, a 3 s pause, numbers) is spoken by espeak-ng, finalized into
a throw-away data folder, and its report written as docs/example-report.html and .md; the
HTML is then photographed by headless Chromium into docs/example-report.png.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import chromium_screenshot_command  # noqa: E402

DOCS = ROOT / "docs"
CLI = ROOT / ".venv" / "bin" / "interviewsense"
QUESTION = "Tell me about a project you led from start to finish."
SCRIPT = (
    "<speak>So, um, last year I led the move of our billing service to a new platform. "
    "The old system failed every week, and, you know, customers were angry. "
    '<break time="3s"/> I was responsible for the plan, so I split the move into three '
    "phases and I wrote the runbook. Uh, in the end we finished two weeks early, and "
    "failures dropped by ninety percent.</speak>"
)


def run(*args: str | Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{Path(str(args[0])).name} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    espeak = shutil.which("espeak-ng")
    if chromium is None or espeak is None or not CLI.exists():
        sys.exit("needs chromium, espeak-ng and the .venv: run 'make install-test' first")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, INTERVIEWSENSE_HOME=str(work / "home"), INTERVIEWSENSE_OFFLINE="1")
        for secret in ("OPENAI_API_KEY", "AZURE_STORAGE_CONNECTION_STRING"):
            env.pop(secret, None)  # the example uses the offline path only
        wav = work / "answer.wav"
        run(espeak, "-v", "en", "-s", "160", "-m", "-w", wav, SCRIPT, env=env)
        answer = json.loads(run(CLI, "finalize", wav, "-q", QUESTION, "--json", env=env))
        sid = answer["session_id"]
        for fmt in ("html", "md"):
            out = DOCS / f"example-report.{fmt}"
            run(CLI, "sessions", "report", sid, "-f", fmt, "-o", out, env=env)
            print(f"wrote {out.relative_to(ROOT)}")
        png = DOCS / "example-report.png"
        page = DOCS / "example-report.html"
        run(
            *chromium_screenshot_command(chromium, page, png, work / "profile", (980, 2300)),
            env=env,
        )
        print(f"wrote {png.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
