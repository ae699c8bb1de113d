"""The offline interviewer: banks, no repeats across sessions, follow-ups chosen by the gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewsense.domain import INTERVIEW_TYPES, Question, Turn
from interviewsense.interviewer.banks import load_bank
from interviewsense.interviewer.base import InterviewPlan
from interviewsense.interviewer.personas import PERSONAS
from interviewsense.interviewer.scripted import ScriptedInterviewer, choose_gap
from tests.helpers import answered_turn

BEHAVIORAL = Question(
    text="Tell me about a time you had a conflict with a teammate.",
    type="behavioral",
    competency="conflict resolution",
    id="beh-conflict-teammate",
    keywords=["conflict", "teammate"],
)


def answered(text: str, q: Question = BEHAVIORAL) -> Turn:
    return answered_turn(q, text)


@pytest.mark.parametrize("qtype", INTERVIEW_TYPES)
def test_banks_are_complete(qtype: str) -> None:
    bank = load_bank(qtype)
    assert len(bank.questions) >= 25
    ids = [q.id for q in bank.questions]
    assert len(set(ids)) == len(ids)
    for q in bank.questions:
        assert q.text.strip() and q.competency and q.level in ("any", "junior", "mid", "senior")
    if qtype == "behavioral":
        assert all(q.competency for q in bank.questions)


def test_questions_are_not_repeated_and_recent_ones_are_avoided() -> None:
    first = ScriptedInterviewer(InterviewPlan(questions=10, follow_ups=False, seed="a"))
    asked: list[Turn] = []
    while (q := first.next_question(asked)) is not None:
        asked.append(Turn(index=len(asked) + 1, question=q, status="skipped"))
    ids = [t.question.id for t in asked]
    assert len(ids) == 10 and len(set(ids)) == 10

    plan = InterviewPlan(questions=10, follow_ups=False, seed="b", exclude=frozenset(ids))
    second = ScriptedInterviewer(plan)
    more = [second.main_question(n).id for n in range(10)]
    assert not set(more) & set(ids)


def test_level_filter() -> None:
    plan = InterviewPlan(type="technical", level="junior", questions=5, follow_ups=False)
    interviewer = ScriptedInterviewer(plan)
    levels = {interviewer.main_question(n).level for n in range(5)}
    assert levels <= {"any", "junior"}


@pytest.mark.slow
def test_sessions_do_not_repeat_questions(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    def run() -> list[str]:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "interviewsense",
                "practice",
                "--keyboard",
                "--no-voice",
                "--no-follow-ups",
                "-n",
                "5",
                "--json",
            ],
            input="s\n" * 5,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        return [t["question"]["id"] for t in json.loads(proc.stdout)["turns"]]

    a, b, c = run(), run(), run()
    assert len(set(a + b + c)) == 15


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        # Situation, task and action, but no result.
        (
            "At my last job two engineers on my team disagreed about the database. I was "
            "responsible for the release, so I set up a meeting, I listened to both and I "
            "proposed a test of both options with 3 benchmarks.",
            "result",
        ),
        # Complete STAR, but only "we".
        (
            "Last year our team had a conflict about the release plan. We needed to ship in "
            "two weeks. We talked it through and we split the work. As a result we shipped on "
            "time and cut bugs by 30 percent.",
            "ownership",
        ),
        # Complete STAR with "I", but no numbers or tools at all.
        (
            "At my last job a teammate and I disagreed about code reviews. I was responsible "
            "for the team process, so I asked him for coffee and I listened. In the end we "
            "agreed on a checklist and the reviews got much faster.",
            "numbers",
        ),
    ],
)
def test_follow_up_is_chosen_by_the_gap(text: str, gap: str) -> None:
    turn = answered(text)
    assert choose_gap(turn.answer, "behavioral") == gap  # type: ignore[arg-type]
    interviewer = ScriptedInterviewer(InterviewPlan(persona="neutral", questions=2))
    follow = interviewer.next_question([turn])
    assert follow is not None and follow.follow_up
    assert follow.text == PERSONAS["neutral"].follow_ups[gap]
    assert follow.follow_up_of == BEHAVIORAL.text


def test_rambling_answer_gets_the_two_sentence_follow_up() -> None:
    sentence = (
        "At my last job I was responsible for the release, so I talked to the team and I "
        "planned the work with 3 milestones, and in the end we shipped it on time. "
    )
    turn = answered(sentence * 20)
    assert turn.answer is not None and turn.answer.scores.content.length_band == "long"
    assert choose_gap(turn.answer, "behavioral") == "rambling"
    follow = ScriptedInterviewer(InterviewPlan(persona="neutral")).next_question([turn])
    assert follow is not None and follow.text == "In two sentences, what was the key point?"


def test_no_follow_up_after_a_follow_up_or_a_skip() -> None:
    interviewer = ScriptedInterviewer(InterviewPlan(questions=3))
    turn = answered("We did it.")
    follow = interviewer.next_question([turn])
    assert follow is not None and follow.follow_up
    after = interviewer.next_question([turn, Turn(index=2, question=follow, status="skipped")])
    assert after is not None and not after.follow_up
    skipped = Turn(index=1, question=BEHAVIORAL, status="skipped")
    nxt = interviewer.next_question([skipped])
    assert nxt is not None and not nxt.follow_up


def test_personas_change_wording_and_voice() -> None:
    turn = answered("We did it.")
    texts = set()
    voices = set()
    for name in PERSONAS:
        interviewer = ScriptedInterviewer(InterviewPlan(persona=name, seed="same"))
        q = interviewer.next_question([turn])
        assert q is not None
        texts.add(q.text)
        voices.add((PERSONAS[name].voice.rate, PERSONAS[name].voice.pitch))
        first = interviewer.main_question(0)
        assert first.spoken.startswith(PERSONAS[name].first)
    assert len(texts) == 3 and len(voices) == 3


def test_closing_assessment_outlines_each_main_question() -> None:
    interviewer = ScriptedInterviewer(InterviewPlan())
    turn = answered(
        "At my last job I led a migration. I was responsible for the plan, so I split the "
        "work. As a result we cut failures by 40 percent."
    )
    assessment = interviewer.closing([turn])
    assert assessment.source == "offline"
    assert assessment.model_answers[0]["question"] == BEHAVIORAL.text
    assert "Situation" in assessment.model_answers[0]["outline"]
    # A short answer: its gap names the part and gives the evidence from the answer.
    assert any(g.startswith("length (") and "is best for behavioral" in g for g in assessment.gaps)
    assert "concrete details and numbers" not in " ".join(assessment.strengths)  # one number


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_no_thanks_after_a_skipped_question(persona: str) -> None:
    """QA: "Thanks, that's helpful." after the candidate pressed s."""
    from interviewsense.interviewer.scripted import MOVE_ON

    interviewer = ScriptedInterviewer(InterviewPlan(persona=persona, questions=3, follow_ups=False))
    first = interviewer.next_question([])
    assert first is not None
    skipped = Turn(index=1, question=first, status="skipped")
    after_skip = interviewer.next_question([skipped])
    assert after_skip is not None and after_skip.spoken.startswith(MOVE_ON)
    answered = answered_turn(first, "I led the move and we cut failures by 90% in two months.")
    after_answer = interviewer.next_question([answered])
    assert after_answer is not None and not after_answer.spoken.startswith(MOVE_ON)
    assert after_answer.spoken.startswith(PERSONAS[persona].next)


def test_an_answer_that_says_one_thing_over_and_over_is_not_praised_as_concise() -> None:
    """QA: a 2,520-word answer, one sentence 120 times, had "concise wording (100%)" as a
    strength: conciseness counts fillers and hedges, and it had none."""
    from interviewsense.interviewer.scripted import offline_assessment

    q = Question(text="Tell me about a project you led.", type="behavioral")
    said = "I led the billing migration and we cut failures by half in two months. " * 60
    turn = answered_turn(q, said)
    assert turn.answer is not None
    parts = {p.name: p.points / p.max_points for p in turn.answer.scores.content.breakdown}
    assert parts["conciseness"] >= 0.7 > parts["substance"]  # the case: padded by nothing
    strengths = " ".join(offline_assessment([turn]).strengths)
    assert "concise" not in strengths, strengths
    plain = answered_turn(q, "I led the billing migration. We cut failures by half in two months.")
    assert "concise wording" in " ".join(offline_assessment([plain]).strengths)


def test_the_session_summary_says_which_answer_its_evidence_is_from() -> None:
    """QA: "length (45% of the points): 4 words" read as one answer's figures: the share is
    the session's mean, the evidence the weakest answer's."""
    from interviewsense.interviewer.scripted import STRENGTHS, offline_assessment

    q = Question(text="Tell me about a project you led.", type="behavioral")
    long = (
        "Last year our billing service failed every week, and I was asked to move it to a new "
        "platform within a quarter. I planned the move in three phases, wrote the runbook and "
        "paired with each engineer on the cut-over. Failures dropped from six a week to zero."
    )
    turns = [answered_turn(q, long, 1), answered_turn(q, "I led a project.", 2)]
    gaps = offline_assessment(turns).gaps
    assert any(gap.startswith("length") and "answer 2: " in gap for gap in gaps), gaps
    answer = turns[0].answer
    assert answer is not None
    s = answer.scores
    parts = {p.name for p in s.content.breakdown + s.delivery.breakdown + s.voice.breakdown}
    assert parts <= set(STRENGTHS), parts - set(STRENGTHS)  # said in words, not by a key


def test_staying_on_the_question_is_never_praised() -> None:
    """A review: answers given to another question of their own type keep relevance's
    points, and the summary praised them for "staying on the question"."""
    from interviewsense.interviewer.scripted import STRENGTHS, offline_assessment

    q = Question(text="Tell me about a project you led.", type="behavioral")
    story = (
        "Last year our billing service failed every week, and I was asked to move it to a new "
        "platform within a quarter. I planned the move in three phases, wrote the runbook and "
        "paired with each engineer on the cut-over. Failures dropped from six a week to zero."
    )
    turn = answered_turn(q, story, 1)
    assert turn.answer is not None
    [relevance] = [p for p in turn.answer.scores.content.breakdown if p.name == "relevance"]
    assert relevance.points == relevance.max_points  # it would have been praised
    strengths = offline_assessment([turn]).strengths
    assert strengths and not any(s.startswith(STRENGTHS["relevance"]) for s in strengths)


def test_a_session_longer_than_its_level_asks_other_levels_before_any_question_twice() -> None:
    """A review: five junior system-design questions were the two the bank has, three times
    over, without a word; and 30 questions of any type came round again unsaid."""
    from interviewsense.config import load_settings
    from interviewsense.flows.setup import make_interviewer
    from interviewsense.progress import Quiet

    bank = load_bank("system_design")
    juniors = len(bank.for_level("junior"))
    assert juniors < 5  # what the review met; the test means nothing once the bank grows
    plan = InterviewPlan(type="system_design", level="junior", questions=5, seed="s")
    said = Quiet()
    offline = make_interviewer(plan, load_settings({"llm": ("off", "flag")}), said)
    scripted = ScriptedInterviewer(plan)
    ids = [scripted.main_question(n).id for n in range(5)]
    assert len(set(ids)) == 5, ids
    levels = [q.level for q in bank.questions if q.id in ids[juniors:]]
    assert "junior" not in levels and "any" not in levels
    assert isinstance(offline, ScriptedInterviewer)
    assert said.notices == [
        f"the system design bank has {juniors} questions for the junior level; "
        f"{5 - juniors} questions from other levels come next"
    ]
    # Past the whole bank the count is still the level's (a review: it said 6 for 2).
    said = Quiet()
    long = InterviewPlan(type="system_design", level="junior", questions=30, seed="s")
    make_interviewer(long, load_settings({"llm": ("off", "flag")}), said)
    assert said.notices[0].startswith(
        f"the system design bank has {juniors} questions for the junior level; "
        f"{len(bank.questions) - juniors} questions from other levels"
    ), said.notices
    whole = len(bank.questions)
    said = Quiet()
    make_interviewer(
        InterviewPlan(type="system_design", questions=whole + 2),
        load_settings({"llm": ("off", "flag")}),
        said,
    )
    assert said.notices == [
        f"the system design bank has {whole} questions: 2 of the {whole + 2} are asked again"
    ]


def test_finalize_with_typed_answers_says_it_has_nothing_to_do() -> None:
    """A review: practice --keyboard --finalize did nothing at the end, without a word."""
    from interviewsense.config import load_settings
    from interviewsense.flows.setup import FINALIZE_TYPED_NOTE, PracticeOptions, prepare
    from interviewsense.progress import Quiet

    settings = load_settings({"llm": ("off", "flag")})
    for finalize in (True, False):
        said = Quiet()
        options = PracticeOptions(InterviewPlan(), keyboard=True, voice=False, finalize=finalize)
        prepare(options, settings, said).close()
        assert (FINALIZE_TYPED_NOTE in said.notices) is finalize, said.notices
    assert FINALIZE_TYPED_NOTE.startswith("--finalize transcribes recordings again")


def test_an_unknown_engine_name_is_an_error_not_typed_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A review: --live-stt foo went on as typed answers, and --tts foo as silent questions,
    each with a note: a typo, the session not what was asked for. Only an engine the session
    uses is checked, and the error says where the name came from."""
    from interviewsense.config import load_settings
    from interviewsense.errors import BadInputError
    from interviewsense.flows.setup import PracticeOptions, prepare
    from interviewsense.progress import Quiet

    cases = (("stt_live_engine", "--live-stt", False, False), ("tts_engine", "--tts", True, True))
    for setting, flag, keyboard, voice in cases:
        settings = load_settings({"llm": ("off", "flag"), setting: ("foo", "flag")})
        options = PracticeOptions(InterviewPlan(), keyboard=keyboard, voice=voice)
        with pytest.raises(BadInputError) as caught:
            prepare(options, settings, Quiet())
        assert caught.value.message.endswith(f"engine 'foo' ({flag})"), caught.value.message
        assert "auto" in (caught.value.hint or "")
        # Not used here (typed answers, no voice): not checked (the same review, later).
        quiet = PracticeOptions(InterviewPlan(), keyboard=True, voice=False)
        prepare(quiet, settings, Quiet()).close()
    monkeypatch.setenv("INTERVIEWSENSE_TTS", "pipper")
    settings = load_settings({"llm": ("off", "flag")})
    with pytest.raises(BadInputError) as caught:
        prepare(PracticeOptions(InterviewPlan(), keyboard=True), settings, Quiet())
    assert caught.value.message == (
        "unknown text to speech engine 'pipper' (from environment (INTERVIEWSENSE_TTS))"
    )
    # A microphone named that is not there: said, not typed answers (the same review).
    settings = load_settings({"llm": ("off", "flag"), "input_device": ("USB headset 9", "flag")})
    with pytest.raises(BadInputError, match="no input device matches 'USB headset 9'"):
        prepare(PracticeOptions(InterviewPlan(), voice=False), settings, Quiet())


def test_what_only_an_llm_uses_is_said_to_go_unused_offline() -> None:
    """A review: --role, --company, --resume and --job-description did nothing without an
    LLM, without a word."""
    from interviewsense.config import load_settings
    from interviewsense.flows.setup import make_interviewer
    from interviewsense.progress import Quiet

    said = Quiet()
    plan = InterviewPlan(role="backend engineer", resume="I built things.")
    make_interviewer(plan, load_settings({"llm": ("off", "flag")}), said)
    assert said.notices == [
        "--role, --resume are for the LLM interviewer's questions; the question banks do not "
        "use them (docs/interviewer.md says how to set up an LLM)"
    ]
    one = Quiet()
    make_interviewer(InterviewPlan(company="Acme"), load_settings({"llm": ("off", "flag")}), one)
    assert one.notices[0].startswith("--company is for the LLM interviewer's questions")
    quiet = Quiet()
    make_interviewer(InterviewPlan(), load_settings({"llm": ("off", "flag")}), quiet)
    assert quiet.notices == []
