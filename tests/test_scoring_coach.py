"""The coach model (scoring/coach.py): learned only from the tuned splits, its verdict a
part of the content score with the sentences that weigh most as evidence.

How well it agrees with a coach on answers it never saw is the held-out eval's to say
(tests/test_scoring_eval.py, docs/scoring.md); these check what it is and how it is used.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

from interviewsense.domain import Answer, Question, Score, to_json
from interviewsense.report.data import content_evidence
from interviewsense.scoring.coach import (
    LEVELS,
    MODEL_FILE,
    RULE_PARTS,
    band_of,
    features,
    load_coach,
    shares,
    split_digest,
)
from interviewsense.scoring.cues import TOLD_DONE
from interviewsense.scoring.engine import score_answer
from interviewsense.scoring.evaluation import HELD_OUT, SPLITS, UNREAD
from interviewsense.scoring.feedback import STRONGER
from interviewsense.scoring.semantic import Embedder
from tests import early
from tests.helpers import typed

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"
QUESTION = "Tell me about a time you had a conflict with a teammate. How did you handle it?"
# Written for this test, not taken from any split: a specific, owned story with an outcome,
# and a complaint that blames everyone and ends in avoidance.
OWNED = (
    "On my last team a designer and I disagreed about whether to ship a redesign of the "
    "settings page before the holidays. She wanted it out; I was worried about the support "
    "load. I asked her for twenty minutes, listened to why the date mattered to her, and "
    "showed her the ticket numbers from the last redesign. We agreed to ship it to ten "
    "percent of users first. Tickets stayed flat, so we rolled it out to everyone a week "
    "later, and since then we review risky launches together before we argue about them."
)
BLAMING = (
    "Honestly there was this guy on my team who was just impossible. He never listened to "
    "anybody and management never did anything about it, because they never do. I told him "
    "a few times that his attitude was a problem but he did not care. In the end I just "
    "stopped working with him and did my own thing. Some people are just like that."
)


# Written for this test: a follow-up answer that says what changes and why, with numbers.
DIFFERENTLY = (
    "I would bring the support numbers a week earlier. This time I found the ticket spike "
    "from the last redesign only on the day before we argued, so she heard it as a veto. If "
    "she had seen it early we could have planned the ten percent rollout together. I now "
    "share the risk data when a launch is first planned, and the last two went out a week "
    "early."
)


def score(text: str, question: str = QUESTION, **kw: object) -> Score:
    return score_answer(typed(text), Question(text=question, type="behavioral"), **kw)[0]  # type: ignore[arg-type]


def test_it_learned_only_from_the_tuned_splits_as_they_are() -> None:
    """Never from the held-out or unread split, and not from a tuned split since edited (the
    digests): otherwise the held-out figures would measure what it memorised."""
    model = load_coach()
    assert model is not None, f"{MODEL_FILE} is missing"
    tuned = [s for s in SPLITS if s not in HELD_OUT and s not in UNREAD]
    assert list(model.splits) == tuned
    assert not set(HELD_OUT) & set(model.splits) and not set(UNREAD) & set(model.splits)
    for split, digest in model.splits.items():
        assert split_digest(EVAL / f"{split}.toml") == digest, f"{split} changed: retrain"
    raw = json.loads(MODEL_FILE.read_text("utf-8"))
    assert [h["level"] for h in raw["heads"]] == list(LEVELS)
    for h in raw["heads"]:
        assert len(h["centre"]) == 384 and len(h["extra"]) == 3
        # The rules' fractions, and not the length: the splits' strong answers run longer.
        assert len(h["rules"]) == len(RULE_PARTS) and "length" not in RULE_PARTS
        # More of a rule part never lowers the estimate: with a negative weight on
        # conciseness, fillers said in a two-word answer raised its content score (12 to 14,
        # a property test in a clean-clone run).
        assert min(h["rules"]) >= 0.0, (h["level"], h["rules"])
    assert model.answers == sum(
        (EVAL / f"{s}.toml").read_text("utf-8").count("[[answer]]") for s in tuned
    )


def test_its_verdict_is_a_part_with_quoted_evidence(embedder: Embedder) -> None:
    owned, blaming = score(OWNED, embedder=embedder), score(BLAMING, embedder=embedder)
    good, bad = owned.content.impression, blaming.content.impression
    assert good["p"] > 0.5 > bad["p"], (good["p"], bad["p"])
    for text, imp in ((OWNED, good), (BLAMING, bad)):
        assert imp["weakest"] in text and imp["strongest"] in text
        assert imp["model"] == load_coach().version and imp["answers"] > 400  # type: ignore[union-attr]
    part = {p.name: p for p in blaming.content.breakdown}["impression"]
    assert part.points < part.max_points / 2
    assert f'"{bad["weakest"][:40]}' in part.why and "coach-rated answers" in part.why
    said = score_answer(
        typed(BLAMING), Question(text=QUESTION, type="behavioral"), embedder=embedder
    )
    advice = [f for f in said[1] if "were mostly rated below good" in f]
    assert advice and STRONGER["behavioral"] in advice[0]
    assert owned.overall - blaming.overall >= 10
    rows = dict(content_evidence(blaming))  # every report format shows these rows
    assert rows["reads most like a weak answer"] == f'"{bad["weakest"]}"'
    assert rows["coach model"].startswith(f"{bad['p']:.0%} likely good or strong")
    assert to_json(owned)["content"]["impression"]["p"] == good["p"]


def test_its_points_are_the_expected_band(embedder: Embedder) -> None:
    """Three steps up the bands, each its own estimate: their mean is the expected band
    (needs work 0 to strong 1), and the points follow it between the rubric's two marks."""
    from interviewsense.scoring.curves import piecewise
    from interviewsense.scoring.rubric import load_rubric

    rubric = load_rubric()
    low, high = rubric.num("content", "impression_none"), rubric.num("content", "impression_full")
    for text in (OWNED, BLAMING):
        s = score(text, embedder=embedder)
        imp = s.content.impression
        assert 0.0 <= imp["quality"] <= 1.0
        part = {p.name: p for p in s.content.breakdown}["impression"]
        assert part.max_points == rubric.num("content", "impression_points")
        want = part.max_points * piecewise(imp["quality"], [(low, 0.0), (high, 1.0)])
        # quality is kept to 3 places and points to 1: the points may be off by what those
        # roundings are worth on the curve
        slack = part.max_points * 0.0005 / (high - low) + 0.05
        assert part.points == pytest.approx(want, abs=slack)
        assert f"reads as {band_of(imp['quality'])}" in part.why
    assert band_of(0.0) == "needs work" and band_of(0.7) == "good" and band_of(0.9) == "strong"


