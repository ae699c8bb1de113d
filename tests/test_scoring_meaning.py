"""Scoring by meaning: relevance from sentence embeddings, results told as changes,
substance over repetition, advice that quotes the rubric's own numbers, and the LLM judge.

The embedding model is the real one the [models] extra installs (all-MiniLM-L6-v2, int8
ONNX); the judge's plumbing runs against the tests' llama.cpp server and a closed port.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from interviewsense.config import Settings
from interviewsense.domain import Question, Score, Transcript, to_json
from interviewsense.report.data import content_evidence
from interviewsense.scoring.engine import build_answer, score_answer
from interviewsense.scoring.judge import (
    JudgeReply,
    LLMJudge,
    PartReply,
    Verdict,
    check_quotes,
)
from interviewsense.scoring.rubric import load_rubric
from interviewsense.scoring.semantic import Embedder, find_embedding_model, load_embedder
from interviewsense.scoring.substance import UNCHECKED
from tests.helpers import typed
from tests.llm_server import LlamaServer

LEADERSHIP_Q = "Tell me about a time you showed leadership."
# A leadership story that never says "lead", "leader" or "leadership".
PARAPHRASED = (
    "Two years ago our mobile team had no one in charge after our manager left, and the "
    "spring release was slipping. I volunteered to coordinate the five engineers until a "
    "new manager joined. I set up a fifteen minute stand-up each morning, I split the backlog "
    "into three milestones, and I paired with the newest engineer on the payment screen. "
    "When two people disagreed about the offline mode, I wrote up both options and we "
    "picked one in a single meeting. We shipped the release on the planned date, crash "
    "reports fell from 120 a week to 15, and the new manager kept the stand-up format."
)
# Circles the question's words, says nothing specific, hedges the outcome.
CIRCLING = (
    "Leadership is really important to me and I think I have shown leadership many times. "
    "A time I showed leadership was when I showed leadership on my team. Showing leadership "
    "means being a leader, and as a leader I always try to show leadership. I think my "
    "leadership was good, maybe, and I guess the team saw my leadership. Leadership is about "
    "showing leadership at the right time, so that was a time I showed leadership, I think."
)
OFF_TOPIC = (
    "My favourite holiday was a week of hiking in the Alps with my sister. We ate cheese "
    "every day, the huts were cosy, and the views from the ridge were amazing at sunrise."
)


def score(text: str, question: str, qtype: str = "behavioral", **kw: object) -> Score:
    return score_answer(typed(text), Question(text=question, type=qtype), **kw)[0]  # type: ignore[arg-type]


def test_the_packaged_model_is_found_and_embeds(embedder: Embedder) -> None:
    files = find_embedding_model()
    assert files is not None and files.origin.startswith("package")
    v = embedder.embed(["How does a hash map work?", "A hash map stores keys in buckets."])
    assert v.shape == (2, 384)
    assert abs(float((v[0] ** 2).sum()) - 1.0) < 1e-4
    assert float(v[0] @ v[1]) > 0.3


def test_embedding_model_off_and_missing_folders(tmp_path: Path) -> None:
    assert find_embedding_model("off") is None
    assert load_embedder("off") is None
    # A folder that does not hold the model falls through to the packaged one.
    found = find_embedding_model(str(tmp_path))
    assert found is not None and found.origin.startswith("package")


def test_a_paraphrased_answer_is_on_topic_by_meaning(embedder: Embedder) -> None:
    s = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder)
    rel = s.content.relevance
    assert rel["method"] == "embedding"
    assert rel["model"] == embedder.name
    assert rel["closest"] in PARAPHRASED  # the evidence is a quote
    assert "off topic" not in [c.name for c in s.caps]
    assert s.overall >= 70, (s.overall, [c.name for c in s.caps])
    # The same answer judged by key terms alone is called off topic: what the change fixes.
    lexical = score(PARAPHRASED, LEADERSHIP_Q, embedder=None)
    assert lexical.content.relevance["method"] == "lexical"
    assert "note" in lexical.content.relevance


def test_an_answer_about_something_else_is_capped(embedder: Embedder, tmp_path: Path) -> None:
    """MiniLM puts a story about something else (0.21 here) as close to the question as
    strong answers in other words (0.09-0.21 on the eval sets), so the default cap fires
    only below 0.15 and never tells a strong candidate they went off topic
    (docs/scoring.md). The answer still loses relevance points, and a coach who wants the
    old rule sets the threshold in their own rubric."""
    s = score(OFF_TOPIC, LEADERSHIP_Q, embedder=embedder)
    on_topic = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder)
    relevance = {p.name: p for p in s.content.breakdown}["relevance"]
    assert relevance.points < relevance.max_points
    assert s.content.relevance["similarity"] < on_topic.content.relevance["similarity"]
    assert "off topic" not in [c.name for c in s.caps]
    assert s.overall <= 49
    strict = tmp_path / "strict.toml"
    strict.write_text('version = "strict"\n[content]\noff_topic_similarity = 0.22\n', "utf-8")
    capped = score(OFF_TOPIC, LEADERSHIP_Q, embedder=embedder, rubric=load_rubric(strict))
    assert "off topic" in [c.name for c in capped.caps]
    kept = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder, rubric=load_rubric(strict))
    assert "off topic" not in [c.name for c in kept.caps]


def test_an_answer_with_no_question_is_never_off_topic(embedder: Embedder) -> None:
    """QA: `finalize FILE` without -q compared the answer with an empty question, capped it
    "about something else (similarity 0.11)" and advised answering the question asked."""
    from interviewsense.scoring.content import NO_QUESTION

    strict = load_rubric().with_content(off_topic_similarity=0.9)  # would cap any answer
    s = score(PARAPHRASED, "", embedder=embedder, rubric=strict)
    relevance = {p.name: p for p in s.content.breakdown}["relevance"]
    assert relevance.points == relevance.max_points and relevance.why == NO_QUESTION
    assert "off topic" not in [c.name for c in s.caps]
    assert "similarity" not in s.content.relevance
    asked = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder, rubric=strict)
    assert "off topic" in [c.name for c in asked.caps]  # the same rubric, with a question


ABOUT_ME = (
    "I'm a backend engineer with six years in payments. I started at a small startup where I "
    "built their first billing system, which taught me to care about correctness. For the "
    "last three years I've led a team of four on the ledger service, and we moved it off a "
    "single database without downtime, which cut reconciliation errors by about 90 percent. "
    "Next I want money movement at a larger scale, which is why your payouts team interests me."
)


def test_a_question_that_names_no_topic_is_answered_by_what_its_type_asks(
    embedder: Embedder,
) -> None:
    """A coach's review: a strong "Tell me about yourself" was capped off topic (0.13 from
    the question, which names nothing to be near) and told it was about something else."""
    from interviewsense.scoring.feedback import feedback

    question = Question(text="Tell me about yourself.", type="general")
    s, _ = score_answer(typed(ABOUT_ME), question, embedder=embedder)
    rel = s.content.relevance
    assert rel["compared_with"] == "what a general question asks" and rel["similarity"] >= 0.25
    assert "off topic" not in [c.name for c in s.caps]
    relevance = {p.name: p for p in s.content.breakdown}["relevance"]
    assert relevance.why.startswith("similarity to what a general question asks")
    assert not any(
        "something else" in line for line in feedback(s, question, typed(ABOUT_ME), load_rubric())
    )
    rows = dict(content_evidence(s))
    assert "closest to what a general question asks" in rows
    # What a general question asks is still asked: a holiday is about something else.
    off, _ = score_answer(typed(OFF_TOPIC), question, embedder=embedder)
    assert "off topic" in [c.name for c in off.caps]
    said = feedback(off, question, typed(OFF_TOPIC), load_rubric())
    assert any("similarity to what a general question asks" in line for line in said), said
    assert to_json(s)["content"]["relevance"]["asks"].startswith("A direct answer about myself")
    # Asked a little differently, the same (a review: "a little" was a topic of its own).
    from interviewsense.scoring.substance import names_topic

    for asked in (
        "Tell me a little about yourself.",
        "Could you start by telling me about yourself?",
    ):
        assert not names_topic(asked), asked
    assert names_topic("Why us?")  # about the company: compared with the question itself


def test_circling_the_question_never_outscores_a_specific_answer(embedder: Embedder) -> None:
    circling = score(CIRCLING, LEADERSHIP_Q, embedder=embedder)
    specific = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder)
    assert specific.overall - circling.overall >= 10
    assert circling.overall < 60
    dense = circling.content.substance
    assert dense["echo_share"] > 0.3
    assert any("leadership" in p["phrase"] for p in dense["repeated_phrases"])
    part = next(p for p in circling.content.breakdown if p.name == "substance")
    assert "echo the question" in part.why


@pytest.mark.parametrize(
    "story_turn",
    [
        "Three weeks later I followed up with him.",
        "Two weeks later we met again.",
        "I set up the meeting and we went from there.",
        "After that I kind of went from one fire to the next.",
        "Then I went out and talked to the two biggest customers.",
    ],
)
def test_a_story_moving_on_is_no_result(story_turn: str) -> None:
    story = (
        "At my last company our checkout kept timing out. I was responsible for fixing it. "
        "I profiled the service and talked to the team. " + story_turn
    )
    s = score(story, "Tell me about a hard problem you solved.", embedder=None)
    assert not s.content.star["result"].found, story_turn


@pytest.mark.parametrize(
    "result",
    [
        "p95 latency dropped from 900 ms to 200 ms.",
        "Review time went from three days to four hours.",
        "The customer renewed the contract for two more years.",
        "We shipped the new checkout within six weeks.",
        "That let us switch off two of the old servers.",
        "We moved the other four services the next quarter without slipping the launch.",
        "After three weeks she was running the on-call rotation herself.",
        "No-shows went from eighteen percent to just under nine over the next quarter.",
        "After a couple of months he was picking up tickets on his own.",
        "The wait for a decision went from six days to same-day.",
        "Within about a month the backlog was gone.",
        "Two months later the template only pulled from active orders.",
        "Saturday clinics lifted uptake there by around six points.",
        "It went out in the next release, and I removed our fork.",
        "When we switched to enforcing there were only a handful of complaints.",
    ],
)
def test_a_result_told_as_a_change_is_a_result(result: str) -> None:
    story = (
        "At my last company our checkout kept timing out. I was responsible for fixing it. "
        "I profiled the service, I added a cache and I rewrote the slowest query. " + result
    )
    s = score(story, "Tell me about a hard problem you solved.", embedder=None)
    assert s.content.star["result"].found, result
    assert s.content.star["result"].sentence == result
    assert "no result" not in [c.name for c in s.caps]


def test_the_no_result_cap_yields_only_to_a_sure_reading(
    embedder: Embedder, tmp_path: Path
) -> None:
    # No result the detector knows: the story stops at what the candidate did.
    story = (
        "Our warehouse picking app froze every evening at peak. I owned the fix. I traced it "
        "to a lock on the orders table, I split the nightly report into batches and I moved "
        "it to a read replica, and I walked the night shift leads through the new screens."
    )
    q = "Tell me about a hard problem you solved."
    shipped = score(story, q, embedder=embedder)
    assert not shipped.content.star["result"].found
    p = shipped.content.impression["p"]
    capped = "no result" in [c.name for c in shipped.caps]
    assert capped == (p < load_rubric().num("content", "no_result_unless_p"))
    # The threshold is the rubric's: at the answer's own estimate the cap yields, just
    # above it the cap applies, whatever the estimate is.
    at, above = tmp_path / "at.toml", tmp_path / "above.toml"
    at.write_text(f"[content]\nno_result_unless_p = {p}\n")
    above.write_text(f"[content]\nno_result_unless_p = {p + 1e-6}\n")
    yields = score(story, q, embedder=embedder, rubric=load_rubric(at))
    holds = score(story, q, embedder=embedder, rubric=load_rubric(above))
    assert "no result" not in [c.name for c in yields.caps]
    assert "no result" in [c.name for c in holds.caps]
    # Where it yields, the score says so, and why, in the result's own evidence row.
    assert [c.name for c in yields.lifted] == ["no result"] and not holds.lifted
    why = dict(content_evidence(yields))["result"]
    assert why.startswith("not found; its cap does not apply") and f"{p:.0%} likely" in why
    assert dict(content_evidence(holds))["result"] == "not found"


def test_a_stock_line_and_blaming_others_are_caught(embedder: Embedder) -> None:
    cliche = score(
        "My biggest weakness is that I am a perfectionist and I work too hard.",
        "What is your greatest weakness?",
        "general",
        embedder=embedder,
    )
    assert "cliche" in [c.name for c in cliche.caps]
    blame = score(
        "My last manager was useless and the team was a mess. It was never my fault when "
        "releases slipped, because my teammates never listened to me and took the credit.",
        "Why are you leaving your current job?",
        "general",
        embedder=None,
    )
    assert "blames others" in [c.name for c in blame.caps]
    # The advice that lifts each cap comes first, quoting the sentence behind it.
    _, advice = score_answer(
        typed("My biggest weakness is that I am a perfectionist and I work too hard."),
        Question(text="What is your greatest weakness?", type="general"),
        embedder=embedder,
    )
    # (the lowest cap's first: this one's too short, 39, before its stock line, 59)
    assert advice[0].startswith("At 14 words the answer is short")
    assert "is what every candidate says" in advice[1] and "perfectionist" in advice[1]


@pytest.mark.parametrize(
    ("said", "stock"),
    [  # a review: a strength or weakness named as coaches teach, then proved, was capped at 39
        ("My biggest strength is turning messy problems into something a team can act on.", False),
        ("I'd say my greatest strength is being methodical when something isn't working.", False),
        ("My biggest weakness is that I've been slow to delegate.", False),
        ("Honestly, my biggest weakness is that I care too much.", True),
        ("My biggest weakness is perfectionism.", True),
        ("I'm a perfectionist, I just can't let things go.", True),
    ],
)
def test_a_trait_named_in_the_question_s_words_is_no_stock_line(
    said: str, stock: bool, embedder: Embedder
) -> None:
    story = (
        " Last year our warehouse picks were late every Friday. I mapped where the time went, "
        "moved the fast sellers next to packing, and late picks fell from 40 percent to 6."
    )
    asked = "What is your biggest strength, or your biggest weakness?"
    scored = score(said + story, asked, "general", embedder=embedder)
    assert ("cliche" in [c.name for c in scored.caps + scored.lifted]) is stock


def test_a_stock_line_in_an_answer_the_models_read_as_good_caps_nothing(
    embedder: Embedder, tmp_path: Path
) -> None:
    """A review: "My greatest strength is that I care about the people I work with", then a
    story with its figure, was capped as a stock line. From ``cliche_unless_p`` the cap yields,
    and the score says so; under it, it holds."""
    told = (
        "My biggest weakness is that I care too much. Last year our support queue doubled, so "
        "I wrote a triage guide, trained four new agents and moved the worst tickets to a "
        "morning review; first replies fell from two days to four hours."
    )
    asked = "What is your biggest weakness?"
    p = score(told, asked, "general", embedder=embedder).content.impression["p"]
    assert_yields_from(p, "cliche_unless_p", "cliche", (told, asked, "general"), embedder, tmp_path)


def assert_yields_from(
    p: float,
    key: str,
    cap: str,
    answer: tuple[str, str, str],
    embedder: Embedder,
    folder: Path,
) -> None:
    """With the rubric's ``key`` at ``p`` (the answer's reading) the ``cap`` yields, listed in
    ``scores.lifted`` with its reason; a hair above it, the cap holds."""
    at, above = folder / "at.toml", folder / "above.toml"
    at.write_text(f"[content]\n{key} = {p}\n")
    above.write_text(f"[content]\n{key} = {p + 1e-6}\n")
    yields = score(*answer, embedder=embedder, rubric=load_rubric(at))
    holds = score(*answer, embedder=embedder, rubric=load_rubric(above))
    assert [c.name for c in yields.lifted] == [cap]
    assert cap not in [c.name for c in yields.caps]
    assert "lifts this cap" in yields.lifted[0].why
    assert cap in [c.name for c in holds.caps] and not holds.lifted


def test_sweeping_claims_in_an_answer_the_models_read_as_good_cap_nothing(
    embedder: Embedder, tmp_path: Path
) -> None:
    """A review: a sound beam check told in a trade's absolutes was held at 59 as "sweeping
    claims", 97 % likely good. From ``sweeping_unless_p`` the cap yields, and says so."""
    told = (
        "A steel beam carries load safely when bending stays under the yield limit. It is "
        "always checked against the code's load factors. Deflection is never allowed past the "
        "span over 360. Shear at the supports is always checked too. It guarantees nothing "
        "about the connections, so those get their own check."
    )
    asked = "Explain how you check that a steel beam is safe to load."
    base = score(told, asked, "technical", embedder=embedder)
    assert "sweeping claims" in [c.name for c in base.caps + base.lifted], base.caps
    p = base.content.impression["p"]
    answer = (told, asked, "technical")
    assert_yields_from(p, "sweeping_unless_p", "sweeping claims", answer, embedder, tmp_path)


