"""Fuzzing (hypothesis) the parts that read what a crash or a user leaves behind: WAV repair,
manifest parsing and session loading. Valid input round-trips exactly; damaged input is
repaired into a consistent file or refused with a clear error; nothing else escapes."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from interviewsense.audio.load import SAMPLE_RATE, load_audio
from interviewsense.audio.recorder import WavWriter, inspect_wav, repair_wav
from interviewsense.domain import (
    INTERVIEW_TYPES,
    Answer,
    Question,
    Session,
    Transcript,
    Turn,
    to_json,
)
from interviewsense.errors import InterviewSenseError
from interviewsense.flows.batch_input import read_manifest
from interviewsense.scoring.engine import score_answer
from interviewsense.scoring.text import clean_text, words_from_text
from interviewsense.storage.store import SessionStore
from tests.helpers import wav_bytes

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid_wav(n: int = 800) -> bytes:
    return wav_bytes(np.tile(np.array([0.0005, -0.0005], dtype=np.float32), n // 2))


pcm16 = st.lists(st.integers(-32768, 32767), min_size=1, max_size=4000).map(
    lambda xs: np.array(xs, dtype="<i2")
)


def stdlib_wav(path: Path, pcm: np.ndarray, rate: int, channels: int = 1) -> None:
    """``pcm`` written by Python's own wave module: a writer independent of ours."""
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(channels)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())


@FUZZ
@given(pcm16)
def test_a_valid_16k_wav_loads_to_the_same_samples(pcm: np.ndarray) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.wav"
        stdlib_wav(path, pcm, SAMPLE_RATE)
        assert repair_wav(path) is False  # nothing to repair in a valid file
        loaded = load_audio(path)
        assert loaded.notes == []
        assert np.array_equal(np.round(loaded.samples * 32768).astype(np.int32), pcm)
        assert loaded.info.sample_rate == SAMPLE_RATE and loaded.info.channels == 1


@FUZZ
@given(
    st.integers(min_value=80, max_value=8000),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.sampled_from([8000, 11025, 22050, 44100, 48000]),
    st.sampled_from([1, 2]),
)
def test_a_valid_wav_at_any_rate_keeps_its_duration(
    frames: int, seed: int, rate: int, channels: int
) -> None:
    """At least 10 ms at 8 kHz (a resampler needs a few samples to give any out)."""
    rng = np.random.default_rng(seed)
    pcm = rng.integers(-32768, 32768, size=frames * channels).astype("<i2")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.wav"
        stdlib_wav(path, pcm, rate, channels)
        loaded = load_audio(path)
        assert (loaded.info.sample_rate, loaded.info.channels) == (rate, channels)
        # Resampled to 16 kHz: the same length of time, to within a millisecond or so.
        assert abs(len(loaded.samples) - frames * SAMPLE_RATE / rate) <= 24, len(loaded.samples)


@FUZZ
@given(st.lists(pcm16, min_size=1, max_size=5))
def test_what_our_writer_writes_loads_back(blocks: list[np.ndarray]) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.wav"
        writer = WavWriter(path)
        for block in blocks:
            writer.write(block.tobytes())
        writer.close()
        info = inspect_wav(path)
        expected = np.concatenate(blocks)
        assert info is not None and info.consistent and info.actual == 2 * len(expected)
        got = np.round(load_audio(path).samples * 32768).astype(np.int32)
        assert np.array_equal(got, expected)


def check_repaired(path: Path) -> None:
    """After repair_wav: either not a WAV we read at all, or its header matches its data;
    and loading gives the audio that is there, or a clear error that names the file."""
    info = inspect_wav(path)
    assert info is None or info.consistent, info
    assert repair_wav(path) is False  # repairing twice changes nothing
    try:
        loaded = load_audio(path)
    except InterviewSenseError as exc:
        assert exc.message and str(path) in exc.message, exc.message
        return
    assert len(loaded.samples) > 0
    if info is not None and (info.audio_format, info.channels, info.bits, info.rate) == (
        1, 1, 16, SAMPLE_RATE,
    ):  # fmt: skip
        # 16 kHz mono PCM as the header says: every sample it holds, no more, no fewer.
        assert len(loaded.samples) == info.whole // 2


@FUZZ
@given(st.binary(max_size=300))
def test_repair_and_inspect_take_any_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.wav"
        path.write_bytes(data)
        inspect_wav(path)
        repair_wav(path)
        info = inspect_wav(path)
        assert info is None or info.consistent, info


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
        check_repaired(path)


@FUZZ
@given(st.integers(min_value=1, max_value=799), st.sampled_from([0, 0xFFFFFFFF, 10**6]))
def test_a_cut_recording_is_repaired_to_what_is_there(keep: int, declared: int) -> None:
    """A writer killed mid-answer: the header's sizes are stale, the data is cut anywhere."""
    raw = bytearray(valid_wav())[: 44 + keep]
    raw[40:44] = declared.to_bytes(4, "little")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.wav"
        path.write_bytes(bytes(raw))
        assert repair_wav(path) is True
        info = inspect_wav(path)
        assert info is not None and info.consistent and info.whole == keep - keep % 2
        assert path.stat().st_size == 44 + info.whole
        check_repaired(path)