def test_it_needs_the_vectors_it_learned_from(embedder: Embedder) -> None:
    """No embedding model (key terms), no coach part: the content score is the rules'."""
    lexical = score(OWNED, embedder=None)
    assert lexical.content.impression == {}
    assert "impression" not in [p.name for p in lexical.content.breakdown]
    off = score(OWNED, embedder=embedder, coach=None)
    assert off.content.impression == {} and off.content.relevance["method"] == "embedding"


def test_another_embedding_model_leaves_it_out(embedder: Embedder) -> None:
    """Its weights mean something only in the vectors it learned from: the model file's
    SHA-256 is checked, not its name (which is the same for any folder)."""
    model = load_coach()
    assert model is not None and model.embedding_sha256 == embedder.identity
    other = dataclasses.replace(model, embedding_sha256="0" * 64)
    s = score(OWNED, embedder=embedder, coach=other)
    assert s.content.impression == {} and "impression" not in [p.name for p in s.content.breakdown]


def test_the_evidence_is_each_sentence_share_of_the_verdict(embedder: Embedder) -> None:
    """The shares add up to the model's logit (less its bias), so the sentence called the
    weakest is the one that pulls it down most."""
    import numpy as np

    model = load_coach()
    assert model is not None
    s = score(BLAMING, embedder=embedder)
    sents = BLAMING.split(". ")
    vectors = embedder.embed([x if x.endswith(".") else x + "." for x in sents])
    q = embedder.embed([QUESTION])[0]
    centre, extra = features(vectors, q)
    head = model.head()  # "good or strong": the estimate the evidence explains
    logit = float(centre @ head.centre + extra @ head.extra)
    part = shares(model, vectors, q)
    assert float(part.sum()) == pytest.approx(logit, abs=1e-6)
    assert s.content.impression["weakest"] in BLAMING
    assert len(part) == len(sents) and np.isfinite(part).all()