def test_quiet_blame_a_doubted_outcome_and_a_team_story_are_capped_with_quotes() -> None:
    """Session 12's rules (docs/scoring.md), on answers written for this test: each cap
    fires on the weak answer, quotes it, and leaves the sound answer beside it alone."""
    q = "Tell me about a time a project you worked on went off track."
    scene = "The vendor's API kept timing out and nobody on their side answered our tickets."
    sound = (
        f"Last year I led the move of our clinic's booking system to a new vendor. {scene} "
        "I set up a retry queue myself, I wrote a weekly status note for the clinic managers, "
        "and I booked a call with the vendor's CTO. Failed bookings dropped from 40 a day to 3 "
        "within two weeks, and the clinic renewed the contract."
    )
    complaint = (
        "At my current company I build the booking pages. My manager tended to "
        "say yes to whatever the sales team asked for. The project went off track in the "
        "second month and I did my part. That's why I'm looking for a place where engineering "
        "has a say, and the dates are 40 days apart from reality there anyway."
    )
    doubted = (
        "I took over a migration of 200 stores to a new till system that was slipping. I "
        "re-planned it into four waves and I ran the first wave myself. It went, I think, "
        "mostly okay? Some stores had problems, it's hard to say how many. I believe costs "
        "went down, or at least they didn't go up much."
    )
    team = (
        "So we had a project like that on my last team. We looked at the plan together and we "
        "moved some dates around. We worked hard on it and we got it back on track in 3 "
        "weeks. I think we learned a lot, and I guess we all grew from it as a team."
    )
    caps = {name: {c.name: c for c in score(text, q, embedder=None).caps}
            for name, text in (("sound", sound), ("complaint", complaint),
                               ("doubted", doubted), ("team", team))}  # fmt: skip
    assert not {"blames others", "hedged", "no ownership"} & set(caps["sound"])
    # A manager's habit told as the situation, "that's why I …", and hedges that put a number
    # on the outcome are not complaints or doubts.
    plain = (
        "My manager tended to review every change herself, so releases waited a week. That's "
        "why I added a review rota with two other seniors, and I started looking for the root "
        "cause of the slow reviews. I think it helped: reviews took 2 days instead of 5. I'm "
        "not sure it will last, but so far the rota cut the wait from 5 days to 2."
    )
    plain_caps = {c.name for c in score(plain, q, embedder=None).caps}
    assert not {"blames others", "hedged"} & plain_caps, plain_caps
    blamed = caps["complaint"]["blames others"].why
    assert "tended to say yes" in blamed and "reason to leave" in blamed
    hedged = caps["doubted"]["hedged"].why
    assert hedged.startswith("3 sentences leave the outcome in doubt") and "mostly okay" in hedged
    assert (
        "no ownership" in caps["team"]
        and "never 'I' as the one acting" in caps["team"]["no ownership"].why
        and "('I think' and the like do not count)" in caps["team"]["no ownership"].why
    )


