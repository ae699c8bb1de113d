"""The one error mapper (cli/_app.py ``guarded``): our errors are one line, a hint and their
exit code; anything else is a bug with its own code; --debug shows the cause."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer
import typer.main
from click.testing import CliRunner as ClickRunner
from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.cli._app import (
    COMMANDS,
    ERROR_SCHEMA,
    build_command,
    command_app,
    guarded,
    load,
)
from interviewsense.errors import REPORT_URL, ExitCode
from tests.isolation import subprocess_env

DOCS = Path(__file__).resolve().parent.parent / "docs"
SECRET = "sk-errors-TOPSECRET-4242"

boom_app = command_app()


@boom_app.command()
@guarded
def boom(as_json: bool = typer.Option(False, "--json")) -> None:
    """A command with a bug of the kind we write: an error nobody turned into ours."""
    load()  # as every command does: remembers the secrets to scrub

    def total(text: str) -> int:
        return int(text)

    try:
        total("twelve")
    except ValueError as exc:
        raise RuntimeError(f"could not total the scores (key {SECRET})") from exc


def root_with_boom() -> Any:
    """The real root group (its --debug and its callback), built afresh, plus ``boom``."""
    group = typer.main.get_command(app)
    group.add_command(typer.main.get_command(boom_app), "boom")
    return group


def test_an_unexpected_error_is_a_bug_with_its_own_code_and_no_traceback() -> None:
    result = ClickRunner().invoke(root_with_boom(), ["boom"], env={"OPENAI_API_KEY": SECRET})
    assert result.exit_code == ExitCode.BUG == 70
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: this is a bug in InterviewSense (unexpected RuntimeError")
    assert REPORT_URL in lines[0]
    assert lines[1].startswith("hint:") and "--debug" in lines[1]
    assert "Traceback" not in result.stderr and "ValueError" not in result.stderr
    assert SECRET not in result.stderr and "***" in lines[0]


def test_debug_shows_the_traceback_with_the_cause_and_no_secret() -> None:
    env = {"OPENAI_API_KEY": SECRET}
    result = ClickRunner().invoke(root_with_boom(), ["--debug", "boom"], env=env)
    assert result.exit_code == ExitCode.BUG
    err = result.stderr
    assert "Traceback" in err
    assert "ValueError: invalid literal for int() with base 10: 'twelve'" in err
    assert "The above exception was the direct cause of the following exception" in err
    assert err.index("ValueError") < err.index("RuntimeError: could not total")
    assert SECRET not in err
    assert "this is a bug in InterviewSense" in err and REPORT_URL in err


def test_our_errors_keep_their_cause_for_debug(tmp_path: Path) -> None:
    """A missing file: one line and exit 1; under --debug the OSError it came from shows."""
    missing = str(tmp_path / "nope.wav")
    plain = CliRunner().invoke(app, ["finalize", missing])
    assert plain.exit_code == ExitCode.BAD_INPUT
    assert "Traceback" not in plain.stderr and "FileNotFoundError" not in plain.stderr
    debug = CliRunner().invoke(app, ["--debug", "finalize", missing])
    assert debug.exit_code == ExitCode.BAD_INPUT
    assert "FileNotFoundError" in debug.stderr
    assert "direct cause" in debug.stderr
    assert "BadInputError: no such file" in debug.stderr
    # QA: after the subcommand, --debug was "No such option" (exit 2). The console entry
    # point takes it anywhere before "--".
    import subprocess
    import sys

    late = subprocess.run(
        [sys.executable, "-m", "interviewsense", "finalize", missing, "--debug"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert late.returncode == ExitCode.BAD_INPUT, late.stderr
    assert "BadInputError: no such file" in late.stderr


def test_a_partial_batch_exits_3_through_the_mapper(tmp_path: Path) -> None:
    """batch used to leave with a bare exit code; now PartialFailure says what happened."""
    manifest = tmp_path / "m.jsonl"
    good = {"id": "ok", "transcript": "I led the team and we shipped the release on time."}
    manifest.write_text(json.dumps(good) + "\n{not json\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["batch", str(manifest), "--out", str(out)])
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    assert "error: 1 of 2 answers failed; the others are scored" in result.stderr
    assert f"hint: each failed row in {out} says what is wrong" in result.stderr
    again = ["--debug", "batch", str(manifest), "--out", str(out), "--overwrite"]
    debug = CliRunner().invoke(app, again)
    assert debug.exit_code == ExitCode.PARTIAL, debug.stderr
    assert "PartialFailure" in debug.stderr  # it went through guarded


def test_a_batch_that_scored_nothing_exits_1_with_its_one_document(tmp_path: Path) -> None:
    """A review: a batch whose every row failed exited 3, the code for a partial result,
    though there was nothing to use."""
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("{not json\n" + json.dumps({"id": "empty", "transcript": ""}) + "\n")
    out = tmp_path / "out.jsonl"
    args = ["batch", str(manifest), "--out", str(out), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == ExitCode.BAD_INPUT, result.stderr
    summary = json.loads(result.stdout)  # the summary is the run's one document
    assert (summary["total"], summary["failed"]) == (2, 2), summary
    assert "all 2 answers failed; none was scored" in result.stderr
    assert [json.loads(line)["status"] for line in out.read_text().splitlines()] == [
        "error",
        "error",
    ]


def test_doctor_json_exits_4_when_something_required_is_missing() -> None:
    """doctor --json used to exit 0 whatever it found."""
    env = {"INTERVIEWSENSE_WHISPER_MODEL": "large-v9"}
    result = CliRunner().invoke(app, ["doctor", "--json"], env=env)
    assert result.exit_code == ExitCode.MISSING
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["Whisper large-v9"]["status"] == "missing"
    assert "error: missing: Whisper large-v9" in result.stderr


def test_a_failed_json_run_still_prints_one_json_document(tmp_path: Path) -> None:
    """A script reading ``--json`` used to get an empty stdout on an error; now it gets the
    error document (the web API's ``{error, hint}`` with the exit code), and stderr the line."""
    missing = str(tmp_path / "nope.wav")
    result = CliRunner().invoke(app, ["finalize", missing, "--json"])
    assert result.exit_code == ExitCode.BAD_INPUT
    doc = json.loads(result.stdout)
    assert doc == {
        "schema": ERROR_SCHEMA,
        "error": f"no such file: {missing}",
        "hint": doc["hint"],
        "exit_code": 1,
    }
    assert doc["hint"] and f"error: no such file: {missing}" in result.stderr
    bug = ClickRunner().invoke(root_with_boom(), ["boom", "--json"], env={"OPENAI_API_KEY": SECRET})
    assert bug.exit_code == ExitCode.BUG
    doc = json.loads(bug.stdout)
    assert doc["exit_code"] == 70 and doc["error"].startswith("this is a bug in InterviewSense")
    assert SECRET not in bug.stdout and "***" in doc["error"]
    plain = CliRunner().invoke(app, ["finalize", missing])
    assert plain.stdout == ""  # without --json, stdout stays empty


def test_without_a_stderr_the_json_error_still_comes_out(tmp_path: Path) -> None:
    """Started with stderr closed (``2>&-``), even under --debug, whose traceback had nowhere
    to go and ended the run with Python's own error instead of the document."""
    import os
    import subprocess
    import sys

    missing = str(tmp_path / "nope.wav")
    out = subprocess.run(
        [sys.executable, "-m", "interviewsense", "--debug", "finalize", missing, "--json"],
        stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2), timeout=120,
        env=subprocess_env(tmp_path / "home"),
    )  # fmt: skip
    assert out.returncode == ExitCode.BAD_INPUT
    assert json.loads(out.stdout)["error"] == f"no such file: {missing}"