def test_a_quote_is_shown_as_text_not_markup(embedder: Embedder) -> None:
    """A sentence with square brackets once crashed the terminal report (Rich markup)."""
    import io

    from rich.console import Console

    from interviewsense.report.terminal import render_answer

    text = "I kept my notes in [/etc/app] and [bold]nobody[/bold] read them."
    s, advice = score_answer(typed(text), Question(text=QUESTION, type="behavioral"),
                             embedder=embedder)  # fmt: skip
    out = io.StringIO()
    render_answer(Console(file=out, width=300), Answer(QUESTION, typed(text), s, advice))
    assert "[/etc/app] and [bold]nobody[/bold]" in out.getvalue()
    # QA: the terminal never said why the headline number was under its parts.
    binding = min(s.caps, key=lambda c: c.points)
    assert s.overall == int(binding.points)
    assert f"at most {int(binding.points)}: {binding.why}" in out.getvalue()


def test_with_an_llm_judge_its_verdict_decides_the_caps(embedder: Embedder) -> None:
    """The judge reads meaning; the coach model's "reads weak" cap is for when nothing does.
    Its points still count."""
    from interviewsense.scoring.judge import PartReply
    from tests.test_scoring_meaning import judged

    plain = score(BLAMING, embedder=embedder)
    assert "reads weak" in [c.name for c in plain.caps]
    verdict = judged(True, 4, 4, PartReply(present=False))
    s = score(BLAMING, embedder=embedder, judge=lambda q, t, a: verdict)
    assert s.content.method == "llm" and "reads weak" not in [c.name for c in s.caps]
    assert s.content.impression["p"] == plain.content.impression["p"]


def test_a_follow_up_is_rated_on_the_main_answers_scale(embedder: Embedder) -> None:
    """A follow-up answer is read as an answer to its own question, so a reply with nothing
    in it no longer scores like a sound one (it scored 63 by the rules alone, in a session
    mean with main answers scored by the model; followups1 in docs/scoring.md). Structure
    and relevance still earn a follow-up no points."""
    q = Question(text="What would you do differently next time?", type="behavioral",
                 follow_up=True, follow_up_of=QUESTION)  # fmt: skip
    thin, _ = score_answer(typed("We did it together as a team and it went fine."), q,
                           embedder=embedder)  # fmt: skip
    owned, _ = score_answer(typed(DIFFERENTLY), q, embedder=embedder)
    for s in (thin, owned):
        names = [p.name for p in s.content.breakdown]
        assert "impression" in names and not {"structure", "relevance"} & set(names)
        assert s.content.impression["model"] and s.content.impression["weakest"]
    assert thin.overall < 60 <= owned.overall - 10
    assert thin.content.impression["quality"] < owned.content.impression["quality"]


@pytest.mark.slow
@pytest.mark.early([sys.executable, ROOT / "scripts" / "train_coach.py", "--check"])
def test_the_shipped_model_is_what_the_training_script_makes(
    request: pytest.FixtureRequest,
) -> None:
    """One fact, one place: the file is the script's output on the splits it names.

    Retraining takes minutes of CPU and reads only the splits: it starts in the background
    when the run is collected, at the lowest priority, and this test waits for it last
    (tests/early.py)."""
    out = early.result(request.node, timeout=850)
    assert out.returncode == 0, out.stdout
    assert "the shipped model matches" in out.stdout, out.stdout


def test_a_rubric_of_ones_own_reweighs_points_not_what_the_model_reads(
    embedder: Embedder, tmp_path: Path
) -> None:
    """It learned the built-in rubric's fractions: a stricter specificity rule changes the
    specificity points, not the model's reading of the answer."""
    from interviewsense.scoring.rubric import load_rubric

    mine = tmp_path / "rubric.toml"
    mine.write_text("[content]\nspecificity_full = 12\nstructure_points = 5\n", "utf-8")
    rubric = load_rubric(mine)
    own = score(OWNED, embedder=embedder, rubric=rubric)
    plain = score(OWNED, embedder=embedder)
    assert own.content.impression["p"] == plain.content.impression["p"]
    assert own.content.impression["quality"] == plain.content.impression["quality"]
    spec = {p.name: p for p in own.content.breakdown}["specificity"]
    assert spec.points < {p.name: p for p in plain.content.breakdown}["specificity"].points