def test_advice_quotes_the_rubrics_own_numbers(tmp_path: Path) -> None:
    from interviewsense.domain import Word

    # 16 words in 4 s: 240 words a minute, fast for any rubric (and over PACE_MIN_S of speech).
    words = [Word(w=f"word{i}", start=i * 0.25, end=i * 0.25 + 0.2, p=1.0) for i in range(16)]
    tr = Transcript(text=" ".join(w.w for w in words), engine="whisper", words=words)
    q = Question(text="Tell me about yourself.", type="general")
    custom = tmp_path / "rubric.toml"
    custom.write_text("[delivery]\npace_ideal_low = 120\npace_ideal_high = 160\n")
    _, built_in = score_answer(tr, q, embedder=None)
    _, mine = score_answer(tr, q, rubric=load_rubric(custom), embedder=None)
    assert any("130–170" in line for line in built_in)
    assert any("120–160" in line for line in mine)
    assert not any("130–170" in line for line in mine)


def test_quotes_the_candidate_never_said_are_refused() -> None:
    def reply(quote: str) -> JudgeReply:
        part = PartReply(present=True, quote=quote)
        empty = PartReply(present=False)
        return JudgeReply(
            situation=part, task=empty, action=empty, result=empty,
            relevance=4, specificity=4, accuracy=5, blame=empty,
            advice="Add a number to the result.",
        )  # fmt: skip

    check_quotes(reply("I volunteered to coordinate the five engineers"), PARAPHRASED)
    with pytest.raises(ValueError, match="not in the transcript"):
        check_quotes(reply("I led the whole company to a record quarter"), PARAPHRASED)
    invented = reply("I volunteered to coordinate the five engineers")
    invented.blame = PartReply(present=True, quote="my manager was useless")
    with pytest.raises(ValueError, match="the blame quote"):
        check_quotes(invented, PARAPHRASED)


