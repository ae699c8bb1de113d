"""``interviewsense serve`` for tests: a real uvicorn process on a free loopback port, its
log in a file, stopped by its handle; the checks every API test shares; and the scripts the
browser tests (tests/test_web.py in Chromium, tests/test_web_firefox.py in Firefox) run in
the practice page before its own."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from interviewsense.config import load_settings
from interviewsense.flows.finalize import load_transcriber
from interviewsense.progress import Quiet
from interviewsense.scoring.delivery import FILLER_SOUNDS
from tests import speech
from tests.isolation import clean_environ, isolated_vars
from tests.llm_server import free_port
from tests.services import stop_process

TYPED = (
    "Last year I led the move of our billing service to a new platform. I planned it in "
    "three phases, wrote the runbook myself, and we finished two weeks early with no outage."
)

# A spy on speechSynthesis.speak: what the page asked the browser to say, and how.
SPY = """
window.__spoken = [];
if (window.speechSynthesis) {
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (u) => {
    window.__spoken.push({ text: u.text, rate: u.rate, pitch: u.pitch, lang: u.lang });
    speak(u);
  };
}
"""

# Headless browsers have no SpeechSynthesis voice (the page would then ask the server to
# speak): this stands in for a desktop browser's voices.
VOICE = """
if (window.speechSynthesis) {
  const voices = window.speechSynthesis.getVoices.bind(window.speechSynthesis);
  const stand_in = { name: "Test voice", lang: "en-US", default: true, localService: true };
  window.speechSynthesis.getVoices = () => (voices().length ? voices() : [stand_in]);
}
"""


@dataclass
class Server:
    url: str
    home: Path
    roots: Path
    log: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)


def server_env(home: Path, **extra: str) -> dict[str, str]:
    env = clean_environ()
    env.update(isolated_vars(home, home / "no-config.toml"), INTERVIEWSENSE_LLM="off", **extra)
    return env


def start_server(
    base: Path, *args: str, home: Path | None = None, port: int = 0, **extra: str
) -> Server:
    """``interviewsense serve`` on ``port`` (a free one by default) with ``args`` added;
    servers given one ``home`` share their sessions."""
    home, roots = home or base / "home", base / "answers"
    roots.mkdir(parents=True, exist_ok=True)
    env = server_env(home, INTERVIEWSENSE_SERVE_AUDIO_ROOTS=str(roots), **extra)
    port = port or free_port()
    log = base / f"server-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "interviewsense", "serve", "--port", str(port), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=base,
        )
    server = Server(f"http://127.0.0.1:{port}", home, roots, log, env, proc)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    proc.terminate()
    pytest.fail(f"the server did not start:\n{log.read_text()}")


def stop(server: Server) -> None:
    stop_process(server.proc, grace_s=20)


def error_of(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) >= {"error", "hint"}, body
    assert isinstance(body["error"], str) and body["error"]
    return dict(body)


def wav_pcm(path: Path) -> bytes:
    with wave.open(str(path), "rb") as wf:
        return wf.readframes(wf.getnframes())


# A page's live transcript shows at least {} words that are no filler sound: the check of what
# a closed tab kept needs two ("So, uh, uh." is one word; a loaded run closed the tab on it).
SHOWN_WORDS = (
    "document.querySelector('#transcript').textContent.toLowerCase().split(/\\s+/)"
    ".map((w) => w.replace(/[^a-z0-9']/g, ''))"
    ".filter((w) => w && !" + json.dumps(sorted(FILLER_SOUNDS)) + ".includes(w)).length >= {}"
)


def kept_after_close(server: Server, ids: tuple[str, str], shown: str) -> tuple[Path, bytes]:
    """The page was closed mid-answer to the first question, when it showed ``shown``:
    nothing is scored (the question still waits), and the answer's WAV holds what was
    received, the words the page showed among it. Its path and its PCM."""
    time.sleep(1.0)
    view = session_of(server, ids)
    assert view["question"]["turn"] == 1
    wav = next(server.home.rglob(f"{view['store_id']}/audio/a01.wav"))
    kept = wav_pcm(wav)
    # The page showed these words, so the server had received them: they are in the WAV.
    # (Not a length: how soon three words show depends on the machine's load; a quiet
    # machine showed "So, um, last" after 1.7 s.)
    words = [w for w in speech.normalize_words(shown) if w not in FILLER_SOUNDS]
    assert words and len(kept) / 32000 >= 0.5, (shown, len(kept))
    samples = np.frombuffer(kept, "<i2").astype(np.float32) / 32768.0
    heard = load_transcriber(load_settings(), Quiet()).transcribe(samples).text
    # All of them but the draft's error rate (at least one): the live transcript is a draft of
    # short passes (tests/speech.py DRAFT_WER; a clean check showed "I went for move off" for
    # "I went to the moon"), and its last word a guess the next audio may change (a loaded run
    # showed "last year, right." for "last year I landed"), so it is not compared. Lost audio
    # misses nearly all of them.
    missing = [w for w in words[:-1] if w not in speech.normalize_words(heard)]
    allowed = max(1, int((len(words) - 1) * speech.DRAFT_WER))
    assert len(words) >= 2 and len(missing) <= allowed, (
        shown,
        heard,
        len(kept),
    )
    return wav, kept


def session_of(server: Server, ids: tuple[str, str]) -> dict[str, Any]:
    """The session's view (``GET /v1/sessions/{id}``) for ``ids``: (session id, user id)."""
    sid, user = ids
    with server.client() as client:
        resp = client.get(f"/v1/sessions/{sid}", params={"user_id": user})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wf:
        return wf.getnframes() / wf.getframerate()


# The page after a skip: the summary, or another question asked (its caption not the skipped
# one's). ``.format(json.dumps(caption))`` with the skipped question's caption.
MOVED_ON = (
    "!document.getElementById('summary').hidden || (!document.getElementById('interview')"
    ".hidden && document.getElementById('caption').textContent !== {})"
)
