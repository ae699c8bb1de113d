"""One builder makes every Answer (scoring.engine.build_answer), with one "no speech" note."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import interviewsense
from interviewsense.audio.load import load_audio
from interviewsense.config import load_settings
from interviewsense.domain import Question, Transcript
from interviewsense.errors import BadInputError
from interviewsense.flows.finalize import analyse, finalize, load_transcriber
from interviewsense.progress import Quiet
from interviewsense.scoring.engine import NO_SPEECH_NOTE, build_answer
from interviewsense.scoring.rubric import load_rubric
from tests import speech


def test_only_the_builder_constructs_an_answer() -> None:
    package = Path(interviewsense.__file__).parent
    builders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if called and node.func.id == "Answer":  # type: ignore[attr-defined]
                builders.append(path.relative_to(package).as_posix())
    assert builders == ["scoring/engine.py"]


def test_a_typed_answer_with_nothing_said_gets_the_note() -> None:
    answer = build_answer(
        Transcript(text="", engine="text"), Question(text="Why us?"), {"embedder": None}
    )
    assert answer.notes == [NO_SPEECH_NOTE]
    assert answer.question == "Why us?" and answer.question_info is not None


@pytest.mark.slow
def test_a_silent_recording_gets_the_same_note(tmp_path: Path) -> None:
    """A silent recording in a session (practice, an API answer) is scored with the note; a
    file given to finalize on its own is refused instead (nothing to keep a 0 for)."""
    path = speech.write_wav(tmp_path / "quiet.wav", speech.silence(3.0), 16000)
    settings = load_settings()
    audio = load_audio(path)
    answer = analyse(audio, Question(text="Why us?"), load_transcriber(settings, Quiet()),
                     load_rubric(), settings, Quiet())  # fmt: skip
    assert answer.notes == [NO_SPEECH_NOTE]
    assert answer.audio is not None and answer.audio.duration_s == pytest.approx(3.0, abs=0.05)
    with pytest.raises(BadInputError, match="no speech was heard"):
        finalize(str(path), settings, Quiet(), question="Why us?")


def test_a_recording_too_coarse_or_too_long_is_refused_with_its_reason(tmp_path: Path) -> None:
    """A review: speech resampled to 1 kHz was scored 23 ("Uh, uh,") without a word; and
    hours of sound were decoded whole before anything was refused."""
    import numpy as np

    from interviewsense.audio.load import MIN_RATE
    from interviewsense.errors import TooLongError

    coarse = speech.write_wav(tmp_path / "coarse.wav", np.zeros(MIN_RATE), MIN_RATE // 2)
    with pytest.raises(BadInputError, match=f"sampled at {MIN_RATE // 2} Hz, too low"):
        load_audio(coarse)
    phone = speech.write_wav(tmp_path / "phone.wav", np.zeros(2 * MIN_RATE), MIN_RATE)
    assert load_audio(phone).duration_s == pytest.approx(2.0, abs=0.05)
    long = speech.write_wav(tmp_path / "long.wav", speech.silence(12.0), 16000)
    with pytest.raises(TooLongError, match="longer than the 0.1-minute limit"):
        load_audio(long, max_s=6.0)
    assert load_audio(long, max_s=13.0).duration_s == pytest.approx(12.0, abs=0.05)


def test_an_answer_in_another_language_says_its_content_score_is_not_reliable() -> None:
    """A review: an on-topic German STAR answer scored 49, "about something else", and
    nothing said that content is read for English answers only."""
    from interviewsense.scoring.engine import OTHER_LANGUAGE_NOTE

    text = "Ich habe das Team geleitet, und wir haben die Kosten um dreissig Prozent gesenkt."
    q = Question(text="Tell me about a calculated risk.", type="behavioral")
    typed = Transcript(text=text, engine="text")
    german = build_answer(typed, q, {"embedder": None, "language": "de"})
    assert german.notes == [OTHER_LANGUAGE_NOTE.format(language="de")]
    for english in ("en", "en-GB"):
        assert build_answer(typed, q, {"embedder": None, "language": english}).notes == []