def judged(parts: bool, rating: int, accuracy: int, blame: PartReply, reason: str = "") -> Verdict:
    """A judge's verdict: every STAR part present or none, relevance and specificity at
    ``rating``, the accuracy (and why), and the blame it heard."""
    part = PartReply(present=parts, quote="")
    return Verdict(
        "test-model",
        JudgeReply(
            situation=part,
            task=part,
            action=part,
            result=part,
            relevance=rating,
            specificity=rating,
            accuracy=accuracy,
            accuracy_reason=reason,
            blame=blame,
            advice="Keep it up.",
        ),  # fmt: skip
    )


def test_a_judge_verdict_is_blended_and_recorded(embedder: Embedder) -> None:
    verdict = judged(True, 5, 5, PartReply(present=False))
    alone = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder)
    s = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder, judge=lambda q, t, a: verdict)
    c = s.content
    assert c.method == "llm" and c.relevance["method"] == "llm"
    assert c.judge["score"] == 100 and c.judge["deterministic"] == alone.content.score
    assert c.score == round((alone.content.score + 100) / 2)
    assert to_json(s)["content"]["judge"]["model"] == "test-model"
    # The judge read what the answer means: nothing is left to say it could not check.
    assert not c.unchecked and "not checked" not in dict(content_evidence(s))


