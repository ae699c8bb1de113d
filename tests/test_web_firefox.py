"""The practice page in Firefox: Debian's firefox-esr, headless, driven over WebDriver BiDi
by puppeteer-core (tests/firefox_page.mjs; nothing downloaded). Firefox's microphone is the
default PulseAudio source, the tests' virtual microphone (tests/vmic.py), into which the
spoken answer is played once the page listens; against a real server with real Whisper.
Chromium's tests are in tests/test_web.py."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interviewsense.interviewer.personas import get_persona
from interviewsense.tts.base import speech_synthesis_hints
from tests import speech
from tests.serve_server import TYPED, Server, session_of, start_server, stop, wav_seconds
from tests.services import stop_process
from tests.speech import Spoken
from tests.vmic import VirtualMic

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FIREFOX = "/usr/bin/firefox-esr"
DRIVER = ROOT / "tests" / "firefox_page.mjs"
LIVE_WER = 0.35  # as tests/test_web.py: the live transcript of the 25 s answer
SILENCE_S = 4.0  # end of answer: longer than the 3 s pause inside answer_wav


@pytest.fixture(scope="module")
def firefox() -> str:
    if not Path(FIREFOX).is_file():
        pytest.skip(f"{FIREFOX} is not installed ('make test' installs firefox-esr)")
    if shutil.which("node") is None or not (ROOT / "node_modules" / "puppeteer-core").is_dir():
        pytest.fail("node or puppeteer-core is missing: run 'make test' (npm ci installs it)")
    return FIREFOX


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("web-firefox"))
    yield srv
    stop(srv)


class Driven:
    """tests/firefox_page.mjs running: its JSON lines as they come."""

    def __init__(self, options: dict[str, Any], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            ["node", str(DRIVER), json.dumps(options)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        raw = self.proc.stdout.readline()
        if not raw:
            self.proc.wait(timeout=30)
            err = self.proc.stderr.read().decode() if self.proc.stderr else ""
            raise AssertionError(f"the driver ended ({self.proc.returncode}): {err[-3000:]}")
        return dict(json.loads(raw))

    def close(self) -> None:
        stop_process(self.proc, grace_s=10)


def drive(server: Server, env: dict[str, str], **options: Any) -> Driven:
    url = f"{server.url}/?silence_s={SILENCE_S}"
    return Driven({"url": url, "firefox": FIREFOX, **options}, env)


def browser_env(vmic: VirtualMic) -> dict[str, str]:
    """Firefox's environment (puppeteer gives it a fresh profile): headless, with the
    virtual microphone's PulseAudio."""
    env = {k: v for k, v in os.environ.items() if k not in ("PULSE_SERVER", "DISPLAY")}
    env.update(vmic.audio_env)
    return env


def test_a_spoken_answer_in_firefox_is_heard_live_and_scored(
    server: Server, firefox: str, vmic: VirtualMic, answer_wav: Spoken
) -> None:
    vmic.quiet()
    run = drive(server, browser_env(vmic), mic="system")
    try:
        assert run.line() == {"recording": True}  # the page listens: the candidate speaks
        vmic.play(answer_wav.path)
        got = run.line()
    finally:
        run.close()
        vmic.quiet()
    assert not got["errors"], got["errors"]
    events = got["events"]
    # Heard live: the frames went over the socket, transcripts came back, then the end.
    assert got["frames"] >= 10 * answer_wav.duration * 0.9, got["frames"]
    assert events[0] == "ready" and "transcript" in events, events
    assert events.index("end") < events.index("scored"), events
    assert len(got["heard_live"].split()) >= 3
    view = session_of(server, (got["session_id"], got["user_id"]))
    answer = view["session"]["turns"][0]["answer"]
    assert got["overall"] == answer["scores"]["overall"]
    # The worklet's resampling from Firefox's rate is right: the words are heard, and the
    # recording is as long as the answer (it began a moment before the answer was played).
    assert got["sample_rate"] == 48000  # resampled to 16 kHz by the page's worklet
    assert speech.wer(answer_wav.script, got["final"]) <= LIVE_WER, got["final"]
    wav = next(server.home.rglob(f"{view['store_id']}/{answer['audio']['path']}"))
    expected = answer_wav.duration + SILENCE_S - 0.5
    assert expected - 1.0 <= wav_seconds(wav) <= expected + 2.0, (wav_seconds(wav), got)
    # client_tts: Firefox was asked to speak the question with the persona's rate and pitch.
    hints = speech_synthesis_hints(get_persona("friendly").voice)
    spoken = got["spoken"]
    assert spoken and view["session"]["turns"][0]["question"]["text"] in spoken[0]["text"]
    assert math.isclose(spoken[0]["rate"], float(str(hints["rate"])), abs_tol=1e-3)
    assert math.isclose(spoken[0]["pitch"], float(str(hints["pitch"])), abs_tol=1e-3)


def test_with_the_microphone_denied_firefox_offers_typed_answers(
    server: Server, firefox: str, vmic: VirtualMic
) -> None:
    # A microphone is there (without one Firefox says NotFoundError), but it is blocked.
    run = drive(server, browser_env(vmic), mic="denied", typed=TYPED)
    try:
        got = run.line()
    finally:
        run.close()
    assert not got["errors"], got["errors"]
    assert "NotAllowedError" in got["typed_note"], got["typed_note"]
    assert got["events"] == [] and got["frames"] == 0  # nothing was recorded
    answer = session_of(server, (got["session_id"], got["user_id"]))["session"]["turns"][0]
    assert answer["answer"]["transcript"]["text"] == TYPED
    assert got["overall"] == answer["answer"]["scores"]["overall"]
