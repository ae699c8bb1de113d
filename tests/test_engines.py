"""The engine registries: an engine registered here, in the test, and nowhere in the package,
is listed by ``doctor`` and ``models`` and speaks in ``practice`` with no other change."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.config import Settings, load_settings
from interviewsense.engines import EngineInfo, Voice
from interviewsense.errors import BadInputError, MissingDependencyError
from interviewsense.progress import Reporter
from interviewsense.stt.registry import LIVE
from interviewsense.tts.base import VoiceStyle
from interviewsense.tts.registry import TTS

SAID: list[str] = []


class ToySpeaker:
    """Says every text as a 440 Hz beep of one second."""

    name = "toy"

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        SAID.append(text)
        tone = (np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000) * 8000).astype("<i2")
        with wave.open(str(path), "wb") as wf:
            wf.setnchannels(1)
            wf.setsampwidth(2)
            wf.setframerate(16000)
            wf.writeframes(tone.tobytes())
        return 1.0


def build_toy(settings: Settings, reporter: Reporter) -> ToySpeaker:
    return ToySpeaker()


@pytest.fixture
def toy() -> Iterator[None]:
    TTS.register(
        EngineInfo(
            name="toy",
            factory=f"{__name__}:build_toy",
            summary="a beep for every question",
            voices=lambda settings: [Voice("beep", "en", "tests")],
        ),
        first=True,
    )
    SAID.clear()
    yield
    TTS.unregister("toy")


def test_doctor_and_models_list_a_registered_engine(toy: None) -> None:
    result = CliRunner().invoke(app, ["doctor", "--json", "--no-settings"])
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["voice toy"]["status"] == "ok"
    assert "(chosen)" in checks["voice toy"]["detail"]  # first in the order: auto takes it
    result = CliRunner().invoke(app, ["models", "--json"])
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)
    engine = [e for e in found if e["kind"] == "engine" and e["name"] == "toy"]
    assert engine == [
        {
            "kind": "engine",
            "role": "voice",
            "name": "toy",
            "summary": "a beep for every question",
            "streaming": False,
            "languages": ["any"],
            "available": True,
        }
    ]
    assert {"kind": "voice", "engine": "toy", "name": "beep", "language": "en"}.items() <= next(
        v for v in found if v["kind"] == "voice" and v["engine"] == "toy"
    ).items()


def test_practice_speaks_with_a_registered_engine(toy: None, isolated_home: Path) -> None:
    args = ["practice", "--keyboard", "--tts", "toy", "-n", "1", "--no-follow-ups"]
    result = CliRunner().invoke(app, [*args, "--llm", "off", "--json"], input="I led it.\n")
    assert result.exit_code == 0, result.output
    session = json.loads(result.stdout[result.stdout.index("{") :])
    assert session["settings"]["voice"] == "toy"
    question = session["turns"][0]["question"]["text"]
    assert any(question in said for said in SAID)
    folder = isolated_home / "sessions" / session["id"] / "audio"
    assert (folder / "q01.wav").stat().st_size > 16000  # the question's audio is kept


def test_unknown_and_unavailable_engines_say_why() -> None:
    settings = load_settings()
    with pytest.raises(BadInputError, match="unknown text to speech engine 'nope'") as bad:
        TTS.choose(settings, "nope")
    assert "pyttsx3" in (bad.value.hint or "")
    from interviewsense.stt.registry import FINAL

    # QA: it said "(stt-final-engine)", a flag that does not exist.
    with pytest.raises(
        BadInputError, match=r"unknown final transcript engine 'vosk' \(--final-stt\)"
    ):
        FINAL.choose(settings, "vosk")
    with pytest.raises(MissingDependencyError, match="no VOSK model for 'en'"):
        LIVE.choose(settings, "vosk")
    assert LIVE.choose(settings).name == "whisper-live"  # auto: VOSK has no English model
    with pytest.raises(BadInputError):  # a live engine's name is what its transcripts say
        LIVE.register(EngineInfo(name="toy", factory="x:y", summary=""))


def test_auto_lists_the_engines_it_passed_over() -> None:
    """Practice says which better engine auto passed over and how to get it (flows/setup.py)."""
    settings = load_settings()
    chosen = LIVE.choose(settings)
    assert [info.name for info in LIVE.passed_over(settings, chosen)] == ["vosk"]
    named = load_settings({"stt_live_engine": ("whisper-live", "test")})
    assert LIVE.passed_over(named, LIVE.choose(named)) == []


def test_the_shipped_voices_are_the_speaker_names() -> None:
    """domain.SpeakerName lists the engines tts/registry.py ships, in no particular order."""
    from interviewsense.domain import SPEAKER_NAMES

    assert sorted(TTS.names()) == sorted(SPEAKER_NAMES)