def test_the_judge_caps_a_wrong_answer_and_hears_quiet_blame(embedder: Embedder) -> None:
    """What the offline rules cannot see (docs/scoring.md): a fluent, wrong answer, and blame
    without a harsh word. The judge's rating and quote cap the score, with the evidence."""
    empty = PartReply(present=False)

    def verdict(accuracy: int, blame: PartReply) -> Verdict:
        why = "salting is not optional and MD5 is not a password hash"
        return judged(False, 4, accuracy, blame, why)

    wrong = score(SOUND, SWEEPING_Q, "technical", embedder=embedder,
                  judge=lambda q, t, a: verdict(1, empty))  # fmt: skip
    caps = {c.name: c for c in wrong.caps}
    assert "factually wrong" in caps and "MD5" in caps["factually wrong"].why
    assert wrong.overall <= load_rubric().caps()["factually_wrong"] == 39
    assert wrong.content.judge["accuracy"] == 1
    right = score(SOUND, SWEEPING_Q, "technical", embedder=embedder,
                  judge=lambda q, t, a: verdict(5, empty))  # fmt: skip
    assert "factually wrong" not in [c.name for c in right.caps]
    assert right.overall - wrong.overall >= 10

    quiet = "the culture there was relaxed about accountability"
    story = f"{PARAPHRASED} Honestly, {quiet}, so I carried most of it myself and then I left."
    said_it = PartReply(present=True, quote=quiet)
    heard = score(story, LEADERSHIP_Q, embedder=embedder, judge=lambda q, t, a: verdict(5, said_it))
    assert "blames others" not in [c.name for c in score(story, LEADERSHIP_Q).caps]
    blamed = {c.name: c for c in heard.caps}
    assert quiet in blamed["blames others"].why
    rows = dict(content_evidence(heard))
    assert rows["blames others (LLM judge)"] == f'"{quiet}"'
    assert rows["accuracy (LLM judge)"].startswith("5/5")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_the_judge_against_a_real_server(llama: LlamaServer, embedder: Embedder) -> None:
    from interviewsense.interviewer.llm_client import ChatClient

    settings = Settings(llm_base_url=llama.url, llm_model="smollm2", llm_timeout_s=60.0)
    judge = LLMJudge(ChatClient(settings))
    verdict = judge(LEADERSHIP_Q, "behavioral", PARAPHRASED)
    # A 135M model is weak: it either gives a valid verdict whose quotes are all real, or
    # its reply is refused and the deterministic score stands, saying why.
    s = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder, judge=lambda q, t, a: verdict)
    if verdict.reply is not None:
        check_quotes(verdict.reply, PARAPHRASED)
        assert s.content.method == "llm"
    else:
        # A refused reply, never a server that stopped answering (it did, on AMX hosts).
        assert verdict.error.startswith("LLMInvalid"), (verdict.error, llama.state())
        assert s.content.method == "deterministic"
        assert "deterministic score stands" in s.content.judge["note"]


