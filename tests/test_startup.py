"""`interviewsense --help` stays fast: no heavy library is imported to show it."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.cli._app import COMMANDS, build_command

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
    "onnxruntime",
    "interviewsense.audio.turn",  # the Smart Turn model: loaded on the first spoken answer
    "interviewsense.audio.endpoint",
    "tokenizers",
    "fastapi",
    "starlette",
    "uvicorn",
    "multipart",
    "ray",
    "redis",
    "azure",
)


def test_cli_import_pulls_in_no_heavy_library() -> None:
    # Every command module too, built into its Click command, as running one does.
    code = (
        "import sys, interviewsense.cli\n"
        "from interviewsense.cli._app import COMMANDS, build_command\n"
        "for name in COMMANDS:\n    build_command(name)\n"
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
        "print('BUILT:' + ','.join(m for m in sys.modules if m.startswith('interviewsense.cli.')"
        " and not m.startswith('interviewsense.cli._')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    for command in COMMANDS:
        assert any(line.split()[:1] == [command] for line in lines), command
    # The top-level help builds no command: that is what keeps it fast.
    assert lines[-2:] == ["HEAVY:", "BUILT:"]


def test_help_summaries_match_the_commands_own_help() -> None:
    """``COMMANDS`` repeats each command's first help line so --help need not build it."""
    for name, summary in COMMANDS.items():
        command = build_command(name)
        first_paragraph = " ".join((command.help or "").split("\n\n")[0].split())
        assert first_paragraph == summary, name


def test_every_command_runs_from_the_lazy_root() -> None:
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert f"Usage: interviewsense {name} " in result.output
    typo = runner.invoke(app, ["sesions", "list"])
    assert typo.exit_code == 2
    assert "Did you mean 'sessions'?" in typo.output


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "interviewsense", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.startswith("interviewsense ")
