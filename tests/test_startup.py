"""`interviewsense --help` stays fast: no heavy library is imported to show it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "numpy",
    "faster_whisper",
    "ctranslate2",
    "vosk",
    "openai",
    "azure",
    "sounddevice",
    "pyttsx3",
    "parselmouth",
    "av",
    "matplotlib",
    "httpx",
    "pydantic",
)


def test_cli_import_pulls_in_no_heavy_library() -> None:
    code = (
        "import sys, interviewsense.cli\n"
        f"bad = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"


def test_help_runs_and_lists_the_commands() -> None:
    code = (
        "import sys\n"
        "from interviewsense.cli import main\n"
        "sys.argv = ['interviewsense', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for command in ("finalize", "models", "doctor"):
        assert command in out.stdout
    assert out.stdout.strip().endswith("HEAVY:")


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "interviewsense", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.startswith("interviewsense ")