def test_the_judge_on_an_outage_keeps_the_deterministic_score(embedder: Embedder) -> None:
    from interviewsense.interviewer.llm_client import ChatClient

    settings = Settings(
        llm_base_url=f"http://127.0.0.1:{_closed_port()}/v1", llm_retries=0, llm_timeout_s=2.0
    )
    judge = LLMJudge(ChatClient(settings))
    alone = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder)
    s = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder, judge=judge)
    assert s.content.method == "deterministic"
    assert s.overall == alone.overall
    assert "could not connect" in s.content.judge["error"]
    # Without the judge's verdict the candidate is told what the number cannot see, with the
    # rest of the evidence, and in the answer's JSON for every client.
    assert s.content.unchecked == alone.content.unchecked == UNCHECKED
    assert dict(content_evidence(s))["not checked"] == UNCHECKED
    assert to_json(s)["content"]["unchecked"] == UNCHECKED
    # One outage costs one failure a session: the next answer does not wait again.
    again = score(PARAPHRASED, LEADERSHIP_Q, embedder=embedder, judge=judge)
    assert "earlier in this session" in again.content.judge["error"]
    # Said where the answer is shown (its notes), not only in its JSON.
    options = {"embedder": embedder, "judge": judge}
    answer = build_answer(typed(PARAPHRASED), Question(text=LEADERSHIP_Q), options)
    [note] = answer.notes
    assert note.startswith("the LLM judge gave no verdict (could not connect"), note
    assert note.endswith("(earlier in this session)): the deterministic score stands"), note


