"""`sessions list | show | delete | export` on sessions made by the real commands."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from interviewsense.cli import app

ANSWER = "At my last job I led a migration and as a result we cut costs by 30 percent.\n"


def practice(env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(
        app,
        ["practice", "--keyboard", "--no-voice", "-n", "1", "--no-follow-ups", "--json"],
        input=ANSWER,
        env=env,
    )
    assert result.exit_code == 0, result.stderr
    return str(json.loads(result.stdout)["id"])


def test_list_show_delete(isolated_home: Path) -> None:
    runner = CliRunner()
    assert "no sessions yet" in runner.invoke(app, ["sessions", "list"]).stderr
    first, second = practice(), practice()
    listed = json.loads(runner.invoke(app, ["sessions", "list", "--json"]).stdout)
    assert [s["id"] for s in listed] == sorted([first, second])
    assert listed[0]["answered"] == 1 and listed[0]["mean_score"] is not None
    assert not listed[0]["synced"]
    table = runner.invoke(app, ["sessions", "list"]).stderr  # CliRunner: 80 columns
    for session_id in (first, second):
        assert session_id in table, "ids are shown whole, ready to copy"

    shown = runner.invoke(app, ["sessions", "show", first, "--json"])
    assert json.loads(shown.stdout)["id"] == first
    human = runner.invoke(app, ["sessions", "show", first])
    assert "What to work on" in human.stderr and human.stdout == ""

    refused = runner.invoke(app, ["sessions", "delete", first])
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    assert runner.invoke(app, ["sessions", "delete", first, "--yes"]).exit_code == 0
    assert not (isolated_home / "sessions" / first).exists()
    assert [
        s["id"] for s in json.loads(runner.invoke(app, ["sessions", "list", "--json"]).stdout)
    ] == [second]


def test_bad_ids_are_refused(isolated_home: Path) -> None:
    runner = CliRunner()
    for bad in ("../../etc", "20261130-073000-zzzzzz", "x" * 300, "20261130-073000-a1b2c3"):
        result = runner.invoke(app, ["sessions", "show", bad])
        assert result.exit_code == 1
        assert result.stderr.startswith("error:")
    assert "no session" in runner.invoke(app, ["sessions", "show", "20261130-073000-a1b2c3"]).stderr


def test_export_copies_the_folder(isolated_home: Path, tmp_path: Path) -> None:
    sid = practice()
    out = tmp_path / "export"
    result = CliRunner().invoke(app, ["sessions", "export", sid, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    copied = json.loads((out / sid / "session.json").read_text())
    assert copied["id"] == sid
    assert (out / sid / "manifest.json").is_file()