def test_a_model_file_of_another_shape_is_left_out(embedder: Embedder, tmp_path: Path) -> None:
    """An older single-model file, or rule weights for other parts, would misread every
    answer: such a file is not loaded, and the part is left out, not a crash."""
    from interviewsense.scoring.coach import load_coach as load

    raw = json.loads(MODEL_FILE.read_text("utf-8"))
    for name, change in (
        ("old.json", lambda r: {k: v for k, v in r.items() if k != "heads"}),
        ("parts.json", lambda r: {**r, "rule_parts": list(reversed(r["rule_parts"]))}),
        ("short.json", lambda r: {**r, "heads": [{**h, "rules": h["rules"][:-1]}
                                                 for h in r["heads"]]}),
    ):  # fmt: skip
        path = tmp_path / name
        path.write_text(json.dumps(change(raw)), "utf-8")
        assert load(path) is None, name
    s = score(OWNED, embedder=embedder, coach=None)
    assert s.content.impression == {}


def test_the_advice_for_the_lowest_cap_comes_first(embedder: Embedder) -> None:
    """QA: with four caps, the advice that lifts the lowest (too short, then 49) came fourth, and
    practice shows three: the candidate never saw it."""
    text = "I fixed the build and then everyone was happy."
    s, advice = score_answer(typed(text), Question(text=QUESTION, type="behavioral"),
                             embedder=embedder)  # fmt: skip
    lowest = min(s.caps, key=lambda c: c.points)
    assert lowest.name == "too short" and len(s.caps) >= 3, s.caps
    assert advice[0].startswith("At 9 words"), advice


def test_the_weakest_sentence_is_a_claim_not_what_happened(embedder: Embedder) -> None:
    """A coach's review: the sentence that reads weakest, with "back it with one thing that
    really happened to you", was the answer's one story ("So we built a simple ranked list
    …"). A sentence that tells something the speaker did is quoted only when all do."""
    text = (
        "Um, I think my biggest strength is that I'm good at explaining technical stuff to "
        "people who aren't technical. Like, at my current job I sit between the data team and "
        "the sales team, and when sales wanted a new churn report, I didn't just build it. I "
        "sat with 2 of the reps and figured out what question they were trying to answer. So "
        "we built a simple ranked list instead of a big dashboard, and they use it every "
        "Monday. The other strength, I'd say, is I'm pretty persistent."
    )
    q = Question(text="What are your strengths?", type="general")
    s, _ = score_answer(typed(text), q, embedder=embedder)
    weakest = s.content.impression["weakest"]
    assert not TOLD_DONE.search(weakest.lower()) and not weakest.startswith("So we built"), weakest
    short = text.replace("The other strength", "Okay, so strengths. The other strength")
    s, _ = score_answer(typed(short), q, embedder=embedder)  # nor a few words of throat-clearing
    assert s.content.impression["weakest"] != "Okay, so strengths."
    story = "I rebuilt the report. We shipped it in March."  # only what happened: one is quoted
    told, _ = score_answer(typed(story), q, embedder=embedder)
    assert told.content.impression["weakest"] in (
        "I rebuilt the report.",
        "We shipped it in March.",
    )


@pytest.mark.parametrize(
    ("said", "done"),
    [
        ("so we built a ranked list", True),
        ("i rewrote the guide", True),
        ("i phoned her that night", True),
        ("i'm not sure we succeeded", True),
        ("we agreed on a plan", True),  # the review of this change: "-eed" verbs were lost
        ("we freed up two engineers", True),
        ("we speed it up with a cache", False),
        ("i need to get better at delegating", False),  # a review: "need" ends in "ed"
        ("we need more tests", False),
        ("i wanted to lead", False),
        ("we used to ship monthly", False),
        ("i believed it would work", False),
    ],
)
def test_what_counts_as_told_done(said: str, done: bool) -> None:
    assert bool(TOLD_DONE.search(said)) is done