@pytest.mark.slow
def test_a_transcribed_filler_over_silence_is_not_counted(whisper_dir: Path) -> None:
    """Whisper can write "uh, uh, uh" over silence; only fillers with speech under them
    count, each marked transcribed or heard. Real speech, real Whisper, real VAD."""
    from interviewsense.audio.load import load_audio
    from interviewsense.domain import Word
    from interviewsense.stt.models import ModelRef
    from interviewsense.stt.whisper_engine import WhisperTranscriber
    from tests import speech

    (rec,) = [r for r in speech.real_recordings("monologue") if r.name == "acoustic_corpus"]
    audio = load_audio(rec.path)
    end = len(audio.samples) / 16000
    samples = speech.concat([audio.samples, speech.silence(4.0)])
    whisper = WhisperTranscriber(ModelRef("whisper", "tiny.en", whisper_dir, "path"))
    heard = whisper.transcribe(audio.samples)
    invented = [Word(w="uh,", start=end + 1.0 + k, end=end + 1.3 + k, p=0.5) for k in range(3)]
    words = heard.words + invented
    tr = Transcript(text=" ".join(w.w for w in words), engine="whisper-live", words=words)
    s, _ = score_answer(
        tr, Question(text="Tell me about yourself."), samples=samples, embedder=None
    )
    d = s.delivery
    assert d.unheard_fillers >= 3
    assert all(m.start is None or m.start < end for m in d.fillers.items)
    assert {m.source for m in d.fillers.items} <= {"transcribed", "heard"}
    assert d.fillers.count >= 1  # the real "um"s in the speech still count


def test_one_judge_per_server_in_a_process() -> None:
    """Batch items and a session's turns share one judge, so an outage is waited for once."""
    from interviewsense.scoring.judge import judge_for

    port = _closed_port()
    settings = Settings(llm_base_url=f"http://127.0.0.1:{port}/v1")
    first = judge_for(settings)
    assert first is not None and judge_for(Settings(llm_base_url=settings.llm_base_url)) is first
    assert judge_for(Settings(llm_base_url=settings.llm_base_url, llm_judge=False)) is None
    assert judge_for(Settings(llm_base_url=settings.llm_base_url, llm="off")) is None
    assert judge_for(Settings()) is None  # no LLM configured


SWEEPING_Q = "How would you store user passwords, and why that way?"
SWEEPING = (
    "Passwords are simple: you always encrypt them with one company-wide key, and that key "
    "never leaves the server, so they are completely safe. Salting is a myth from "
    "the nineties, you don't need it with modern hardware. Encryption is easy to add to any "
    "framework. And because we use HTTPS everywhere, the database is guaranteed to be secure. "
    "Users can even get their password e-mailed back if they forget it."
)
SOUND = (
    "I'd store a slow, salted hash, Argon2id today or bcrypt where that is what the platform "
    "has, with a unique random salt per user kept next to the hash. Hashing is one-way, so a "
    "stolen table does not give the passwords back, and the salt stops precomputed tables and "
    "shows two users with the same password as different rows. The cost factor is the "
    "trade-off: I tune it so one check takes about a quarter of a second on our servers, "
    "which an attacker pays for every guess, and I raise it when hardware gets faster, "
    "rehashing each user at their next login. Reset links replace a forgotten password; "
    "nothing can e-mail the old one back."
)


def test_a_confidently_sweeping_technical_answer_is_capped(embedder: Embedder) -> None:
    s = score(SWEEPING, SWEEPING_Q, "technical", embedder=embedder)
    caps = {c.name: c for c in s.caps}
    assert "sweeping claims" in caps, [c.name for c in s.caps]
    assert s.overall <= 59
    claims = s.content.substance["sweeping"]
    assert all(c["sentence"] in SWEEPING for c in claims)  # the evidence is a quote
    assert {"always", "never", "guaranteed"} <= {w for c in claims for w in c["words"]}
    advice = score_answer(typed(SWEEPING), Question(text=SWEEPING_Q, type="technical"))[1]
    assert any("Sweeping claims" in line and "what it costs" in line for line in advice)
    sound = score(SOUND, SWEEPING_Q, "technical", embedder=embedder)
    assert "sweeping claims" not in [c.name for c in sound.caps]
    assert sound.overall - s.overall >= 10
    # A story told with "always" and "never" is not a technical claim.
    story_q = "Tell me about a time you disagreed with a teammate."
    story = score(SWEEPING, story_q, embedder=embedder)
    assert "sweeping claims" not in [c.name for c in story.caps]


def test_a_design_told_as_we_is_not_a_team_story() -> None:
    """In a system design "we" is the designer's voice ("we'd put the binaries on a CDN"),
    so the "no ownership" cap is for stories; the same words in a behavioral answer are
    still capped."""
    design = (
        "Devices check in every few hours with their model and firmware version, and the "
        "service answers with a manifest: the version, a download URL and a checksum. We'd "
        "keep the binaries on a CDN so we're not serving them ourselves. The device verifies "
        "the signature, installs to the spare partition and rolls back if it fails to boot. "
        "We'd roll out to one percent, then ten, then everyone, so we can stop on a spike."
    )
    designed = score(
        design, "Design a system to roll out device updates.", "system_design", embedder=None
    )
    assert "no ownership" not in [c.name for c in designed.caps]
    story = score(design, "Tell me about a project you led.", "behavioral", embedder=None)
    assert "no ownership" in [c.name for c in story.caps]


