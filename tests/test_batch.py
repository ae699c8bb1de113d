"""batch on a folder and on manifests that mix every kind of row, good and bad."""

from __future__ import annotations

import csv
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from interviewsense.cli import app
from tests import speech

SCRIPTS = {
    "alice": "At my last job I led a migration to a new platform, and as a result failures "
    "dropped by forty percent in three months.",
    "bob": "Um, I think I would, uh, add a cache, because reads are ten times more frequent "
    "than writes.",
    "carol": "I was responsible for the release, so I wrote a checklist and we shipped on time.",
}
TRANSCRIPT = "I led the team of five people and we cut costs by 20 percent in one quarter."

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cohort")
    for name, text in SCRIPTS.items():
        speech.espeak(text, folder / f"{name}.wav")
    speech.encode(folder / "carol.wav", folder / "carol.mp3", "mp3", rate=44100)
    (folder / "carol.wav").unlink()
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["batch", *args])


def test_a_folder_of_recordings(recordings: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    result = run(str(recordings), "--out", str(out), "--workers", "1", "-q", "Tell me about it")
    assert result.exit_code == 0, result.stderr
    got = {r["id"]: r for r in rows(out)}
    assert sorted(got) == ["alice", "bob", "carol"]
    assert all(r["status"] == "ok" and r["error"] == "" for r in got.values())
    assert got["carol"]["source"].endswith("carol.mp3")
    for name, text in SCRIPTS.items():
        assert speech.wer(text, got[name]["transcript"]) <= 0.35  # short answers: noisy WER
        assert 0 <= int(got[name]["overall"]) <= 100 and got[name]["wpm"]
    assert int(got["bob"]["fillers"]) >= 1 and int(got["bob"]["hedges"]) >= 1
    assert int(got["alice"]["specificity"]) >= 1
    assert "3 scored · 0 failed" in result.stderr


def test_one_recording_is_a_batch_of_one(recordings: Path, tmp_path: Path) -> None:
    """`batch alice.wav` scores it (it used to read the WAV as a manifest: "not UTF-8")."""
    out = tmp_path / "one.jsonl"
    result = run(str(recordings / "carol.mp3"), "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.stderr
    (row,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["id"] == "carol" and row["status"] == "ok"
    assert speech.wer(SCRIPTS["carol"], row["answer"]["transcript"]["text"]) <= 0.35
    assert "1 answer · 1 scored · 0 failed" in result.stderr
    missing = run(str(tmp_path / "nobody.wav"), "--out", str(tmp_path / "x.csv"))
    assert missing.exit_code == 1 and "no such file or folder" in missing.stderr
    assert "one recording" in missing.stderr  # the hint names what it takes


def write_manifest(recordings: Path, tmp_path: Path, url: str) -> Path:
    (tmp_path / "noise.wav").write_bytes(np.random.default_rng(0).bytes(5000))
    manifest = tmp_path / "cohort.csv"
    lines = [
        ["id", "audio", "transcript", "question", "type"],
        ["a1", str(recordings / "alice.wav"), "", "Tell me about a project you led", "behavioral"],
        ["b1", str(recordings / "bob.wav"), "", "How would you speed up reads?", "technical"],
        ["c1", str(recordings / "carol.mp3"), "", "", ""],
        ["u1", url, "", "Tell me about a project you led", "behavioral"],
        ["t1", "", TRANSCRIPT, "Tell me about leading a team", "behavioral"],
        ["bad-missing", "no/such/file.wav", "", "", ""],
        ["bad-noise", "noise.wav", "", "", ""],
        ["bad-empty", "", "   ", "", ""],
        ["a1", str(recordings / "alice.wav"), "", "", ""],
        ["bad-url", url.replace("alice", "nobody"), "", "", ""],
        ["bad-type", "", TRANSCRIPT, "", "astrology"],
        ["f1", (recordings / "bob.wav").as_uri(), "", "", ""],  # QA: "no such file: …/file:/…"
        ["bad-scheme", "ftp://example.org/a.wav", "", "", ""],
    ]
    with manifest.open("w", newline="") as fh:
        csv.writer(fh).writerows(lines)
    return manifest


@pytest.fixture
def served(httpserver: HTTPServer, recordings: Path) -> str:
    httpserver.expect_request("/alice.wav").respond_with_data(
        (recordings / "alice.wav").read_bytes(), content_type="audio/wav"
    )
    httpserver.expect_request("/nobody.wav").respond_with_data("gone", status=404)
    return httpserver.url_for("/alice.wav")


def test_a_mixed_manifest_field_by_field(recordings: Path, tmp_path: Path, served: str) -> None:
    manifest = write_manifest(recordings, tmp_path, served)
    out = tmp_path / "results.csv"
    result = run(str(manifest), "--out", str(out), "--workers", "2", "--json")
    assert result.exit_code == 3, result.stderr  # some failed; the rest are complete
    summary = json.loads(result.stdout)
    assert summary["total"] == 13 and summary["failed"] == 7
    got = {r["id"]: r for r in rows(out)}
    assert list(got) == ["a1", "b1", "c1", "u1", "t1", "bad-missing", "bad-noise", "bad-empty",
                         "a1#line-10", "bad-url", "bad-type", "f1", "bad-scheme"]  # fmt: skip
    for rid in ("a1", "b1", "c1", "u1", "t1", "f1"):
        assert got[rid]["status"] == "ok", got[rid]["error"]
    assert got["f1"]["transcript"] == got["b1"]["transcript"]  # file:// is the file
    assert got["bad-scheme"]["error"].startswith("only http(s), Azure blob and file addresses")
    assert got["a1"]["transcript"] == got["u1"]["transcript"]  # the URL served the same file
    assert got["a1"]["question"] == "Tell me about a project you led"
    assert got["b1"]["type"] == "technical"
    assert got["c1"]["type"] == "behavioral"  # the default
    t1 = got["t1"]
    assert t1["source"] == "transcript" and t1["transcript"] == TRANSCRIPT
    assert t1["wpm"] == "" and t1["long_pauses"] == "" and t1["voice"] == ""  # missing, not 0
    # Exactly the empty measured columns (QA: it named `pace_windows`, no column, and left
    # the empty voice columns out).
    from interviewsense.flows.batch_output import MEASURED_COLUMNS

    assert t1["missing"].split(";") == [c for c in MEASURED_COLUMNS if t1[c] == ""]
    assert {"wpm", "long_pauses", "voice", "pitch_sd_semitones"} <= set(t1["missing"].split(";"))
    assert got["a1"]["missing"] == ""  # a recording measured everything
    assert got["bad-missing"]["error"].startswith("no such file")
    assert "not an audio file" in got["bad-noise"]["error"]
    assert got["bad-empty"]["error"] == "the row has no audio, and its transcript is empty"
    assert got["a1#line-10"]["error"].startswith("duplicate id a1")
    assert "404" in got["bad-url"]["error"]
    assert "unknown type 'astrology'" in got["bad-type"]["error"]
    assert all(got[r]["overall"] == "" for r in got if r.startswith("bad") or "#" in r)
    assert summary["mean"] is not None and summary["median"] is not None


def test_jsonl_has_the_full_answer(recordings: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"id": "x", "audio": str(recordings / "alice.wav"), "question": "Q?"})
        + "\n"
        + json.dumps({"id": "y", "transcript": TRANSCRIPT})
        + "\n"
        + "{not json\n"
    )
    out = tmp_path / "out.jsonl"
    result = run(str(manifest), "--out", str(out), "--workers", "1")
    assert result.exit_code == 3
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["x", "y", "line-3"]
    assert lines[0]["answer"]["schema"] == "interviewsense.answer/1"
    assert lines[0]["answer"]["transcript"]["words"]
    assert lines[1]["answer"]["scores"]["delivery"]["wpm"] is None
    assert lines[2]["status"] == "error" and "not JSON" in lines[2]["error"]


def test_one_or_two_workers_give_the_same_file(
    recordings: Path, tmp_path: Path, served: str
) -> None:
    manifest = write_manifest(recordings, tmp_path, served)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    # Real processes, as a user runs them: this test process has long loaded CTranslate2,
    # with whatever thread count the first test to load it pinned (interviewsense/threads.py).
    exe = str(Path(sys.executable).with_name("interviewsense"))
    for out, workers in ((one, "1"), (two, "2")):
        args = [exe, "batch", str(manifest), "--out", str(out), "--workers", workers]
        done = subprocess.run(args, capture_output=True, text=True, timeout=600)
        assert done.returncode == 3, done.stderr
    assert one.read_bytes() == two.read_bytes()


def many_answers(tmp_path: Path, n: int, workers: int) -> tuple[Path, list[str]]:
    """A folder of ``n`` short spoken answers (item00 …), its results file, and the
    command that scores it with ``workers`` processes: (results, command)."""
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(n):
        speech.espeak(f"Answer number {i}: I led the project and we shipped it on time.",
                      folder / f"item{i:02d}.wav")  # fmt: skip
    out = tmp_path / "results.csv"
    return out, [sys.executable, "-m", "interviewsense", "batch", str(folder), "--out",
                 str(out), "--workers", str(workers)]  # fmt: skip


def test_a_batch_written_to_a_log_says_how_far_it_got(tmp_path: Path) -> None:
    """A review: with stderr not a terminal (nohup, a CI log), a batch showed no progress at
    all until its summary. It now writes a plain line now and then (every 30 s; every row
    here), and one at the end."""
    import io

    from rich.console import Console

    from interviewsense.cli._ui import RichReporter
    from interviewsense.config import load_settings
    from interviewsense.flows.batch import run_batch

    manifest = tmp_path / "typed.csv"
    with manifest.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "question", "transcript"])
        for i in range(3):
            w.writerow([f"t{i}", "Tell me about a deadline.", f"I moved {i + 2} releases up."])
    log = io.StringIO()
    console = Console(file=log, force_terminal=False, width=200)
    reporter = RichReporter(console, plain_every_s=0.0)
    summary = run_batch(manifest, tmp_path / "out.csv", load_settings(), reporter, workers=1)
    assert summary.done == 3
    lines = log.getvalue().splitlines()
    assert "Scoring 3 answers: 1/3 answers (33 %), about" in lines[0], lines
    assert "Scoring 3 answers: 3/3 answers (100 %)" in lines[-2]
    assert lines[-1].startswith("Scoring 3 answers: 3/3 answers (100 %), in "), lines
    assert "\x1b" not in log.getvalue()  # plain text, no bar drawn


