"""The answer reader (scoring/reader.py): a cross-encoder fine-tuned only on the tuned splits,
reading the question and the answer together, blended into the coach model's rating.

How well it agrees with a coach on answers it never saw is the held-out eval's to say
(tests/test_scoring_eval.py, docs/scoring.md); these check what it is and how it is used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from interviewsense.domain import Question, Score, to_json
from interviewsense.report.data import content_evidence
from interviewsense.scoring import reader as reader_mod
from interviewsense.scoring.coach import LEVELS, split_digest
from interviewsense.scoring.engine import score_answer
from interviewsense.scoring.evaluation import HELD_OUT, SPLITS, UNREAD
from interviewsense.scoring.reader import READER_DIR, load_reader
from interviewsense.scoring.rubric import load_rubric
from interviewsense.scoring.semantic import Embedder
from tests.helpers import typed
from tests.test_scoring_coach import BLAMING, OWNED, QUESTION

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"


def score(text: str, question: str = QUESTION, qtype: str = "behavioral", **kw: object) -> Score:
    q = Question(text=question, type=qtype)  # type: ignore[arg-type]
    return score_answer(typed(text), q, **kw)[0]  # type: ignore[arg-type]


def test_it_learned_only_from_the_tuned_splits_as_they_are() -> None:
    meta = json.loads((READER_DIR / "reader.json").read_text("utf-8"))
    tuned = [s for s in SPLITS if s != HELD_OUT and s not in UNREAD]
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
    # The file it describes is the one shipped (not a model from another training run).
    model = (READER_DIR / "model.onnx").read_bytes()
    assert hashlib.sha256(model).hexdigest() == meta["model_sha256"]


def test_it_reads_a_strong_answer_above_a_weak_one() -> None:
    reader = load_reader()
    assert reader is not None
    owned, blaming = reader.read(QUESTION, OWNED), reader.read(QUESTION, BLAMING)
    assert len(owned) == len(LEVELS)
    # Each step up the bands no likelier than the one below it.
    assert list(owned) == sorted(owned, reverse=True)
    assert owned[1] > 0.5 > blaming[1], (owned, blaming)


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
    assert "reads the question and the answer together" in part.why
    rows = dict(content_evidence(s))
    assert rows["answer reader"].startswith(f"{read_as['p']:.0%} likely good or strong")
    assert to_json(s)["content"]["impression"]["reader"]["band"] == read_as["band"]


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
    (broken / "model.onnx").write_bytes(b"not a model")
    (broken / "reader.json").write_text("{}", "utf-8")
    assert load_reader(broken) is None
