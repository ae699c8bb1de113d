"""The practice page in Firefox: Debian's firefox-esr, headless, driven over WebDriver BiDi
by puppeteer-core (tests/firefox_page.mjs, one command a line; nothing downloaded).
Firefox's microphone is the default PulseAudio source, the tests' virtual microphone
(tests/vmic.py), into which the spoken answer is played once the page listens; against a
real server with real Whisper. One Firefox (and one server) serves the module's tests, each
in a tab of its own; a blocked microphone needs a Firefox of its own. Chromium's tests are in
tests/test_web.py."""

from __future__ import annotations

import json
import math
import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interviewsense.interviewer.personas import get_persona
from interviewsense.tts.base import speech_synthesis_hints
from tests import speech
from tests.serve_server import (
    MOVED_ON,
    SHOWN_WORDS,
    SPY,
    TYPED,
    VOICE,
    Server,
    kept_after_close,
    session_of,
    start_server,
    stop,
    wav_pcm,
    wav_seconds,
)
from tests.services import stop_process
from tests.speech import Spoken
from tests.vmic import VirtualMic

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
FIREFOX = "/usr/bin/firefox-esr"
DRIVER = ROOT / "tests" / "firefox_page.mjs"
STARTS_WITHIN_S = 120.0  # Firefox and puppeteer-core, headless, on a loaded machine
SILENCE_S = 4.0  # end of answer: longer than the 3 s pause inside answer_wav
# The rate the page's AudioContext runs at (the worklet resamples it to 16 kHz).
SAMPLE_RATE = """
const Context = window.AudioContext;
window.AudioContext = class extends Context {
  constructor(...args) {
    super(...args);
    window.__sampleRate = this.sampleRate;
  }
};
"""
WORDS = "document.querySelector('#transcript').textContent.trim().split(/\\s+/).length >= {}"
LISTENING = "!document.querySelector('#stop').disabled"
CARD = "#card:not([hidden])"


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


class Firefox:
    """tests/firefox_page.mjs running one headless Firefox: each method one command to it,
    on its current tab."""

    def __init__(self, firefox: str, vmic: VirtualMic, mic: str) -> None:
        options = {"firefox": firefox, "mic": mic, "init": VOICE + SPY + SAMPLE_RATE}
        self.proc = subprocess.Popen(
            ["node", str(DRIVER), json.dumps(options)],
            env=browser_env(vmic),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.version = self._line(STARTS_WITHIN_S)["browser"]

    def _line(self, within_s: float | None = None) -> dict[str, Any]:
        assert self.proc.stdout is not None
        # The first line only (nothing is buffered yet): a Firefox that hangs as it starts
        # fails the test instead of holding the suite until CI's own limit.
        if within_s is not None and not select.select([self.proc.stdout], [], [], within_s)[0]:
            self.proc.kill()
            raise AssertionError(f"Firefox did not start within {within_s:.0f} s")
        raw = self.proc.stdout.readline()
        if not raw:
            self.proc.wait(timeout=30)
            err = self.proc.stderr.read().decode() if self.proc.stderr else ""
            raise AssertionError(f"the driver ended ({self.proc.returncode}): {err[-3000:]}")
        return dict(json.loads(raw))

    def call(self, op: str, **args: Any) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}).encode() + b"\n")
        self.proc.stdin.flush()
        got = self._line()
        if "error" in got:
            raise AssertionError(got["error"])
        return got["value"]

    def open(self, server: Server) -> None:
        """The page in a new tab (sharing the browser's storage with the tabs before it)."""
        self.call("open", url=f"{server.url}/?silence_s={SILENCE_S}")

    def eval(self, js: str) -> Any:
        return self.call("eval", js=js)

    def wait(self, js: str, timeout_s: float = 120) -> None:
        self.call("wait", js=js, timeout=int(timeout_s * 1000))

    def selector(self, selector: str, timeout_s: float = 120) -> None:
        self.call("selector", selector=selector, timeout=int(timeout_s * 1000))

    def text(self, selector: str) -> str:
        return str(self.eval(f"document.querySelector({json.dumps(selector)}).textContent"))

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()  # the driver closes Firefox and ends
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stop_process(self.proc, grace_s=10)


@pytest.fixture(scope="module")
def browser(firefox: str, vmic: VirtualMic) -> Iterator[Firefox]:
    """One Firefox for the module's tests, the virtual microphone allowed."""
    ff = Firefox(firefox, vmic, mic="system")
    yield ff
    ff.close()


@pytest.fixture
def page(browser: Firefox, vmic: VirtualMic) -> Iterator[Firefox]:
    """The module's Firefox for one test, the microphone quiet; it fails on an uncaught
    error in any page the test opened, and closes the test's tab."""
    vmic.quiet()
    browser.call("errors")
    yield browser
    vmic.quiet()
    try:
        browser.call("close")
    except AssertionError:
        pass  # closed by the test
    errors = browser.call("errors")
    assert not errors, errors


