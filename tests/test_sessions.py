"""`sessions list | show | delete | export` on sessions made by the real commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from interviewsense.cli import app

ANSWER = "At my last job I led a migration and as a result we cut costs by 30 percent.\n"


TWO_ANSWERS = ANSWER + "I set up weekly reviews so the team saw problems early.\n"
TOUGH = ("-t", "behavioral", "--persona", "tough")


def practice_json(
    env: dict[str, str] | None = None, answers: str = ANSWER, flags: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A typed practice session, one question for each line of ``answers``: its JSON."""
    args = ["practice", "--keyboard", "--no-voice", "-n", str(answers.count("\n"))]
    result = CliRunner().invoke(
        app, [*args, "--no-follow-ups", "--json", *flags], input=answers, env=env
    )
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def practice(env: dict[str, str] | None = None) -> str:
    return str(practice_json(env)["id"])


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
    assert "Feedback" in human.stderr and human.stdout == ""

    refused = runner.invoke(app, ["sessions", "delete", first])
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    # In a terminal, "n" keeps it: a choice, exit 0, no "error:" (QA: it was exit 1).
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    asked = subprocess.Popen([sys.executable, "-m", "interviewsense", "sessions", "delete", first],
                             stdin=slave, stderr=subprocess.PIPE, text=True)  # fmt: skip
    os.close(slave)
    os.write(master, b"n\n")
    _, said = asked.communicate(timeout=60)
    os.close(master)
    assert asked.returncode == 0 and f"kept {first}" in said and "error:" not in said, said
    assert (isolated_home / "sessions" / first).is_dir()
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
    # A copy that cannot be made whole says so (a review: a full disk left half a copy
    # with only the write's error).
    blocked = tmp_path / "blocked"
    (blocked / sid / "session.json").mkdir(parents=True)
    failed = CliRunner().invoke(app, ["sessions", "export", sid, "--out", str(blocked)])
    said = " ".join(failed.stderr.split())
    assert failed.exit_code == 1 and f"the copy in {blocked / sid} is incomplete" in said, said


def test_an_export_again_is_the_session_as_it_is_now(isolated_home: Path, tmp_path: Path) -> None:
    """A review: exporting again into the same folder left the files the session no longer
    had. Only what the earlier export wrote (its manifest) is removed: a file of the user's
    own in the copy stays."""
    sid = practice()
    folder = isolated_home / "sessions" / sid
    (folder / "audio").mkdir(exist_ok=True)
    (folder / "audio" / "q09.wav").write_bytes(b"RIFF" + b"\0" * 60)
    out = tmp_path / "export"
    first = CliRunner().invoke(app, ["sessions", "export", sid, "--out", str(out)])
    assert first.exit_code == 0, first.stderr
    assert (out / sid / "audio" / "q09.wav").is_file()
    (out / sid / "my-notes.txt").write_text("mine")
    (folder / "audio" / "q09.wav").unlink()
    again = CliRunner().invoke(app, ["sessions", "export", sid, "--out", str(out)])
    assert again.exit_code == 0, again.stderr
    said = " ".join(again.stderr.split())
    assert "removed 1 file it no longer has" in said, said
    assert not (out / sid / "audio" / "q09.wav").exists()
    assert (out / sid / "my-notes.txt").read_text() == "mine"
    manifest = json.loads((out / sid / "manifest.json").read_text())
    assert "audio/q09.wav" not in manifest and "session.json" in manifest


def test_a_copied_folder_is_repaired_in_itself_never_over_the_original(
    isolated_home: Path,
) -> None:
    """QA: a session folder copied by hand still names the original in its session.json;
    left unfinished (a dead writer's lock), the repair before every command saved it as the
    original, overwriting that session. Now the copy gets its folder's id."""
    runner = CliRunner()
    original = practice()
    root = isolated_home / "sessions"
    before = (root / original / "session.json").read_bytes()
    copy = "20260101-000050-aaaaaa"
    shutil.copytree(root / original, root / copy)
    data = json.loads((root / copy / "session.json").read_text())
    data["status"] = "in_progress"
    (root / copy / "session.json").write_text(json.dumps(data))
    (root / copy / ".lock").write_text("999999")  # a writer long gone
    shown = runner.invoke(app, ["sessions", "show", copy])
    assert shown.exit_code == 0, shown.stderr  # repaired first, as every command does
    assert (root / original / "session.json").read_bytes() == before
    repaired = json.loads((root / copy / "session.json").read_text())
    assert repaired["id"] == copy and repaired["turns"] == data["turns"]
    assert json.loads((root / copy / "session.damaged.json").read_text())["id"] == original


