"""The interviewer's voice, live: practice with Piper through the PulseAudio speaker sink
(tests/vmic.py), heard by the test as a candidate would hear it."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interviewsense.config import load_settings
from interviewsense.flows.finalize import load_transcriber
from interviewsense.progress import Quiet
from tests import speech
from tests.practice import Run, practice_env, wav_seconds
from tests.vmic import VirtualMic

ANSWER = (
    "Last year I led the move of our billing service to a new platform. The old system "
    "failed every week, so I planned the move in three phases, and we finished two weeks early."
)
MOST_WER = 0.2
# The answer ends after 1.5 s of silence, the fixed rule: the recording's length below counts
# on it, whatever practice's default end-of-answer rule becomes.
FIXED_END = ["--silence", "1.5"]


def heard(samples: np.ndarray) -> str:
    return load_transcriber(load_settings(), Quiet()).transcribe(samples.astype(np.float32)).text


def wav_text(path: Path) -> str:
    samples, rate = speech.read_wav(path)
    return heard(speech.resample(samples, rate, 16000))


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech.espeak(ANSWER, tmp_path_factory.mktemp("voice") / "answer.wav")


@pytest.mark.slow
@pytest.mark.parametrize(("engine", "most_wer"), [("piper", MOST_WER), ("pyttsx3", 0.6)])
def test_question_is_played_and_kept(
    engine: str, most_wer: float, vmic: VirtualMic, answer_wav: Path, tmp_path: Path
) -> None:
    """Each voice through the sound card: what was played is the question, as long as its
    kept WAV. espeak-ng's voice is harder to hear: tiny.en's WER on it is about 24 % over
    the bench's 30 questions (under 5 % for Piper), and up to 47 % on a behavioral question
    ("Tell me I'm out of mistake, you made me affect the numbers."): still the question,
    where any other speech would be near 100 %."""
    home = tmp_path / "home"
    tap = vmic.tap()
    args = ["-n", "1", "--no-follow-ups", "--llm", "off", "--json", "--tts", engine, *FIXED_END]
    run = Run(args, practice_env(home, vmic), vmic, [answer_wav])
    try:
        code, data = run.finish()
    finally:
        tap.stop()
    assert code == 0, run.stderr
    assert data["settings"]["voice"] == engine
    turn = data["turns"][0]
    text = turn["question"]["spoken"] or turn["question"]["text"]
    kept = turn["question_audio"]
    assert kept["source"] == f"tts:{engine}" and kept["path"] == "audio/q01.wav"
    path = home / "sessions" / data["id"] / kept["path"]
    # One question is about 13 words: one word misheard is 8 %, and tiny.en mishears one
    # or two now and then ("improved a process" -> "improve the process"). The 5 % goal is
    # measured over 30 questions by 'make bench' (docs/performance.md); here, two words.
    assert speech.wer(text, wav_text(path)) <= most_wer  # the artifact is the question
    samples, rate = speech.read_wav(path)
    assert kept["duration_s"] == pytest.approx(samples.size / rate, abs=0.05)

    shown = next(t for t, line in run.stamps if line.startswith("Question 1/1"))
    listening = next(t for t, line in run.stamps if line.startswith("listening"))
    sound = [t for t in tap.sound(shown) if t <= listening]
    assert sound, "nothing was played"
    # What the candidate heard: the whole question, as long as the file (less its last
    # pause), and Whisper hears the question in it.
    assert sound[-1] - sound[0] == pytest.approx(kept["duration_s"], abs=0.6)
    assert speech.wer(text, heard(tap.between(shown, listening))) <= most_wer
    timings = turn["timings"]
    assert timings["question_spoken"] - timings["question_shown"] < 1.5  # the first words


def wait_for(check: Callable[[], float | None], timeout: float = 60.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        time.sleep(0.01)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_speaking_over_the_question_stops_it_and_is_the_answer(
    vmic: VirtualMic, answer_wav: Path, tmp_path: Path
) -> None:
    """The candidate starts answering 1.8 s into the question: the question stops within
    300 ms of their first word, and the answer is recorded from that word on."""
    home = tmp_path / "home"
    tap, ear = vmic.tap(), vmic.tap("vmic")  # what is played, what the microphone hears
    args = ["-n", "1", "--no-follow-ups", "--llm", "off", "--json", *FIXED_END]
    run = Run(args, practice_env(home, vmic), vmic, [])  # the test speaks, not on "listening"
    try:
        shown = wait_for(
            lambda: next((t for t, line in run.stamps if line.startswith("Question 1/1")), None)
        )
        began = wait_for(lambda: next(iter(tap.sound(shown)), None))
        time.sleep(1.8)  # into the second sentence ("Let's start." is the first)
        played = time.monotonic()
        vmic.play(answer_wav)
        code, data = run.finish()
    finally:
        tap.stop()
        ear.stop()
    assert code == 0, run.stderr
    samples, rate = speech.read_wav(answer_wav)
    spoke = ear.sound(played)[0]  # the first word, as the microphone heard it
    question = [t for t in tap.sound(began) if t < spoke + 1.2]  # the closing comes later
    assert any(spoke - 0.1 < t <= spoke for t in question), "the question was not sounding"
    stopped_after = question[-1] - spoke
    print(f"the question stopped {stopped_after * 1000:.0f} ms after the first word")
    # The goal is 300 ms (122-254 ms measured, docs/performance.md), most of it the
    # microphone's 100 ms blocks; twice that on a loaded machine is still a stop at the
    # first word, where without barge-in the question would sound on for seconds.
    assert stopped_after <= 0.6, stopped_after
    turn = data["turns"][0]
    assert turn["timings"]["barge_in"] < turn["timings"]["question_spoken_end"]
    assert turn["question_audio"]["duration_s"] > question[-1] - began + 0.5  # cut short
    transcript = turn["answer"]["transcript"]["text"]
    assert speech.wer(ANSWER, transcript) <= 0.3, transcript
    assert speech.normalize_words(transcript)[:2] == ["last", "year"]  # from the first word
    recorded = home / "sessions" / data["id"] / "audio" / "a01.wav"
    assert wav_seconds(recorded) == pytest.approx(
        len(samples) / rate - speech.speech_bounds(samples, rate)[0] + 1.5, abs=1.0
    )


@pytest.mark.slow
def test_a_stop_while_the_question_is_spoken_leaves_it_unanswered(
    vmic: VirtualMic, tmp_path: Path
) -> None:
    """A review: Ctrl-C while the question played left its turn "asking" in the saved
    session, a state only a running session has."""
    home = tmp_path / "home"
    args = ["-n", "2", "--llm", "off", "--tts", "pyttsx3", *FIXED_END]
    run = Run(args, practice_env(home, vmic), vmic, [])
    wait_for(lambda: next((t for t, line in run.stamps if line.startswith("Question 1/2")), None))
    time.sleep(0.8)
    run.proc.send_signal(signal.SIGINT)
    code, _ = run.finish()
    assert code == 130, run.stderr
    (folder,) = (home / "sessions").iterdir()
    session = json.loads((folder / "session.json").read_text())
    assert session["status"] == "interrupted"
    (turn,) = session["turns"]
    assert turn["status"] == "unanswered", turn
    assert any("before this question was answered" in n for n in turn["notes"]), turn
