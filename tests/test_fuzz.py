"""Fuzzing (hypothesis) the parts that read what a crash or a user leaves behind: WAV repair,
manifest parsing and session loading. Zero unhandled exceptions."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviewsense.audio.load import load_audio
from interviewsense.audio.recorder import inspect_wav, repair_wav
from interviewsense.domain import Answer, Question, Session, Transcript, Turn, to_json
from interviewsense.errors import InterviewSenseError
from interviewsense.flows.batch_input import read_manifest
from interviewsense.scoring.engine import score_answer
from interviewsense.scoring.text import words_from_text
from interviewsense.storage.store import SessionStore
from tests.helpers import wav_bytes

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid_wav(n: int = 800) -> bytes:
    return wav_bytes(np.tile(np.array([0.0005, -0.0005], dtype=np.float32), n // 2))


@FUZZ
@given(st.binary(max_size=300))
def test_repair_and_inspect_take_any_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.wav"
        path.write_bytes(data)
        inspect_wav(path)
        repair_wav(path)
        info = inspect_wav(path)
        if info is not None and info.audio_format == 1:
            assert repair_wav(path) is False or inspect_wav(path) is not None


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 255)), max_size=8),
    st.integers(min_value=0, max_value=300),
)
def test_damaged_headers_repair_and_load_cleanly(edits: list[tuple[int, int]], cut: int) -> None:
    raw = bytearray(valid_wav())
    for pos, value in edits:
        raw[pos] = value
    raw = raw[: len(raw) - cut]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.wav"
        path.write_bytes(bytes(raw))
        repair_wav(path)
        try:
            load_audio(path)
        except InterviewSenseError:
            pass


@FUZZ
@given(st.text(max_size=400), st.sampled_from([".csv", ".jsonl"]))
def test_manifests_never_crash(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"m{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            items = read_manifest(path, question="", qtype="behavioral")
        except InterviewSenseError:
            return
        ids = [i.id for i in items]
        assert len(ids) == len(set(ids))  # duplicates are renamed, never merged
        for item in items:
            assert item.error or item.audio or item.transcript


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def a_session() -> dict[str, Any]:
    text = "At my last job I led the move and we cut costs by 20 percent."
    transcript = Transcript(text=text, engine="text", words=words_from_text(text))
    scores, feedback = score_answer(transcript, "Why?")
    answer = Answer(question="Why?", transcript=transcript, scores=scores, feedback=feedback)
    session = Session(id="20261130-073000-a1b2c3", started_at="2026-11-30T07:30:00")
    session.turns.append(Turn(index=1, question=Question(text="Why?"), answer=answer))
    return dict(to_json(session))


SESSION = a_session()


def mutate(node: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict) and node:
        key = list(node)[head % len(node)]
        return {**node, key: mutate(node[key], rest, value)}
    if isinstance(node, list) and node:
        i = head % len(node)
        return [*node[:i], mutate(node[i], rest, value), *node[i + 1 :]]
    return value


@FUZZ
@given(st.lists(st.integers(0, 50), max_size=6), json_values, st.booleans())
def test_damaged_sessions_load_or_say_so(path: list[int], value: Any, drop: bool) -> None:
    data = mutate(SESSION, path, value)
    if drop and isinstance(data, dict) and data:
        data.pop(list(data)[len(path) % len(data)], None)
    with tempfile.TemporaryDirectory() as d:
        store = SessionStore(Path(d))
        folder = Path(d) / "20261130-073000-a1b2c3"
        folder.mkdir()
        (folder / "session.json").write_text(json.dumps(data))
        try:
            store.load("20261130-073000-a1b2c3")
        except InterviewSenseError:
            pass
        store.list()  # listing shows a damaged session as such, never crashes


@FUZZ
@given(st.binary(max_size=200))
def test_session_files_that_are_not_json(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "20261130-073000-a1b2c3"
        folder.mkdir()
        (folder / "session.json").write_bytes(data)
        try:
            SessionStore(Path(d)).load("20261130-073000-a1b2c3")
        except InterviewSenseError:
            pass