def test_an_unknown_id_is_never_made_and_a_damaged_session_can_go(
    isolated_home: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    unknown = "20990101-000000-abcdef"
    result = runner.invoke(app, ["sessions", "repair", unknown])
    assert result.exit_code == 1 and "no session" in result.stderr
    assert not (isolated_home / "sessions" / unknown).exists()
    # A session.json that no longer loads: listed as damaged, still exported and deleted.
    sid = practice()
    folder = isolated_home / "sessions" / sid
    (folder / "session.json").write_bytes(b"\x00\xff not json")
    listed = json.loads(runner.invoke(app, ["sessions", "list", "--json"]).stdout)
    assert [s["status"] for s in listed] == ["damaged"]
    out = tmp_path / "kept"
    exported = runner.invoke(app, ["sessions", "export", sid, "--out", str(out)])
    assert exported.exit_code == 0, exported.stderr
    assert (out / sid / "session.json").read_bytes() == b"\x00\xff not json"
    deleted = runner.invoke(app, ["sessions", "delete", sid, "--yes"])
    assert deleted.exit_code == 0, deleted.stderr
    assert not folder.exists()


def test_repair_keeps_what_still_reads_and_scores_typed_answers_again(
    isolated_home: Path,
) -> None:
    """QA: one field of the wrong type ("overall": "59") made repair rebuild the session
    from its audio alone: a typed session lost every answer and question, and said only
    "session.json rebuilt"."""
    runner = CliRunner()
    sid = practice_json(answers=TWO_ANSWERS, flags=TOUGH)["id"]
    path = isolated_home / "sessions" / sid / "session.json"
    data = json.loads(path.read_text())
    first_answer = data["turns"][0]["answer"]
    data["turns"][1]["answer"]["scores"]["overall"] = "59"  # damaged
    data["turns"][0]["timings"] = "soon"  # damaged, and worth nothing
    data["persona"] = 7  # damaged
    path.write_text(json.dumps(data))
    assert runner.invoke(app, ["sessions", "show", sid]).exit_code == 1

    fixed = runner.invoke(app, ["sessions", "repair", sid])
    assert fixed.exit_code == 0, fixed.stderr
    said = " ".join(fixed.stderr.split())
    assert "typed answer(s) 2 scored again from their text" in said
    assert "could not be read back: the session's persona, turn 1's timings" in said
    repaired = json.loads(runner.invoke(app, ["sessions", "show", sid, "--json"]).stdout)
    assert repaired["type"] == "behavioral" and repaired["kind"] == "practice"
    assert repaired["summary"] == data["summary"]  # it read, so it is kept
    turns = repaired["turns"]
    assert [t["question"]["text"] for t in turns] == [t["question"]["text"] for t in data["turns"]]
    assert turns[0]["answer"] == first_answer, "what read is kept as it was"
    second = turns[1]["answer"]
    assert second["transcript"]["text"] == data["turns"][1]["answer"]["transcript"]["text"]
    assert isinstance(second["scores"]["overall"], int) and turns[1]["status"] == "answered"
    assert (path.parent / "session.damaged.json").is_file()


def test_a_session_json_cut_short_keeps_the_answers_written_before_the_cut(
    isolated_home: Path,
) -> None:
    """A review: a session.json cut short (a copy that stopped, a disk that filled under an
    editor) was rebuilt from the recordings alone: a typed session lost every answer, and a
    finalize session came back as a practice one with the friendly persona."""
    runner = CliRunner()
    sid = practice_json(answers=TWO_ANSWERS, flags=TOUGH)["id"]
    path = isolated_home / "sessions" / sid / "session.json"
    text = path.read_text()
    whole = json.loads(text)
    second = text.index(json.dumps(whole["turns"][1]["question"]["text"]))
    path.write_text(text[: second + 5])  # cut inside the second turn's question
    fixed = runner.invoke(app, ["sessions", "repair", sid])
    assert fixed.exit_code == 0, fixed.stderr
    assert "(cut short or damaged)" in " ".join(fixed.stderr.split())
    repaired = json.loads(runner.invoke(app, ["sessions", "show", sid, "--json"]).stdout)
    assert (repaired["persona"], repaired["kind"]) == ("tough", "practice")
    assert repaired["turns"][0]["answer"] == whole["turns"][0]["answer"]
    assert (path.parent / "session.damaged.json").read_text() == text[: second + 5]

    # A finalize session (persona "", kind after the turns): still a finalize session.
    from interviewsense.domain import Session
    from interviewsense.storage.store import SessionStore

    store = SessionStore(isolated_home / "sessions")
    other = "20261130-080000-abcdef"
    store.save(Session(id=other, started_at="2026-11-30T08:00:00", persona="", kind="finalize"))
    own = store.folder(other) / "session.json"
    own.write_text(own.read_text()[:-40])
    assert runner.invoke(app, ["sessions", "repair", other]).exit_code == 0
    shown = json.loads(runner.invoke(app, ["sessions", "show", other, "--json"]).stdout)
    assert (shown["kind"], shown["persona"]) == ("finalize", "")


def test_a_session_a_newer_version_saved_is_neither_read_as_ours_nor_rewritten(
    isolated_home: Path,
) -> None:
    """QA: a session of schema interviewsense.session/2 was shown as ours, `finalize` saved
    it without the fields it did not know (still calling it /2), and a changed shape was
    called damage, which `repair` replaced with an empty shell."""
    runner = CliRunner()
    sid = practice()
    path = isolated_home / "sessions" / sid / "session.json"
    data = json.loads(path.read_text())
    data.update(schema="interviewsense.session/2", added_in_2={"x": 1})
    data["turns"][0]["answer"]["scores"]["overall"] = {"value": 80}  # a new shape
    newer = json.dumps(data)
    path.write_text(newer)
    for command in (["sessions", "show", sid], ["finalize", sid], ["sessions", "repair", sid]):
        refused = runner.invoke(app, command)
        assert refused.exit_code == 1, (command, refused.output)
        said = " ".join(refused.stderr.split())
        assert "saved by a newer InterviewSense (interviewsense.session/2)" in said, command
        assert "upgrade" in said and "damaged" not in said, command
    every = runner.invoke(app, ["sessions", "repair"])
    assert every.exit_code == 0 and f"{sid}: skipped" in every.stderr
    listed = json.loads(runner.invoke(app, ["sessions", "list", "--json"]).stdout)
    assert [s["status"] for s in listed] == ["newer version"]
    # history says so too, not "damaged" with a repair that refuses it (a review).
    history = " ".join(runner.invoke(app, ["history"]).stderr.split())
    assert f"saved by a newer InterviewSense: {sid}; upgrade" in history, history
    assert "damaged" not in history
    assert path.read_text() == newer, "left as it was"
    assert not (path.parent / "session.damaged.json").exists()


def test_a_linked_session_folder_is_not_said_deleted_while_its_files_stay(
    isolated_home: Path, tmp_path: Path
) -> None:
    """QA: `sessions delete` of a folder that is a link said "deleted", removed nothing (the
    recordings stayed where the link led) and left a hidden link in the sessions."""
    sid = practice()
    sessions = isolated_home / "sessions"
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(sessions / sid), elsewhere)
    (sessions / sid).symlink_to(elsewhere, target_is_directory=True)
    refused = CliRunner().invoke(app, ["sessions", "delete", sid, "--yes"])
    assert refused.exit_code != 0 and "deleted" not in refused.stderr.replace("not deleted", "")
    assert "is a link to" in " ".join(refused.stderr.split())
    assert (elsewhere / "session.json").is_file() and (sessions / sid).is_symlink()
    assert sorted(p.name for p in sessions.iterdir()) == [sid], "no hidden leftovers"


