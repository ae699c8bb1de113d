"""finalize on real speech through the real Whisper model: transcript, pace, fillers, pause."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from interviewsense.cli import app
from tests import speech
from tests.speech import Spoken

QUESTION = "Tell me about a time you fixed a failing system"
# Fillers spoken in the script, as words: um ×2, uh, you know, I mean, like.
SCRIPT_FILLER_WORDS = 8


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interviewsense", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def check_answer(data: dict[str, Any], spoken: Spoken) -> None:
    assert data["schema"] == "interviewsense.answer/1"
    assert data["question"] == QUESTION
    transcript = data["transcript"]
    assert transcript["engine"] == "whisper-final"
    assert transcript["model"] == "tiny.en"
    error = speech.wer(spoken.script, transcript["text"])
    assert error <= speech.FINAL_WER, f"WER {error:.2f}: {transcript['text']}"
    words = transcript["words"]
    assert words and all({"w", "start", "end", "p"} <= set(w) for w in words)

    delivery = data["scores"]["delivery"]
    expected_wpm = (
        (len(speech.normalize_words(spoken.script)) - SCRIPT_FILLER_WORDS)
        / spoken.speaking_time
        * 60
    )
    assert delivery["wpm"] == pytest.approx(expected_wpm, rel=0.15)
    fillers = delivery["fillers"]
    assert fillers["count"] > 0
    assert fillers["per_100_words"] > 0 and fillers["per_min"] > 0
    assert fillers["top"]
    pauses = delivery["long_pauses"]
    assert len(pauses) == 1, pauses
    assert pauses[0]["start"] == pytest.approx(spoken.pause_at, abs=0.6)
    assert pauses[0]["duration"] == pytest.approx(spoken.pause_len, abs=0.8)

    scores = data["scores"]
    assert 0 <= scores["overall"] <= 100
    assert scores["band"] in {"strong", "good", "developing", "needs work"}
    assert scores["rubric_version"]
    assert {"situation", "task", "action", "result"} == set(scores["content"]["star"])
    assert 2 <= len(data["feedback"]) <= 4


@pytest.mark.slow
def test_finalize_subprocess_json(answer_wav: Spoken) -> None:
    proc = run_cli("finalize", str(answer_wav.path), "--question", QUESTION, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # stdout holds the JSON document and nothing else
    check_answer(data, answer_wav)
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_finalize_cli_runner_json_and_report(answer_wav: Spoken, isolated_home: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["finalize", str(answer_wav.path), "-q", QUESTION, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_answer(data, answer_wav)
    # It was saved as a session, with the answer audio kept at 16 kHz.
    session_dir = isolated_home / "sessions" / data["session_id"]
    saved = json.loads((session_dir / "session.json").read_text())
    assert saved["schema"] == "interviewsense.session/1"
    assert saved["turns"][0]["answer"]["transcript"]["text"] == data["transcript"]["text"]
    assert (session_dir / "audio" / "a01.wav").is_file()

    human = runner.invoke(app, ["finalize", str(answer_wav.path), "-q", QUESTION])
    assert human.exit_code == 0
    assert human.stdout == ""  # the report goes to stderr
    assert "Feedback" in human.stderr
    assert "fillers" in human.stderr
    # A session whose recording went missing says so (QA found "typed answers are final").
    (session_dir / "audio" / "a01.wav").unlink()
    lost = runner.invoke(app, ["finalize", data["session_id"]])
    assert lost.exit_code == 1
    said = " ".join(lost.stderr.split())
    assert "recordings are missing (audio/a01.wav" in said and "sync target" in said


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["mp3", "wav44k-stereo"])
def test_finalize_other_formats(answer_wav: Spoken, tmp_path: Path, kind: str) -> None:
    if kind == "mp3":
        path = speech.encode(answer_wav.path, tmp_path / "answer.mp3", "mp3", rate=44100)
    else:
        samples, rate = speech.read_wav(answer_wav.path)
        path = speech.write_wav(
            tmp_path / "answer44.wav", speech.resample(samples, rate, 44100), 44100, channels=2
        )
    proc = run_cli("finalize", str(path), "-q", QUESTION, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    check_answer(data, answer_wav)
    assert data["audio"]["sample_rate"] == 44100
    assert data["audio"]["channels"] == (1 if kind == "mp3" else 2)
    if kind == "mp3":  # finalized again: still the recording as it came (QA: it became 16000)
        again = run_cli("finalize", data["session_id"], "--json")
        assert again.returncode == 0, again.stderr
        turn = json.loads(again.stdout)
        assert turn["audio"] == data["audio"], (turn["audio"], data["audio"])


@pytest.mark.slow
def test_finalize_url(answer_wav: Spoken, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/answers/answer.wav").respond_with_data(
        answer_wav.path.read_bytes(), content_type="audio/wav"
    )
    url = httpserver.url_for("/answers/answer.wav")
    proc = run_cli("finalize", url, "-q", QUESTION, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    check_answer(data, answer_wav)
    assert data["audio"]["source"] == url
    # A link to the page about a recording, not the recording: QA found the error named our
    # temporary file and suggested scoring it as a transcript.
    httpserver.expect_request("/answers/page.wav").respond_with_data(
        "<html><body>My answer</body></html>", content_type="text/html; charset=utf-8"
    )
    page = httpserver.url_for("/answers/page.wav")
    proc = run_cli("finalize", page)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"error: {page} is a web page (text/html)"), proc.stderr
    assert "download-" not in proc.stderr  # no temporary file named
    # A link that redirects to itself: a review found a 500 with a traceback in the API.
    httpserver.expect_request("/answers/loop.wav").respond_with_data(
        "", status=302, headers={"Location": "/answers/loop.wav"}
    )
    loop = httpserver.url_for("/answers/loop.wav")
    proc = run_cli("finalize", loop)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith(f"error: {loop} redirects too many times"), proc.stderr


@pytest.mark.slow
def test_a_recording_with_no_speech_is_refused_and_nothing_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA: a silent file was saved as a session scored 0, with advice to check the
    microphone, and in a batch it was an "ok" row of 0 that pulled the cohort's mean down."""
    path = speech.write_wav(tmp_path / "quiet.wav", speech.silence(4.0), 16000)
    home = tmp_path / "home"
    monkeypatch.setenv("INTERVIEWSENSE_HOME", str(home))
    proc = run_cli("finalize", str(path), "--json")
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["error"] == "no speech was heard in the recording"
    assert not list((home / "sessions").glob("*/session.json"))
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"id,audio,transcript\nquiet,{path},\ntyped,,{'I led the move. ' * 5}\n")
    out = tmp_path / "r.csv"
    batch = run_cli("batch", str(manifest), "--out", str(out), "--json")
    assert batch.returncode == 3, batch.stderr  # partial: one row failed
    summary = json.loads(batch.stdout)
    assert summary["failures"] == [{"id": "quiet", "error": "no speech was heard in the recording"}]