def test_an_answer_about_something_else_is_never_told_it_is_loosely_on_topic(
    embedder: Embedder,
) -> None:
    """A review: a follow-up answer about a lemon cake (similarity 0.07; a follow-up is never
    capped) was told it "stays loosely on the question … off topic under 0.15"."""
    q = Question(
        text="What did you change in the deploy pipeline after the outage?",
        type="behavioral",
        follow_up=True,
    )
    cake = (
        "I baked a lemon cake for my sister on Sunday. It had too much sugar, so next time I "
        "will use less and add more zest."
    )
    s, advice = score_answer(typed(cake), q, embedder=embedder)
    assert s.content.relevance["similarity"] < 0.15, s.content.relevance
    assert "off topic" not in [c.name for c in s.caps]  # a follow-up is never capped so
    said = " ".join(advice)
    assert "seems to be about something else" in said and "loosely" not in said, advice


def test_an_acknowledgement_before_the_answer_changes_nothing() -> None:
    """A review: "Yeah, so" before a strong story made it developing (98 -> 61), "Sure."
    good (70); the answer reader had learned them as the start of a weak answer."""
    question = "Tell me about a time you improved a process at work."
    story = (
        "Last spring our support team took four days on average to answer refund requests, "
        "and customers were complaining. I owned the refund queue, so I mapped every step and "
        "found that each request waited two days for a manager's sign-off. I proposed that "
        "agents approve refunds under fifty dollars themselves, wrote the guideline, and "
        "trained the eight agents in one afternoon. Within a month the average reply time "
        "dropped from four days to one, and complaints about refunds fell by half."
    )
    plain = score(story, question)
    assert plain.band == "strong"
    for opener in ("Sure. L", "Yeah. L", "Good question. L", "Okay, so, l"):
        told = score(opener + story[1:], question)
        assert told.content.impression["p"] == plain.content.impression["p"], opener
        assert told.overall == plain.overall, opener
    # "yeah" anywhere, and a sign-off (session 50: "So yeah." after it took it to 51, a
    # "Yeah," before its second sentence to 74)
    for told_as in (
        story + " So yeah.",
        story + " So, yeah, that's pretty much it.",
        story.replace("I owned", "Yeah, I owned"),
        story.replace("half.", "half, yeah."),
    ):
        told = score(told_as, question)
        assert told.content.impression["p"] == plain.content.impression["p"], told_as[-40:]
        assert told.overall == plain.overall, told_as[-40:]
    # "so" with no comma is kept ("So I'd …" may be a cue), and read much as without it
    for opener in ("Yeah, so l", "Sure, so l", "yeah so l"):
        told = score(opener + story[1:], question)
        assert abs(told.content.impression["p"] - plain.content.impression["p"]) < 0.02, opener
        assert abs(told.overall - plain.overall) <= 2, opener


def test_a_follow_up_that_reads_weak_is_told_to_answer_the_follow_up() -> None:
    """A review: "How did you measure it?" answered with no measure was told to "say what you
    did yourself, why, and what changed", the main question's advice."""
    from interviewsense.scoring.feedback import STRONGER

    asked = Question(
        text="How did you measure that it worked?",
        type="behavioral",
        follow_up=True,
        follow_up_of="Tell me about a time you improved a process at work.",
    )
    dodge = (
        "I mean we just kind of felt it was better, people seemed happier I think. It is hard "
        "to say really, we never really looked at it that closely, maybe we should have."
    )
    got, lines = score_answer(typed(dodge), asked)
    assert got.content.impression["quality"] < 0.5
    assert any(STRONGER["follow-up"] in line for line in lines), lines
    assert not any(STRONGER["behavioral"] in line for line in lines), lines


def test_a_follow_up_is_asked_for_a_figure_or_for_i_only_when_it_asked_for_them() -> None:
    """A review: "Why did you leave your last job?" answered well was told "No numbers or named
    tools", and "How did you measure it?" answered with "we tracked …" to say what "I" did."""
    main = "Tell me about a time you improved a process at work."

    def lines(asked: str, said: str) -> list[str]:
        q = Question(text=asked, type="behavioral", follow_up=True, follow_up_of=main)
        return score_answer(typed(said), q)[1]

    reason = (
        "I wanted to own a product end to end. My team was being folded into a larger group "
        "where I would only maintain it, so I looked for a role where I could build again."
    )
    assert not any(
        "concrete detail" in x or "No numbers" in x
        for x in lines("Why did you leave your last job?", reason)
    )
    assert any(
        "concrete detail" in x or "No numbers" in x
        for x in lines("How did you measure that it worked?", reason)
    )
    tracked = (
        "We tracked the weekly reply time in our help desk, and we compared it with the month "
        "before. We also counted complaints that mentioned refunds."
    )
    assert not any("'we'" in x for x in lines("How did you measure it?", tracked))
    assert any("'we'" in x for x in lines("What was your role in that?", tracked))