def test_streams_closed_or_left_never_cost_the_result(tmp_path: Path) -> None:
    """A review: with stdout closed (``>&-``) a failing --json run raised inside the error
    mapper; ``batch --json`` whose stderr reader left (its progress events) died as a bug."""
    import os
    import subprocess
    import sys

    env = subprocess_env(tmp_path / "home")
    cli = [sys.executable, "-m", "interviewsense"]
    missing = str(tmp_path / "nope.wav")
    out = subprocess.run(
        [*cli, "finalize", missing, "--json"], stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: os.close(1), timeout=120, env=env,
    )  # fmt: skip
    assert out.returncode == ExitCode.BAD_INPUT, out.stderr
    assert "error: no such file" in out.stderr and "Traceback" not in out.stderr
    manifest = tmp_path / "m.jsonl"
    row = {"transcript": "I led the migration and we cut the failures from six a week to zero."}
    manifest.write_text("".join(json.dumps({"id": f"a{i}", **row}) + "\n" for i in range(3)))
    proc = subprocess.Popen(
        [*cli, "batch", str(manifest), "--out", str(tmp_path / "r.csv"), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    proc.stderr.close()  # the progress events' reader is gone from the start
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0
    summary = json.loads(stdout)
    assert summary["done"] == 3 and summary["failed"] == 0, summary


def test_every_json_flag_is_the_one_the_error_mapper_reads() -> None:
    """``guarded`` knows a run wants JSON by the parameter name ``as_json``."""

    def commands(cmd: Any) -> Any:
        yield cmd
        for name in cmd.list_commands(None) if hasattr(cmd, "list_commands") else []:
            yield from commands(cmd.get_command(None, name))

    flags = [
        (c.name, p.name)
        for name in COMMANDS
        for c in commands(build_command(name))
        for p in c.params
        if "--json" in getattr(p, "opts", [])
    ]
    assert len(flags) >= 10
    assert {p for _, p in flags} == {"as_json"}, flags


def test_the_documented_exit_codes_are_the_enum() -> None:
    """docs/configuration.md's table lists every ExitCode, and nothing else."""
    text = (DOCS / "configuration.md").read_text()
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}