def test_a_long_step_still_writes_a_progress_line_on_time() -> None:
    """A review: a batch of one 12-minute recording wrote nothing to its log for 10 minutes,
    though a line comes every PLAIN_EVERY_S: lines came only when an item finished."""
    import io
    import time

    from rich.console import Console

    from interviewsense.cli._ui import RichReporter

    log = io.StringIO()
    reporter = RichReporter(Console(file=log, force_terminal=False, width=200), plain_every_s=1.0)
    with reporter.progress("Scoring 2 answers", total=2, unit="answers") as advance:
        advance(0)
        time.sleep(2.6)  # one long item: no advance at all
    lines = log.getvalue().splitlines()
    assert len(lines) >= 3, lines  # two while it ran, and the last
    assert lines[0].startswith("Scoring 2 answers: 0/2 answers (0 %)"), lines
    assert lines[-1].startswith("Scoring 2 answers: 0/2 answers (0 %), in "), lines


def test_a_link_to_a_recording_that_is_gone_is_a_row_that_says_so(tmp_path: Path) -> None:
    """A review: a dangling symlink in the folder was skipped without a word, so an answer
    was missing from a cohort's results unsaid (a folder of them alone: "holds no audio")."""
    folder = tmp_path / "cohort"
    folder.mkdir()
    (folder / "dana.wav").symlink_to(tmp_path / "moved-away" / "dana.wav")
    out = tmp_path / "out.csv"
    result = run(str(folder), "--out", str(out))
    assert result.exit_code == 1, result.output  # nothing was scored: not a partial result
    assert "the answer failed; none was scored" in result.stderr
    [row] = rows(out)
    assert row["id"] == "dana" and row["status"] == "error"
    assert row["error"] == f"no such file: {folder / 'dana.wav'}"