@pytest.mark.slow
def test_a_sessions_question_and_type_are_replaced_or_refused(
    isolated_home: Path, answer_wav: Spoken
) -> None:
    """QA: `finalize SESSION --type technical` was ignored (still scored as behavioral), and
    `-q` was ignored without a word on a session with several recorded answers."""
    import shutil

    from interviewsense.domain import Question, Turn
    from interviewsense.storage.store import SessionStore
    from tests.helpers import make_session

    one = make_session(isolated_home)
    shutil.copy(answer_wav.path, SessionStore(isolated_home / "sessions").audio_path(one, "a", 1))
    result = CliRunner().invoke(
        app, ["finalize", one, "-t", "technical", "-q", "How does a hash map work?", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    store = SessionStore(isolated_home / "sessions")
    saved = store.load(one)
    assert saved.type == "technical"
    assert (saved.turns[0].question.text, saved.turns[0].question.type) == (
        "How does a hash map work?",
        "technical",
    )
    two = make_session(isolated_home, seed=1)
    session = store.load(two)
    shutil.copy(store.audio_path(two, "a", 1), store.audio_path(two, "a", 2))
    session.turns.append(Turn(index=2, question=Question(text="And then?"), status="answered"))
    store.save(session)
    for flags in (["-q", "Why now?"], ["-t", "technical"]):
        refused = CliRunner().invoke(app, ["finalize", two, *flags])
        assert refused.exit_code == 1, refused.stderr
        assert "session with one recorded answer" in refused.stderr
        assert "has 2" in refused.stderr
    assert store.load(two).turns[1].question.text == "And then?"


@pytest.mark.slow
def test_a_sessions_answer_whisper_cannot_hear_is_kept_as_it_was(
    isolated_home: Path, answer_wav: Spoken
) -> None:
    """A review: re-finalizing a session replaced an answer with an empty one when Whisper
    heard nothing in its recording (44 became 0), and one unreadable recording stopped the
    answers after it, with the session's totals left as they were."""
    import shutil

    from interviewsense.domain import Question, Turn
    from interviewsense.flows.finalize import summarize
    from interviewsense.storage.store import SessionStore
    from tests.helpers import make_session

    store = SessionStore(isolated_home / "sessions")
    sid = make_session(isolated_home)  # answer 1: noise, no words
    first = CliRunner().invoke(app, ["finalize", sid])
    assert first.exit_code == 1, first.stderr  # nothing re-transcribed: nothing changed
    assert "no answer of session" in first.stderr and "kept as it was" in first.stderr
    assert store.load(sid).turns[0].answer is None
    session = store.load(sid)
    shutil.copy(answer_wav.path, store.audio_path(sid, "a", 2))
    store.audio_path(sid, "a", 3).write_bytes(b"RIFF" + b"\0" * 40)  # unreadable
    shutil.copy(answer_wav.path, store.audio_path(sid, "a", 4))
    for index in (2, 3, 4):
        session.turns.append(Turn(index=index, question=Question(text="And?"), status="answered"))
    closing = {"source": "offline", "strengths": ["a comfortable pace"], "gaps": []}
    session.summary["assessment"] = closing
    store.save(session)
    result = CliRunner().invoke(app, ["finalize", sid, "--json"])
    assert result.exit_code == 3, result.stderr  # partly done
    assert "answer 1: no speech was heard" in result.stderr
    assert "answer 3: " in result.stderr and "2 of 4 answers were kept" in result.stderr
    saved = store.load(sid)
    assert [t.answer is not None for t in saved.turns] == [False, True, False, True]
    # The totals follow the answers; the closing assessment stays (a review: it was wiped).
    assert saved.summary == {**summarize(saved), "assessment": closing}
    assert saved.summary["answers"] == 2
    assert json.loads(result.stdout)["id"] == sid