def browser_env(vmic: VirtualMic) -> dict[str, str]:
    """Firefox's environment (puppeteer gives it a fresh profile): headless, with the
    virtual microphone's PulseAudio."""
    env = {k: v for k, v in os.environ.items() if k not in ("PULSE_SERVER", "DISPLAY")}
    env.update(vmic.audio_env)
    return env


def start_page(ff: Firefox, server: Server, questions: int) -> None:
    """The page with a session started: the friendly persona, the browser speaking."""
    ff.open(server)
    ff.call("select", selector="#persona", value="friendly")
    ff.eval(f"document.querySelector('#questions').value = '{questions}'")
    ff.eval("document.querySelector('#client-tts').checked = true")
    ff.call("click", selector="#start")
    ff.selector("#caption:not(:empty)")


def start_answering(
    ff: Firefox, server: Server, questions: int, vmic: VirtualMic, wav: Path
) -> None:
    """A session started (``start_page``), and once the page listens, ``wav`` spoken into
    the virtual microphone."""
    start_page(ff, server, questions)
    ff.wait(LISTENING)
    vmic.play(wav)


def ids_of(ff: Firefox) -> tuple[str, str]:
    """The page's session id and user id."""
    sid, user = ff.eval(
        "[JSON.parse(localStorage.getItem('interviewsense.session')).session_id,"
        " localStorage.getItem('interviewsense.user')]"
    )
    return str(sid), str(user)


def live_of(ff: Firefox) -> dict[str, Any]:
    return dict(ff.eval("window.interviewsenseLive || { events: [], frames: 0, samples: 0 }"))


def test_a_spoken_answer_in_firefox_is_heard_live_and_scored(
    server: Server, page: Firefox, vmic: VirtualMic, answer_wav: Spoken
) -> None:
    start_answering(page, server, 1, vmic, answer_wav.path)
    page.wait(WORDS.format(3))
    heard_live = page.text("#transcript").strip()
    page.selector(CARD, timeout_s=180)
    live = live_of(page)
    events = live["events"]
    overall = int(page.text("#overall"))
    final = page.eval("document.querySelector('#transcript').dataset.final || ''")
    sample_rate = page.eval("window.__sampleRate || null")
    spoken = page.eval("window.__spoken")
    view = session_of(server, ids_of(page))
    # Heard live: the frames went over the socket, transcripts came back, then the end.
    assert live["frames"] >= 10 * answer_wav.duration * 0.9, live["frames"]
    assert events[0] == "ready" and "transcript" in events, events
    assert events.index("end") < events.index("scored"), events
    assert len(heard_live.split()) >= 3
    answer = view["session"]["turns"][0]["answer"]
    assert overall == answer["scores"]["overall"]
    # The worklet's resampling from Firefox's rate is right: the kept WAV's words are the
    # answer's, and it is as long as the answer (it began a moment before it was played).
    assert sample_rate == 48000  # resampled to 16 kHz by the page's worklet
    assert speech.wer(answer_wav.script, answer["transcript"]["text"]) <= speech.FINAL_WER
    assert speech.wer(answer_wav.script, final) <= speech.DRAFT_WER, final
    wav = next(server.home.rglob(f"{view['store_id']}/{answer['audio']['path']}"))
    # Firefox's capture can miss audio on a loaded machine (1.7 s once, in the resume test
    # below), so the bound under what was played is as loose as there.
    expected = answer_wav.duration + SILENCE_S - 0.5
    assert expected - 2.5 <= wav_seconds(wav) <= expected + 2.0, (wav_seconds(wav), live)
    # client_tts: Firefox was asked to speak the question with the persona's rate and pitch.
    hints = speech_synthesis_hints(get_persona("friendly").voice)
    assert spoken and view["session"]["turns"][0]["question"]["text"] in spoken[0]["text"]
    assert math.isclose(spoken[0]["rate"], float(str(hints["rate"])), abs_tol=1e-3)
    assert math.isclose(spoken[0]["pitch"], float(str(hints["pitch"])), abs_tol=1e-3)


def test_in_firefox_the_keys_stop_repeat_and_skip(
    server: Server, page: Firefox, vmic: VirtualMic, answer_wav: Spoken
) -> None:
    start_answering(page, server, 2, vmic, answer_wav.path)
    page.wait("document.querySelector('#level-meter').value > -50")  # heard
    page.wait("document.querySelector('#transcript').textContent.trim()")
    page.call("press", key=" ")  # Space: stop now, what was said so far is scored
    page.selector(CARD)
    vmic.quiet()
    assert live_of(page)["events"].count("end") == 1
    ids = ids_of(page)
    first = session_of(server, ids)["session"]["turns"][0]["answer"]
    assert first["audio"]["duration_s"] < answer_wav.duration - 3  # cut short
    assert int(page.text("#overall")) == first["scores"]["overall"]

    page.call("press", key="n")  # the next question (or a follow-up), spoken, then heard
    page.wait(LISTENING)
    said = len(page.eval("window.__spoken"))
    page.call("press", key="r")  # asked again: spoken again, the answer starts over
    page.wait(f"window.__spoken.length > {said}", timeout_s=30)
    page.wait(LISTENING)
    asked = page.text("#caption")
    page.call("press", key="s")  # skipped: no score, nothing recorded, on to what comes next
    page.wait(MOVED_ON.format(json.dumps(asked)))
    view = session_of(server, ids)
    second = view["session"]["turns"][1]
    assert second["status"] == "skipped" and second["answer"] is None
    assert not list(server.home.rglob(f"{view['store_id']}/audio/a02.wav"))