# Manifest values as a user writes them: any text, trimmed; with what a spreadsheet quotes
# (commas, quotes, line breaks) and characters only Unicode calls line breaks (U+2028 …).
TRICKY = [",", '"', "\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e"]
field_text = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(TRICKY),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": field_text,
            # Control characters are dropped from a transcript (scoring/text.py clean_text):
            # one made of nothing else is an empty transcript, another test's case.
            "transcript": field_text.filter(lambda t: bool(clean_text(t).strip())),
            "question": field_text,
            "type": st.sampled_from(INTERVIEW_TYPES),
            "audio": st.one_of(
                st.just(""), st.from_regex(r"[a-z0-9_-]{1,12}\.wav", fullmatch=True)
            ),
        }
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row["id"],
)


def write_manifest(path: Path, items: list[dict[str, str]]) -> None:
    if path.suffix == ".csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)
        path.write_text(out.getvalue(), encoding="utf-8", newline="")
    else:
        path.write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in items), encoding="utf-8"
        )


@FUZZ
@given(rows, st.sampled_from([".csv", ".jsonl"]))
def test_valid_manifest_rows_parse_to_the_same_values(
    items: list[dict[str, str]], suffix: str
) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"m{suffix}"
        write_manifest(path, items)
        parsed = read_manifest(path, question="default?", qtype="general")
        assert len(parsed) == len(items)
        for position, (item, row) in enumerate(zip(parsed, items, strict=True)):
            audio = str(path.resolve().parent / row["audio"]) if row["audio"] else ""
            assert (item.id, item.position, item.error) == (row["id"], position, "")
            assert (item.transcript, item.question, item.type) == (
                clean_text(row["transcript"]).strip(), row["question"], row["type"],
            )  # fmt: skip
            assert item.audio == audio


@FUZZ
@given(st.text(max_size=400), st.sampled_from([".csv", ".jsonl"]))
@example('"', ".csv")  # found here: a header whose quote never closes was a bug's exit
def test_manifests_never_crash(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"m{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            items = read_manifest(path, question="", qtype="behavioral")
        except InterviewSenseError as exc:
            assert exc.message and str(path) in exc.message, exc.message  # says which file
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
@given(st.floats(0, 1))
def test_a_session_json_cut_anywhere_is_repaired_to_what_it_holds(where: float) -> None:
    """Repair reads a session.json cut short back to its last whole value: whatever the
    cut, the result loads, and a cut after the first turn keeps that turn."""
    from interviewsense.storage.repair import repair_session

    text = json.dumps(SESSION, indent=2)
    cut = int(len(text) * where)
    with tempfile.TemporaryDirectory() as d:
        store = SessionStore(Path(d))
        folder = Path(d) / "20261130-073000-a1b2c3"
        folder.mkdir()
        (folder / "session.json").write_text(text[:cut])
        repair_session(store, "20261130-073000-a1b2c3")
        session = store.load("20261130-073000-a1b2c3")
        if cut > text.index('"summary"'):  # the turns come before it
            assert [t.index for t in session.turns] == [1]
        # Nothing invented (a review): no turn "answered" without its answer, no question
        # made up for a turn of which nothing was left; and a whole answer only when the
        # cut came after it.
        for turn in session.turns:
            assert turn.answer is not None or turn.status != "answered", turn
            assert turn.question.text == "Why?", turn
            if turn.answer is not None:
                assert cut >= text.index('"notes"', text.index('"answer"')), cut


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


def test_cut_short_reads_a_whole_document_and_stops_at_damage() -> None:
    """A review: a whole session.json with junk after it lost its last field, and damage in
    the middle of one salvaged nothing."""
    from interviewsense.storage.repair import _cut_short

    whole = json.dumps({"a": 1, "b": [1, 2], "c": "x"})
    assert _cut_short(whole + "\x00\x00junk") == (json.loads(whole), len(whole), 0)
    damaged = '{"a": "one, [two]", "b": [1, {"c": 2}, 3], "d": tru' + "e, \x00 " * 500 + "}"
    value, at, depth = _cut_short(damaged)
    assert value == {"a": "one, [two]", "b": [1, {"c": 2}, 3], "d": True} and depth == 1
    assert damaged[:at].endswith("true")  # the last whole value before the damage
    assert _cut_short("") == (None, 0, 0)
    assert _cut_short("\x00{}") == (None, 0, 0)  # damage before anything whole
    deep, _, _ = _cut_short("[" * 100_000)  # nested too deeply to read: no crash
    assert deep is None or isinstance(deep, list)