def test_killed_half_way_then_resumed(tmp_path: Path) -> None:
    n = 16  # after the first new row of the resumed run, the Ctrl-C has 11 answers to stop
    out, cmd = many_answers(tmp_path, n, workers=1)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ))  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.exists() and len(out.read_text().splitlines()) >= 5:  # header + 4 rows
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = rows(out)
    assert 4 <= len(partial) < n
    refused = subprocess.run(cmd, capture_output=True, text=True)
    assert refused.returncode == 1 and "--resume" in refused.stderr
    # Ctrl-C: exit 130, with what was done, where it is and how to go on (QA: "interrupted").
    proc = subprocess.Popen([*cmd, "--resume"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(rows(out)) <= len(partial):
        time.sleep(0.05)
    seen = len(rows(out))
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (seen, len(partial), err)  # rows when the Ctrl-C came
    assert "stopped: " in err and "answers scored" in err, err
    assert str(out) in "".join(err.split()), err  # wrapped or not
    assert "--resume to score the rest" in err
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    final = [r["id"] for r in rows(out)]
    assert final == [f"item{i:02d}" for i in range(n)]  # every item, exactly once, in order
    assert "already done" in resumed.stderr


def test_ctrl_c_twice_stops_two_workers_at_once(tmp_path: Path) -> None:
    """A review: Ctrl-C pressed twice (to the terminal's whole process group) stopped a
    two-worker batch's main process, then it waited for ever for workers the second one had
    broken; a third gave a traceback and left two orphans."""
    out, cmd = many_answers(tmp_path, 8, workers=2)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ), start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (out.exists() and len(rows(out)) >= 1):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: every process of the group
    time.sleep(0.3)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    # What was done, or (the second Ctrl-C came as that was said) that it was interrupted.
    assert "Traceback" not in err and ("answers scored" in err or "interrupted" in err), err

    def running() -> list[str]:  # the group's processes but those ended (zombies)
        ps = subprocess.run(["ps", "-o", "stat=,pid=", "-g", str(proc.pid)],
                            capture_output=True, text=True)  # fmt: skip
        return [line for line in ps.stdout.splitlines() if not line.strip().startswith("Z")]

    until = time.monotonic() + 10
    while running() and time.monotonic() < until:
        time.sleep(0.1)
    assert not running(), f"workers left running: {running()}"
    assert 1 <= len(rows(out)) < 8


def test_the_same_real_recording_ten_times_in_two_workers_is_one_transcript(
    tmp_path: Path,
) -> None:
    """Same audio, same transcript: the thread count is pinned and the temperature
    fallback's sampling is seeded, so no worker or run decodes it differently."""
    (real,) = [r for r in speech.real_recordings("monologue") if r.name == "cold_corpus"]
    manifest = tmp_path / "same.csv"
    manifest.write_text("id,audio\n" + "".join(f"take{i},{real.path}\n" for i in range(10)))
    out = tmp_path / "same.jsonl"
    exe = str(Path(sys.executable).with_name("interviewsense"))
    done = subprocess.run(
        [exe, "batch", str(manifest), "--out", str(out), "--workers", "2"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line)["answer"] for line in out.read_text().splitlines()]
    transcripts = {json.dumps(a["transcript"], sort_keys=True) for a in answers}
    assert len(answers) == 10 and len(transcripts) == 1
    assert speech.wer(real.text, answers[0]["transcript"]["text"]) <= 0.15


def test_no_whisper_model_is_one_error_not_a_failed_row_per_answer(
    recordings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEWSENSE_WHISPER_MODEL", "medium.en")  # not installed here
    result = run(str(recordings), "--out", str(tmp_path / "r.csv"), "--workers", "1")
    assert result.exit_code == 4, result.stderr  # a missing dependency, not a partial run
    assert "no Whisper model 'medium.en'" in result.stderr
    assert "models download medium.en" in result.stderr
    # QA: a header-only results file stayed, and the fixed command then found it in its way.
    assert not (tmp_path / "r.csv").exists()
    monkeypatch.delenv("INTERVIEWSENSE_WHISPER_MODEL")
    bad = tmp_path / "bad.toml"
    bad.write_text('version = "x"\n[weights]\ncontent = "lots"\n')
    for rubric in (str(tmp_path / "nope.toml"), str(bad)):  # was an error row per answer, exit 3
        result = run(str(recordings), "--out", str(tmp_path / "r.csv"), "--rubric", rubric)
        assert result.exit_code == 1, result.stderr
        assert not (tmp_path / "r.csv").exists()


def test_the_manifest_and_other_files_are_never_written_over(tmp_path: Path) -> None:
    """QA found `-o` pointed at the manifest, or `--resume` at a file that is not a results
    file, mixed results into it (or failed as a bug, exit 70). Both are refused, untouched."""
    manifest = tmp_path / "answers.csv"
    manifest.write_text(f"id,transcript\nx,{TRANSCRIPT}\n")
    before = manifest.read_bytes()
    (tmp_path / "hard.csv").hardlink_to(manifest)  # QA: a hard link got past the check
    for target, extra in itertools.product(
        ("answers.csv", "hard.csv"), ([], ["--resume"], ["--overwrite"])
    ):
        result = run(str(manifest), "--out", str(tmp_path / target), *extra)
        assert result.exit_code == 1, result.stderr
        assert "over the manifest" in result.stderr and "Traceback" not in result.output
        assert manifest.read_bytes() == before
    for name, text in (("notes.csv", "my notes\n"), ("other.jsonl", '{"a": 1}\n')):
        other = tmp_path / name
        other.write_text(text)
        result = run(str(manifest), "--out", str(other), "--resume")
        assert result.exit_code == 1, result.stderr
        assert "not a results file" in result.stderr
        assert other.read_text() == text
    # A results file it wrote itself still resumes.
    out = tmp_path / "results.csv"
    assert run(str(manifest), "--out", str(out)).exit_code == 0
    again = run(str(manifest), "--out", str(out), "--resume", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["skipped"] == 1


def test_line_breaks_inside_a_field_keep_every_row(tmp_path: Path) -> None:
    """QA: a question holding a line break (quoted in the CSV), U+2028 or a form feed cost
    rows: the results were read back line by line, so a quoted field shifted every later row
    and the last was cut off, with exit 0. A review: a lone carriage return (left unquoted by
    the csv module) and a field over its 128 KB limit then lost every row after them. A row
    cut inside its quotes is dropped on resume."""
    questions = ["Tell me about a team.", "Line one\nline two?", "A\u2028second part?",
                 "Form\x0cfeed?", "Lone\rreturn?", "x" * 200_000 + "?", "Last one?"]  # fmt: skip
    ids = [f"r{i}" for i in range(1, len(questions) + 1)]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        "".join(
            json.dumps({"id": i, "question": q, "transcript": TRANSCRIPT}) + "\n"
            for i, q in zip(ids, questions, strict=True)
        )
    )
    out_csv, out_jsonl = tmp_path / "o.csv", tmp_path / "o.jsonl"
    for out in (out_csv, out_jsonl):
        result = run(str(manifest), "--out", str(out), "--workers", "1")
        assert result.exit_code == 0, result.output
    assert [(r["id"], r["question"]) for r in rows(out_csv)] == list(
        zip(ids, questions, strict=True)
    )
    records = out_jsonl.read_bytes().decode().split("\n")[:-1]
    assert [json.loads(r)["answer"]["question"] for r in records] == questions
    # Killed while writing r2's question: the file ends inside its quotes.
    whole = out_csv.read_bytes()
    out_csv.write_bytes(whole[: whole.index(b"Line one\n") + len(b"Line one\n")])
    resumed = run(str(manifest), "--out", str(out_csv), "--workers", "1", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert [(r["id"], r["question"]) for r in rows(out_csv)] == list(
        zip(ids, questions, strict=True)
    )
    # A blank line left by hand, and the last row cut inside its quotes: the cut is made
    # after the last whole row, wherever the blank line put it.
    header, rest = out_csv.read_bytes().split(b"\n", 1)
    out_csv.write_bytes(header + b"\n\n" + rest[:-5])
    resumed = run(str(manifest), "--out", str(out_csv), "--workers", "1", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert [(r["id"], r["question"]) for r in rows(out_csv)] == list(
        zip(ids, questions, strict=True)
    )


def test_a_malformed_row_is_its_own_error_row_and_no_id_is_shared(tmp_path: Path) -> None:
    """A review: a CSV row with a field more than the header (an unquoted comma) crashed the
    batch (exit 70); a quote never closed swallowed every row after it, scored as one; a JSON
    object as a transcript was scored as Python's text of it; a row with no id took the id
    line-N, so a real row 'line-N' was then a duplicate; and two files with one name but
    the suffix ("ans.wav", "ans.WAV") were one row of the results: one answer lost."""
    csv_manifest = tmp_path / "m.csv"
    csv_manifest.write_text(
        "id,transcript\n"
        f'a1,"{TRANSCRIPT}"\n'
        f"a2,{TRANSCRIPT},extra\n"  # its commas are not quoted
        f",{TRANSCRIPT}\n"  # no id, on line 4
        f'line-4,"{TRANSCRIPT}"\n'
        f'a3,"{TRANSCRIPT}\n'  # never closed
        f'a4,"{TRANSCRIPT}"\n'
    )
    out = tmp_path / "o.csv"
    result = run(str(csv_manifest), "--out", str(out), "--workers", "1")
    assert result.exit_code == 3, result.output  # some failed, the others are scored
    got = {r["id"]: r for r in rows(out)}
    assert got["a1"]["status"] == "ok" and got["line-4"]["status"] == "ok"
    assert got["line-3"]["error"].startswith("line 3 has more fields than the header")
    assert got["line-4#"]["error"] == "line 4 has no id"
    never_closed = next(r for r in got.values() if "never closed" in r["error"])
    assert never_closed["error"].startswith("line 6: ")
    assert "a4" not in got and len(got) == 5
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text(json.dumps({"id": "c", "transcript": {"text": TRANSCRIPT}}) + "\n")
    nested = run(str(jsonl), "--out", str(tmp_path / "o2.csv"), "--workers", "1")
    assert nested.exit_code == 1, nested.output  # its one row failed
    (row,) = rows(tmp_path / "o2.csv")
    assert row["error"] == "line 1: transcript holds a JSON object or list, not text"
    from interviewsense.flows.batch_input import file_ids

    assert file_ids(["ans.wav", "ans.WAV", "bob.wav", "x/alice.mp3", "x/alice.m4a"]) == [
        "ans.wav", "ans.WAV", "bob", "x/alice.mp3", "x/alice.m4a"]  # fmt: skip


def test_the_totals_are_this_inputs_and_a_full_disk_at_the_end_loses_no_row(
    tmp_path: Path,
) -> None:
    """A review: resumed with another manifest, the totals and the exit code were the whole
    file's (3, "none was scored", for a run that scored its one answer); and a disk that
    filled as the rows were put in input order said only "the disk is full", though every
    row was saved."""
    from tests.helpers import tmpfs

    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(f'id,transcript\nx,"{TRANSCRIPT}"\ny,\n')  # y: an empty transcript
    second.write_text(f'id,transcript\nz,"{TRANSCRIPT}"\n')
    out = tmp_path / "ab.csv"
    assert run(str(first), "--out", str(out), "--workers", "1").exit_code == 3
    resumed = run(str(second), "--out", str(out), "--workers", "1", "--resume", "--json")
    assert resumed.exit_code == 0, resumed.output
    summary = json.loads(resumed.stdout)
    assert (summary["total"], summary["failed"]) == (1, 0), summary
    assert {r["id"] for r in rows(out)} == {"x", "y", "z"}
    six = tmp_path / "six.csv"
    six.write_text("id,transcript\n" + "".join(f'r{i},"{TRANSCRIPT}"\n' for i in range(6)))
    with tmpfs(tmp_path / "small", "size=8k") as small:  # the rows fit once, not twice
        full = run(str(six), "--out", str(small / "r.csv"), "--workers", "1")
        assert full.exit_code == 0, full.output
        assert "every row is saved in" in full.stderr and "--resume" in full.stderr
        assert sorted(r["id"] for r in rows(small / "r.csv")) == [f"r{i}" for i in range(6)]


def test_flags_and_rows_that_would_be_ignored_say_so(tmp_path: Path) -> None:
    """QA: --retries without --ray was taken and ignored; a JSONL row with neither audio nor
    transcript said only "no audio"; a manifest with a header and no rows gave no hint."""
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"id": "x", "transcript": TRANSCRIPT}) + "\n")
    retries = run(str(manifest), "--out", str(tmp_path / "r.csv"), "--retries", "5")
    assert retries.exit_code == 1 and "--retries applies to a batch on a Ray cluster" in (
        retries.stderr
    )
    assert not (tmp_path / "r.csv").exists()
    manifest.write_text(json.dumps({"id": "x", "question": "Why?"}) + "\n")
    row = run(str(manifest), "--out", str(tmp_path / "r.jsonl"), "--json")
    assert json.loads(row.stdout)["failures"][0]["error"] == "the row has no audio or transcript"
    header_only = tmp_path / "h.csv"
    header_only.write_text("id,transcript\n")
    empty = run(str(header_only), "--out", str(tmp_path / "h-out.csv"))
    assert empty.exit_code == 1 and "has no rows to score" in empty.stderr
    assert "hint: add one row per answer" in empty.stderr


def test_no_cell_of_the_csv_runs_as_a_formula(tmp_path: Path) -> None:
    """QA: an id, a question or an answer from a web form starting with "=" was written as is
    to the CSV the docs say to open in a spreadsheet, which runs it. Such cells are written
    after a "'" (shown as text, hidden) and read back as they were: resume skips them."""
    cells = [("=HYPERLINK(\"http://x\",\"y\")", "+SUM(A1)?", "=1+2 " + TRANSCRIPT),
             ("@cmd", "-2 or 3?", "'quoted " + TRANSCRIPT),
             ("plain", "Plain?", TRANSCRIPT)]  # fmt: skip
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(
        json.dumps({"id": i, "question": q, "transcript": t}) + "\n" for i, q, t in cells
    ))  # fmt: skip
    out = tmp_path / "o.csv"
    assert run(str(manifest), "--out", str(out), "--workers", "1").exit_code == 0
    written = rows(out)
    for (i, q, t), row in zip(cells, written, strict=True):
        for sent, cell in ((i, row["id"]), (q, row["question"]), (t, row["transcript"])):
            assert cell == (sent if sent[0].isalpha() else "'" + sent)
    again = run(str(manifest), "--out", str(out), "--resume", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["skipped"] == len(cells)
    assert rows(out) == written


def test_resume_tries_the_failed_rows_again(tmp_path: Path) -> None:
    """QA: --resume counted a failed row (a file that was missing) as done, so it was never
    scored, and --resume with --overwrite was taken without a word."""
    late = tmp_path / "late.wav"
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "id,audio,transcript\n"
        "typed,,I led the migration of our billing service and we shipped it two weeks early.\n"
        f"late,{late},\n"
    )
    out = tmp_path / "res.csv"
    first = run(str(manifest), "--out", str(out))
    assert first.exit_code == 3, first.stderr
    assert {r["id"]: r["status"] for r in rows(out)} == {"typed": "ok", "late": "error"}
    typed_row = next(r for r in rows(out) if r["id"] == "typed")
    speech.espeak("I led the project and we shipped it on time.", late)  # the file is back
    both = run(str(manifest), "--out", str(out), "--resume", "--overwrite")
    assert both.exit_code == 1 and "choose one" in both.stderr
    resumed = run(str(manifest), "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    final = rows(out)
    assert [r["id"] for r in final] == ["typed", "late"]  # one row an id, in manifest order
    assert [r["status"] for r in final] == ["ok", "ok"]
    assert final[0] == typed_row  # the scored row was kept, not scored again


def test_a_jsonl_row_that_cannot_be_read_keeps_its_id(tmp_path: Path) -> None:
    """A review: {"id": "obj", "transcript": {"text": …}} became the error row "line-1", so
    the results no longer said whose answer failed."""
    from interviewsense.flows.batch_input import read_manifest

    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        '{"id": "obj", "transcript": {"text": "hi"}}\n{"transcript": ["no id"]}\n'
        '{"id": "ok", "transcript": "I led the move."}\n'
    )
    items = read_manifest(manifest, question="", qtype="behavioral")
    assert [(i.id, bool(i.error)) for i in items] == [
        ("obj", True),
        ("line-2", True),
        ("ok", False),
    ]
    assert items[0].error == "line 1: transcript holds a JSON object or list, not text"