@pytest.mark.slow
def test_a_session_still_being_recorded_is_not_deleted(tmp_path: Path) -> None:
    """A review: `sessions delete` of a practice still running said "deleted", exit 0, and
    the practice then saved the session back, without its recordings."""
    import subprocess
    import time

    from tests.practice import command, practice_env

    home = tmp_path / "home"
    env = practice_env(home)
    args = ["practice", "--keyboard", "--no-voice", "-n", "2", "--no-follow-ups", "--json"]
    proc = subprocess.Popen(command(*args), env=env, text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stdin is not None
    try:
        deadline = time.monotonic() + 60
        while not list((home / "sessions").glob("*/.lock")) and time.monotonic() < deadline:
            time.sleep(0.1)
        [lock] = (home / "sessions").glob("*/.lock")
        sid = lock.parent.name
        refused = subprocess.run(command("sessions", "delete", sid, "--yes"), env=env,
                                 text=True, capture_output=True, timeout=60)  # fmt: skip
        assert refused.returncode == 1, refused.stderr
        assert f"session {sid} is still being recorded (process {proc.pid})" in refused.stderr
        out, err = proc.communicate(ANSWER + ANSWER, timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert json.loads(out)["id"] == sid and json.loads(out)["summary"]["answers"] == 2
    done = subprocess.run(command("sessions", "delete", sid, "--yes"), env=env, text=True,
                          capture_output=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and f"deleted {sid}" in done.stdout + done.stderr
    assert not (home / "sessions" / sid).exists()


def test_a_hand_edited_session_is_damaged_not_a_bug_and_repair_mends_it(
    isolated_home: Path, tmp_path: Path
) -> None:
    """A review: values of the wrong type inside a score or the summary passed the load
    (`sessions show` then a bug's exit halfway), a script in the summary's mean ran in the
    HTML report, and an audio path led the report out of the session's folder."""
    runner = CliRunner()
    sid = practice()
    path = isolated_home / "sessions" / sid / "session.json"
    good = json.loads(path.read_text())
    outside = tmp_path / "elsewhere.wav"
    outside.write_bytes(b"RIFF")
    edits = {
        "similarity": lambda d: d["turns"][0]["answer"]["scores"]["content"][
            "relevance"
        ].__setitem__("similarity", None),
        "script": lambda d: d["summary"].__setitem__("overall", "<script>alert(1)</script>"),
        "gaps": lambda d: d["summary"].__setitem__("assessment", {"gaps": None}),
        "audio": lambda d: d["turns"][0]["answer"].__setitem__(
            "audio", {"path": str(outside), "duration_s": 1.0, "sample_rate": 16000}
        ),
        # A review: turn 0 made `sessions play` exit 70; an overall of -50 went into history.
        "turn 0": lambda d: d["turns"][0].__setitem__("index", 0),
        "turn 1000": lambda d: d["turns"][0].__setitem__("index", 1000),
        "overall -50": lambda d: d["turns"][0]["answer"]["scores"].__setitem__("overall", -50),
        "content 900": lambda d: d["turns"][0]["answer"]["scores"]["content"].__setitem__(
            "score", 900
        ),
    }
    for name, edit in edits.items():
        data = json.loads(json.dumps(good))
        edit(data)
        path.write_text(json.dumps(data))
        for args in (["show", sid], ["report", sid, "-f", "html", "-o", str(tmp_path / "r.html")]):
            result = runner.invoke(app, ["sessions", *args])
            assert result.exit_code == 1, (name, result.output)
            assert f"session {sid} is damaged" in result.stderr, name
            assert "sessions repair" in result.stderr and "bug" not in result.stderr
        listed = json.loads(runner.invoke(app, ["sessions", "list", "--json"]).stdout)
        assert [s["status"] for s in listed] == ["damaged"], name
        mended = runner.invoke(app, ["sessions", "repair"])
        assert mended.exit_code == 0, mended.output
        report = runner.invoke(app, ["sessions", "report", sid, "-f", "html", "-o", "-"])
        assert report.exit_code == 0, (name, report.output)
        assert "<script>" not in report.stdout
        (path.parent / "session.damaged.json").unlink()


@pytest.mark.slow
def test_play_says_why_there_is_nothing_to_play(isolated_home: Path, tmp_path: Path) -> None:
    """A review: a recording deleted from the session, and a question skipped, were both
    "these answers were typed, not recorded"."""
    from tests import speech

    wav = speech.espeak("I led the migration and we cut costs by a third.", tmp_path / "a.wav")
    runner = CliRunner()
    done = runner.invoke(app, ["finalize", str(wav), "-q", "Tell me about a project.", "--json"])
    assert done.exit_code == 0, done.output
    sid = json.loads(done.stdout)["session_id"]
    (isolated_home / "sessions" / sid / "audio" / "a01.wav").unlink()
    gone = runner.invoke(app, ["sessions", "play", sid])
    said = " ".join(gone.stderr.split())
    assert gone.exit_code == 1 and "the recordings are gone from" in said, said
    assert "audio/a01.wav" in said and "typed" not in said
    typed = runner.invoke(app, ["sessions", "play", practice()])
    assert "typed, not recorded" in typed.stderr


def test_escape_sequences_edited_into_a_session_never_reach_the_terminal(
    isolated_home: Path,
) -> None:
    """A review: a question edited to hold a terminal's escape sequences set the window
    title and cleared the screen through show and report."""
    sid = practice()
    path = isolated_home / "sessions" / sid / "session.json"
    data = json.loads(path.read_text())
    hostile = "Why \x1b]0;PWNED\x07us?\x1b[2J Tell me."
    data["turns"][0]["question"]["text"] = data["turns"][0]["answer"]["question"] = hostile
    # ... and in the free-form evidence of a score (a review of the first fix).
    content = data["turns"][0]["answer"]["scores"]["content"]
    content["impression"]["weakest"] = content["relevance"]["closest"] = hostile
    path.write_text(json.dumps(data))
    for args in (["sessions", "show", sid], ["sessions", "report", sid]):
        shown = CliRunner().invoke(app, args)
        assert shown.exit_code == 0, shown.output
        assert "\x1b]0;" not in shown.output and "\x1b[2J" not in shown.output
        assert "us? Tell me." in shown.stderr and "PWNED" not in shown.stderr


def test_a_lock_whose_pid_another_process_took_does_not_block_delete(
    isolated_home: Path,
) -> None:
    """A review: a practice that crashed left its pid in the lock; once another process
    had that pid, `sessions delete` refused the session for ever (and repair kept it)."""
    import os
    import subprocess
    import time

    sid = practice()
    lock = isolated_home / "sessions" / sid / ".lock"
    other = subprocess.Popen(["sleep", "60"])
    try:
        lock.write_text(str(other.pid))
        hour_ago = time.time() - 3600  # written long before that process started
        os.utime(lock, (hour_ago, hour_ago))
        deleted = CliRunner().invoke(app, ["sessions", "delete", sid, "--yes"])
    finally:
        other.kill()
        other.wait()
    assert deleted.exit_code == 0, deleted.output
    assert not (isolated_home / "sessions" / sid).exists()


def test_practice_shows_the_lowest_caps_and_counts_the_rest(isolated_home: Path) -> None:
    """A review: practice showed only the cap that binds, though the report lists each."""
    from interviewsense.cli._practice_ui import PRACTICE_CAPS

    answer = "Um, uh, we, um, did the stuff, uh, and we fixed it, um.\n"
    made = CliRunner().invoke(
        app,
        ["practice", "--keyboard", "--no-voice", "-n", "1", "--no-follow-ups", "--json",
         "-t", "behavioral"],
        input=answer,
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    caps = json.loads(made.stdout)["turns"][0]["answer"]["scores"]["caps"]
    assert len(caps) > PRACTICE_CAPS, caps  # too short, no result, no ownership, fillers …
    shown = [line.strip() for line in made.stderr.splitlines() if "at most " in line]
    lowest = sorted(caps, key=lambda c: c["points"])[:PRACTICE_CAPS]
    assert [line.split(":")[0] for line in shown] == [f"at most {c['points']}" for c in lowest]
    assert f"and {len(caps) - PRACTICE_CAPS} more cap" in made.stderr


def test_repair_leaves_a_session_being_recorded_alone(isolated_home: Path) -> None:
    """A review: `sessions repair` took a running practice's lock and marked its session
    repaired, and `sessions delete` then removed it under the practice."""
    import subprocess

    sid = practice()
    lock = isolated_home / "sessions" / sid / ".lock"
    before = (lock.parent / "session.json").read_text()
    recording = subprocess.Popen(["sleep", "60"])  # a live process, started before its lock
    try:
        lock.write_text(str(recording.pid))
        one = CliRunner().invoke(app, ["sessions", "repair", sid])
        assert one.exit_code == 1 and "is being recorded" in one.stderr, one.stderr
        every = CliRunner().invoke(app, ["sessions", "repair"])
        assert every.exit_code == 0, every.stderr  # being recorded is no failure to repair
        assert f"{sid}: skipped: session {sid} is being recorded" in every.stderr
        assert "could not be repaired" not in every.stderr
        assert lock.read_text() == str(recording.pid)  # its lock is its own still
        assert (lock.parent / "session.json").read_text() == before
    finally:
        recording.kill()
        recording.wait()


def test_the_repair_every_command_does_scores_typed_answers_again(isolated_home: Path) -> None:
    """A review: the repair any command does first (after a crash) had no scorer, so a typed
    answer whose record was cut short was dropped, and its turn stayed "answered"."""
    runner = CliRunner()
    sid = practice_json(answers=TWO_ANSWERS)["id"]
    folder = isolated_home / "sessions" / sid
    text = (folder / "session.json").read_text()
    whole = json.loads(text)
    cut = text.index('"delivery"', text.index(json.dumps(whole["turns"][1]["question"]["text"])))
    (folder / "session.json").write_text(text[:cut])  # inside the second answer's scores
    (folder / ".lock").write_text("999999999")  # its writer is gone
    listed = runner.invoke(app, ["sessions", "list"])
    assert listed.exit_code == 0, listed.stderr
    said = " ".join(listed.stderr.split())
    assert f"session {sid} was left unfinished" in said
    assert "typed answer(s) 2 scored again from their text" in said, said
    turns = json.loads(runner.invoke(app, ["sessions", "show", sid, "--json"]).stdout)["turns"]
    assert [t["status"] for t in turns] == ["answered", "answered"]
    second = turns[1]["answer"]
    assert second["transcript"]["text"] == whole["turns"][1]["answer"]["transcript"]["text"]


def test_a_spoken_answer_that_cannot_be_read_is_recovered_not_typed(isolated_home: Path) -> None:
    """A review: a finalize session's answer whose record was cut short was "scored again from
    its text" as a typed one: its recording, voice score and pace were lost."""
    import numpy as np

    from tests.helpers import wav_bytes

    sid = practice()
    folder = isolated_home / "sessions" / sid
    data = json.loads((folder / "session.json").read_text())
    answer = data["turns"][0]["answer"]
    answer["transcript"]["engine"] = "whisper-final"  # spoken: its recording is kept
    answer.pop("audio", None)
    answer["scores"]["overall"] = "damaged"
    (folder / "audio").mkdir(exist_ok=True)
    (folder / "audio" / "a01.wav").write_bytes(wav_bytes(np.zeros(16000, np.float32), 16000))
    (folder / "session.json").write_text(json.dumps(data))
    fixed = CliRunner().invoke(app, ["sessions", "repair", sid])
    assert fixed.exit_code == 0, fixed.stderr
    assert "scored again" not in fixed.stderr and "recovered answer(s) 1" in fixed.stderr
    turn = json.loads(CliRunner().invoke(app, ["sessions", "show", sid, "--json"]).stdout)["turns"][
        0
    ]
    assert turn["status"] == "recovered" and turn["answer"] is None
    # Its totals follow (a review: the report still said "mean score" of the lost answer).
    summary = json.loads((folder / "session.json").read_text())["summary"]
    assert summary["answers"] == 0 and "overall" not in summary, summary
    report = CliRunner().invoke(app, ["sessions", "report", sid, "-f", "md", "-o", "-"])
    assert "0 answers" in report.stdout and "mean score –" in report.stdout, report.stdout[:400]
    # Its recording is kept, and the report says how to score it (it said "not answered").
    assert f"recorded, not yet scored ('interviewsense finalize {sid}' scores it)" in (
        report.stdout.replace("\\", "")
    )


def test_the_totals_a_summary_may_hold_are_listed_once(isolated_home: Path) -> None:
    from interviewsense.domain import SUMMARY_TOTALS, Session, summarize

    session = Session(id="20261130-080000-abcdef", started_at="2026-11-30T08:00:00")
    assert set(summarize(session)) <= set(SUMMARY_TOTALS)
    practiced = practice_json()
    assert set(practiced["summary"]) - {"assessment", "input_overflows"} <= set(SUMMARY_TOTALS)


def test_an_export_says_which_recording_is_missing(isolated_home: Path, tmp_path: Path) -> None:
    """A review: a session whose recording was gone was "exported 2 files", without a word."""
    sid = practice()
    path = isolated_home / "sessions" / sid / "session.json"
    data = json.loads(path.read_text())
    data["turns"][0]["answer"]["audio"] = {
        "path": "audio/a01.wav", "duration_s": 4.0, "sample_rate": 16000,
    }  # fmt: skip
    path.write_text(json.dumps(data))
    out = tmp_path / "copy"
    exported = CliRunner().invoke(app, ["sessions", "export", sid, "--out", str(out)])
    assert exported.exit_code == 0, exported.stderr
    said = " ".join(exported.stderr.split())
    assert "answer 1's recording audio/a01.wav is missing from the session" in said, said
    assert (out / sid / "session.json").is_file()


def test_a_repair_never_sends_an_answer_to_an_llm_judge() -> None:
    """A review: the repair every command does first scored a damaged typed answer again
    through the configured LLM judge: its text (an e-mail, a phone number) went to the LLM,
    unredacted, from `sessions list`."""
    import socket

    from interviewsense.cli.sessions import typed_rescorer
    from interviewsense.config import load_settings
    from interviewsense.domain import Question

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = load_settings({"llm_base_url": (f"http://127.0.0.1:{port}/v1", "flag")})
    assert settings.llm_judge  # a judge would be asked, were it not a repair
    answer = typed_rescorer(settings)(ANSWER, Question(text="Tell me about a project."))
    assert answer.scores.content.judge == {} and answer.scores.content.method != "llm"


def test_a_session_json_this_user_may_not_read_is_not_called_damaged(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: a session.json without read permission was "damaged", with a hint to run
    repair, which could not read it either. (Tests run as root, where chmod does not stop a
    read: the permission error is raised where the file is read.)"""
    sid = practice()
    path = isolated_home / "sessions" / sid / "session.json"
    read = Path.read_text

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return read(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", denied)
    runner = CliRunner()
    shown = runner.invoke(app, ["sessions", "show", sid])
    assert shown.exit_code == 1 and f"no permission to read {path}" in " ".join(
        shown.stderr.split()
    )
    assert "repair" not in shown.stderr and "damaged" not in shown.stderr
    listed = json.loads(runner.invoke(app, ["sessions", "list", "--json"]).stdout)
    assert [s["status"] for s in listed] == ["unreadable"]
    history = json.loads(runner.invoke(app, ["history", "--json"]).stdout)
    assert history["left_out"] == {"damaged": [], "newer": [], "unreadable": [sid]}
