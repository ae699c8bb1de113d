"""Small builders the tests share: a typed answer scored for real, a saved session with
audio, an LLM reply, WAV bytes by hand, and the headless Chromium command that photographs a
report (scripts/ uses it too)."""

from __future__ import annotations

import contextlib
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from interviewsense.domain import Answer, Question, Session, Transcript, Turn
from interviewsense.scoring.engine import build_answer
from interviewsense.scoring.text import words_from_text


def typed(text: str) -> Transcript:
    """``text`` as the transcript of a typed answer (no word times)."""
    return Transcript(text=text, engine="text", words=words_from_text(text))


def typed_answer(question: Question, text: str) -> Answer:
    """``text`` as a typed answer to ``question``, scored by the real scorer."""
    return build_answer(typed(text), question, {})


def answered_turn(question: Question, text: str, index: int = 1) -> Turn:
    return Turn(
        index=index, question=question, answer=typed_answer(question, text), status="answered"
    )


def make_session(home: Path, seconds: float = 5.0, seed: int = 0) -> str:
    """A saved session with one answer of ``seconds`` of (noise) audio; returns its id."""
    from interviewsense.audio.load import write_wav
    from interviewsense.storage.store import SessionStore, new_session_id, now_iso

    store = SessionStore(home / "sessions")
    session = Session(id=new_session_id(), started_at=now_iso(), kind="practice")
    session.id = session.id[:-6] + f"{seed:06x}"
    store.create(session)
    rng = np.random.default_rng(seed)
    samples = (rng.standard_normal(int(16000 * seconds)) * 0.1).astype(np.float32)
    write_wav(store.audio_path(session.id, "a", 1), samples)
    session.turns.append(Turn(index=1, question=Question(text="Why?"), status="answered"))
    store.save(session)
    return session.id


def completion(content: str) -> dict[str, Any]:
    """An OpenAI chat completion replying ``content``, as a stand-in server sends it."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
    }


def wav_bytes(samples: np.ndarray, rate: int = 16000) -> bytes:
    """A 16-bit mono WAV file's bytes, written by hand so a test can damage its header."""
    raw = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    head = b"RIFF" + struct.pack("<I", 36 + len(raw)) + b"WAVEfmt " + struct.pack("<I", 16)
    return head + fmt + b"data" + struct.pack("<I", len(raw)) + raw


def chromium_screenshot_command(
    chromium: str, page: Path, png: Path, profile: Path, size: tuple[int, int]
) -> list[str]:
    """Headless Chromium, offline and quiet, writing a ``size`` screenshot of ``page``."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={png}",
        page.as_uri(),
    ]


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """``folder`` (created) with a tmpfs mounted on it for the test, e.g. ``size=64k`` (a
    disk that fills up) or ``ro`` (a read-only one); unmounted after. Needs root, as
    ``make test`` runs."""
    folder.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    assert mounted.returncode == 0, "mounting a tmpfs needs root: run the tests as make test does"
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
