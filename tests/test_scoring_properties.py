"""Invariants of the scorer, checked on generated answers (hypothesis)."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from interviewsense.domain import Question, Transcript, Word
from interviewsense.scoring.delivery import long_pauses
from interviewsense.scoring.engine import score_answer
from interviewsense.scoring.text import tokens

VOCAB = (
    "I we led built the a team service project customers result because so and then it "
    "was failed shipped 40% three weeks Kafka um uh like you know maybe just I think "
    "situation task action as a result in the end"
).split()
FILLERS = ["um", "uh", "er", "basically"]
QUESTIONS = [
    Question(text="Tell me about a time you led a project.", type="behavioral"),
    Question(text="How does a cache work?", type="technical"),
    Question(text="Why do you want this job?", type="general"),
]


@st.composite
def answers(draw: st.DrawFn) -> Transcript:
    n = draw(st.integers(min_value=0, max_value=120))
    words, t = [], draw(st.floats(min_value=0, max_value=2))
    for _ in range(n):
        t += draw(st.floats(min_value=0.05, max_value=0.6))
        if draw(st.integers(0, 9)) == 0:
            t += draw(st.floats(min_value=0.5, max_value=5.0))
        length = draw(st.floats(min_value=0.05, max_value=0.6))
        words.append(
            Word(w=draw(st.sampled_from(VOCAB)), start=round(t, 3), end=round(t + length, 3))
        )
        t += length
    return Transcript(text=" ".join(w.w for w in words), engine="whisper-final", words=words)


@settings(max_examples=150, deadline=None)
@given(answers(), st.sampled_from(QUESTIONS))
def test_scores_stay_in_range(tr: Transcript, q: Question) -> None:
    score, feedback = score_answer(tr, q)
    assert 0 <= score.overall <= 100
    assert 0 <= score.content.score <= 100
    assert score.delivery.score is None or 0 <= score.delivery.score <= 100
    assert score.band in ("strong", "good", "developing", "needs work")
    for part in score.content.breakdown + score.delivery.breakdown:
        assert 0 <= part.points <= part.max_points
    assert 1 <= len(feedback) <= 4
    assert all(cap.points >= score.overall for cap in score.caps)


@settings(max_examples=150, deadline=None)
@given(answers(), st.sampled_from(QUESTIONS), st.data())
def test_more_fillers_never_raise_a_score(tr: Transcript, q: Question, data: st.DataObject) -> None:
    """Fillers said in the middle of the answer (sharing a neighbour's time, so no pause
    changes) never raise the delivery score, the content score or the overall score."""
    assume(len(tr.words) >= 2)  # a filler goes between two words
    before, _ = score_answer(tr, q)
    words = list(tr.words)
    for _ in range(data.draw(st.integers(min_value=1, max_value=10))):
        at = data.draw(st.integers(min_value=1, max_value=len(words) - 1))
        left = words[at - 1]
        words.insert(at, Word(w=data.draw(st.sampled_from(FILLERS)), start=left.end, end=left.end))
    more = Transcript(text=" ".join(w.w for w in words), engine="whisper-final", words=words)
    after, _ = score_answer(more, q)
    assert after.delivery.fillers.count > before.delivery.fillers.count
    assert (after.delivery.score or 0) <= (before.delivery.score or 0)
    assert after.content.score <= before.content.score
    assert after.overall <= before.overall


@settings(max_examples=100, deadline=None)
@given(answers(), st.floats(min_value=0.3, max_value=5.0), st.floats(min_value=0.3, max_value=5.0))
def test_a_lower_pause_threshold_finds_at_least_as_many_pauses(
    tr: Transcript, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    toks = tokens(tr)
    assert len(long_pauses(toks, None, low)) >= len(long_pauses(toks, None, high))


@settings(max_examples=50, deadline=None)
@given(answers(), st.sampled_from(QUESTIONS))
def test_scoring_is_deterministic(tr: Transcript, q: Question) -> None:
    assert score_answer(tr, q) == score_answer(tr, q)
