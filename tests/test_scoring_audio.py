"""Scores on real speech (espeak-ng through the real Whisper model), where each metric has
a known value: the speaking rate, the fillers and pauses, a flat against a lively voice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewsense.audio.load import load_audio
from interviewsense.config import load_settings
from interviewsense.domain import Answer, Question
from interviewsense.flows.finalize import analyse, load_transcriber
from interviewsense.progress import Quiet
from interviewsense.scoring.rubric import load_rubric
from interviewsense.stt.whisper_engine import WhisperTranscriber
from tests import speech

TEXT = (
    "Last year I led the migration of our billing service to a new platform. The old system "
    "failed every week, so I planned the move in three phases and we finished two weeks early. "
    "The team was happy and customers stopped complaining about missing invoices."
)
QUESTION = Question(text="Tell me about a project you led.", type="behavioral")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def transcriber() -> Iterator[WhisperTranscriber]:
    yield load_transcriber(load_settings(), Quiet())


def run(path: Path, transcriber: WhisperTranscriber) -> Answer:
    return analyse(load_audio(path), QUESTION, transcriber, load_rubric(), load_settings(), Quiet())


@pytest.mark.parametrize(("rate", "band"), [(110, "slow"), (150, "good"), (210, "fast")])
def test_known_speaking_rate(
    rate: int, band: str, tmp_path: Path, transcriber: WhisperTranscriber
) -> None:
    path = speech.espeak(TEXT, tmp_path / f"rate{rate}.wav", wpm=rate)
    samples, sr = speech.read_wav(path)
    start, end = speech.speech_bounds(samples, sr)
    true_wpm = len(speech.normalize_words(TEXT)) / (end - start) * 60
    delivery = run(path, transcriber).scores.delivery
    assert delivery.wpm == pytest.approx(true_wpm, rel=0.15)
    assert delivery.pace_band == band
    assert delivery.pace_windows and all(w.words > 0 for w in delivery.pace_windows)


def test_known_fillers_and_pauses(tmp_path: Path, transcriber: WhisperTranscriber) -> None:
    script = (
        '<speak>Um, last year I led the move of our billing service. <break time="3s"/> '
        "Uh, the old system failed every week, so, um, I planned the move in three phases. "
        '<break time="3s"/> Uh, we finished, um, two weeks early.</speak>'
    )
    path = speech.espeak(script, tmp_path / "fillers.wav", ssml=True)
    answer = run(path, transcriber)
    d = answer.scores.delivery
    said = [m.w for m in d.fillers.items]
    assert 4 <= d.fillers.count <= 6, said  # 5 spoken: um, uh, um, uh, um
    assert set(said) <= {"um", "uh", "(unclear sound)"}
    assert len(d.long_pauses) == 2, d.long_pauses
    first, second = d.long_pauses
    assert first.duration == pytest.approx(3.0, abs=0.7) and second.duration == pytest.approx(
        3.0, abs=0.7
    )
    assert first.after.strip(".,").lower() == "service"
    assert any("fillers" in f for f in answer.feedback)


def test_flat_voice_against_a_lively_one(tmp_path: Path, transcriber: WhisperTranscriber) -> None:
    def voice(range_: str) -> Answer:
        ssml = f'<speak><prosody range="{range_}">{TEXT}</prosody></speak>'
        return run(speech.espeak(ssml, tmp_path / f"{range_}.wav", ssml=True), transcriber)

    flat, lively = voice("x-low"), voice("x-high")
    fv, lv = flat.scores.voice, lively.scores.voice
    assert fv.available and lv.available
    assert fv.monotone is True and lv.monotone is False
    assert fv.pitch_sd_semitones is not None and lv.pitch_sd_semitones is not None
    assert fv.pitch_sd_semitones < 1.0 < 2.0 < lv.pitch_sd_semitones
    assert (fv.score or 0) < (lv.score or 0)
    assert any("pitch barely moved" in f for f in flat.feedback)
    assert 0.8 <= (fv.speaking_ratio or 0) <= 1.0
    assert fv.loudness_sd_db is not None and fv.loudness_sd_db > 0
