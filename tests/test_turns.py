"""End of answer: the Smart Turn model on real speech, and the policy (audio/turn.py,
audio/endpoint.py)."""

from __future__ import annotations

import numpy as np
import pytest

from interviewsense.audio.turn import find_turn_model, load_turn_model
from tests.speech import read_wav, real_recordings

RATE = 16_000


def _recording(name: str) -> np.ndarray:
    (rec,) = [r for r in real_recordings() if r.name == name]
    samples, rate = read_wav(rec.path)
    assert rate == RATE
    return samples


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    found = load_turn_model()
    if found is None:
        raise RuntimeError("no Smart Turn model: run 'make install' (scripts/smart_turn.py)")
    return found


def test_model_is_found_and_off_means_off() -> None:
    assert find_turn_model() is not None
    assert find_turn_model("off") is None
    assert load_turn_model() is load_turn_model()  # once per process


def test_clean_sentence_end_scores_high_and_a_trailing_word_low(model) -> None:  # type: ignore[no-untyped-def]
    # LibriSpeech 61-70968-0000, a real reader: "he began a confused complaint against the
    # wizard who had vanished behind the curtain on the left". Cut points are where Whisper
    # put the word ends, plus 0.3 s of the silence that follows.
    read = _recording("61-70968-0000")
    whole = model.predict(read)
    trailing_the = model.predict(read[: int(4.12 * RATE)])  # "… behind the"
    assert whole > 0.5, whole
    assert trailing_the < 0.2, trailing_the
    # A spontaneous speaker: "… um this is me talking really slow … and" cut after "and".
    talk = _recording("acoustic_corpus")
    assert model.predict(talk[: int(11.6 * RATE)]) < 0.2
    # "i have a thousand thoughts about that thing."
    assert model.predict(_recording("mfa_thoughts")) > 0.8
    assert model.calls >= 4 and model.cpu_s > 0