def test_in_firefox_closing_the_tab_mid_answer_keeps_it_and_reopening_resumes(
    server: Server, page: Firefox, vmic: VirtualMic, answer_wav: Spoken
) -> None:
    start_answering(page, server, 1, vmic, answer_wav.path)
    page.wait(SHOWN_WORDS.format(3))
    ids = ids_of(page)
    shown = page.text("#transcript")
    page.call("close")  # mid-answer: the candidate is still speaking
    vmic.quiet()
    wav, kept = kept_after_close(server, ids, shown)

    page.open(server)  # the tab opened again: the page offers to resume
    page.selector("#resume:not([hidden])", timeout_s=30)
    page.call("click", selector="#resume")
    page.wait(LISTENING)  # the question asked again, then heard: the answer goes on
    page.wait("document.querySelector('#status').textContent.includes('kept')", timeout_s=30)
    status = page.text("#status")
    vmic.play(answer_wav.path)  # the candidate answers again from the start
    page.selector(CARD, timeout_s=180)
    resumed = page.eval("window.interviewsenseLive.resumed_s")
    sent = page.eval("window.interviewsenseLive.frames")  # 100 ms each, after the resume
    overall = int(page.text("#overall"))
    assert abs(resumed - len(kept) / 32000) <= 0.2, (resumed, len(kept))
    # The page says the server's seconds, rounded as JavaScript does; they may hold a few
    # frames more than the WAV read above (within 0.2 s: checked just before).
    assert f"The {math.floor(resumed + 0.5)} s you had said are kept" in status, status
    answer = session_of(server, ids)["session"]["turns"][0]["answer"]
    assert overall == answer["scores"]["overall"]
    final = wav_pcm(wav)
    # What was received before the close is kept as it was (scoring re-encodes the WAV
    # through floats: a sample may move by one step).
    before, after = (np.frombuffer(b, "<i2").astype(np.int32) for b in (kept, final[: len(kept)]))
    assert len(after) == len(before) and np.abs(after - before).max() <= 2
    assert abs(answer["audio"]["duration_s"] - len(final) / 32000) <= 0.1
    # The answer is the seconds kept, then the whole answer (heard from a moment before it
    # was played), then the silence that ended it (where the silence is heard to start
    # varies: 1.1 s short of this once); the scored transcript has both starts.
    # Every frame the page sent after the resume follows the kept part (but those sent while
    # the server's end of the answer was on its way back: a few tenths of a second).
    after_kept = (len(final) - len(kept)) / 32000
    assert sent * 0.1 - 0.6 <= after_kept <= sent * 0.1 + 0.05, (after_kept, sent)
    # The browser's capture can miss audio on a loaded machine (a clean-clone run had 1.7 s
    # less than the 29 s played and waited for, the socket open all along): so against what
    # was played, the bound below is looser than against what was sent.
    expected = len(kept) / 32000 + answer_wav.duration + SILENCE_S - 0.5
    assert expected - 2.5 <= len(final) / 32000 <= expected + 2.0, (len(final) / 32000, expected)
    # The kept samples are checked above; whether Whisper writes the cut-off first start
    # ("so, um, last ye-") as words varies from run to run, so only the whole answer is
    # required in the scored transcript.
    said = answer["transcript"]["text"].lower()
    assert said.count("last year") >= 1 and "two weeks early" in said, said


def test_with_the_microphone_denied_firefox_offers_typed_answers(
    server: Server, firefox: str, vmic: VirtualMic
) -> None:
    # A microphone is there (without one Firefox says NotFoundError), but it is blocked:
    # a Firefox of its own, since the setting is the browser's.
    ff = Firefox(firefox, vmic, mic="denied")
    try:
        start_page(ff, server, questions=1)
        ff.selector("#typed:not([hidden])")
        typed_note = ff.text("#typed-note")
        ff.call("type", selector="#typed-text", text=TYPED)
        ff.call("click", selector="#send-typed")
        ff.selector(CARD)
        live = live_of(ff)
        overall = int(ff.text("#overall"))
        ids = ids_of(ff)
        errors = ff.call("errors")
    finally:
        ff.close()
    assert not errors, errors
    assert "NotAllowedError" in typed_note, typed_note
    assert live["events"] == [] and live["frames"] == 0  # nothing was recorded
    answer = session_of(server, ids)["session"]["turns"][0]
    assert answer["answer"]["transcript"]["text"] == TYPED
    assert overall == answer["answer"]["scores"]["overall"]
