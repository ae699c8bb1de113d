"""The offline interviewer: questions from the banks, follow-ups from the scored answer.

Questions asked in the user's recent sessions are not asked again while others remain.
The order is shuffled with the session id as seed, so a session can be replayed exactly.
"""

from __future__ import annotations

import random
from typing import Literal

from interviewsense.domain import Answer, InterviewerSource, Question, Turn
from interviewsense.interviewer.banks import load_bank
from interviewsense.interviewer.base import Assessment, InterviewPlan, main_questions_asked
from interviewsense.interviewer.personas import FOLLOW_UP_KINDS, get_persona


def choose_gap(answer: Answer, qtype: str) -> str | None:
    """The follow-up an answer most needs, judged by the points its gap cost; None if none."""
    if not answer.transcript.text.strip():
        return None
    c = answer.scores.content
    lost = {p.name: p.max_points - p.points for p in c.breakdown}
    gaps: dict[str, float] = {}
    own = c.ownership
    if own.get("i") == 0 and (own.get("we") or 0) > 0:
        gaps["ownership"] = lost.get("ownership", 0.0) + 5.0
    if qtype == "behavioral":
        structure = c.star
        per_part = lost.get("structure", 0.0) / max(1, sum(not p.found for p in structure.values()))
        if not structure["result"].found:
            gaps["result"] = per_part + 1.0
        if not structure["action"].found:
            gaps["action"] = per_part + 0.5
        if not structure["situation"].found or not structure["task"].found:
            gaps["situation"] = per_part
    else:
        s = c.structure
        if "reasoning" in s and not s["reasoning"].found:
            gaps["reasoning"] = lost.get("structure", 0.0) / 2
        if "example" in s and not s["example"].found:
            gaps["example"] = lost.get("structure", 0.0) / 3
    if c.specificity.get("count", 0) == 0:
        gaps["numbers"] = lost.get("specificity", 0.0)
    if c.length_band == "long":
        gaps["rambling"] = lost.get("length", 0.0) + 2.0
    gaps = {k: v for k, v in gaps.items() if v > 0}
    if not gaps:
        return None
    return min(gaps, key=lambda k: (-gaps[k], FOLLOW_UP_KINDS.index(k)))


MOVE_ON = "Let's move on."  # the lead-in after a question skipped, whatever the persona


class ScriptedInterviewer:
    kind: Literal["offline"] = "offline"
    last_source: InterviewerSource = "offline"

    def __init__(self, plan: InterviewPlan) -> None:
        self.plan = plan
        self.persona = get_persona(plan.persona)
        bank = load_bank(plan.type)
        pool = bank.for_level(plan.level)
        rng = random.Random(plan.seed or "interviewsense")
        fresh = [q for q in pool if q.id not in plan.exclude]
        used = [q for q in pool if q.id in plan.exclude]
        rng.shuffle(fresh)
        rng.shuffle(used)
        self._queue = fresh + used  # recent questions only when the fresh ones run out
        # More questions than the level has: the nearest levels' next, never one asked twice
        # while the bank has others (a review: 5 junior design questions were 2, three times).
        short = max(0, plan.questions - len(self._queue))
        self.widened = bank.beyond_level(plan.level)[:short]
        self._queue += self.widened
        self.distinct = len(self._queue)  # past it, questions come round again

    def _lead_in(self, n: int, *, answered: bool = True) -> str:
        if n == 0:
            return self.persona.first
        if not answered:  # no thanks for a question skipped or left unanswered (QA)
            return MOVE_ON
        return self.persona.next[(n - 1) % len(self.persona.next)]

    def main_question(self, n: int, *, answered: bool = True) -> Question:
        """The ``n``th main question; ``answered``: whether the one before was answered."""
        base = self._queue[n % len(self._queue)]
        return Question(
            text=base.text,
            type=base.type,
            competency=base.competency,
            level=base.level,
            id=base.id,
            source="bank",
            keywords=list(base.keywords),
            spoken=f"{self._lead_in(n, answered=answered)} {base.text}",
        )

    def follow_up_for(self, turn: Turn) -> Question | None:
        if turn.answer is None or turn.status != "answered":
            return None
        gap = choose_gap(turn.answer, turn.question.type)
        if gap is None:
            return None
        text = self.persona.follow_ups[gap]
        q = turn.question
        return Question(
            text=text,
            type=q.type,
            competency=q.competency,
            level=q.level,
            id=f"{q.id}#{gap}" if q.id else f"follow-up#{gap}",
            source="follow-up",
            follow_up=True,
            keywords=list(q.keywords),
            spoken=text,
            follow_up_of=q.text,
        )

    def next_question(self, turns: list[Turn]) -> Question | None:
        asked = main_questions_asked(turns)
        last = turns[-1] if turns else None
        if self.plan.follow_ups and last is not None and not last.question.follow_up:
            follow = self.follow_up_for(last)
            if follow is not None:
                return follow
        if asked >= self.plan.questions:
            return None
        return self.main_question(asked, answered=last is None or last.status == "answered")

    def closing(self, turns: list[Turn]) -> Assessment:
        return offline_assessment(turns)


OUTLINES = {
    "star": "Situation: one sentence on where and when, and what was at stake. Task: what you "
    "had to achieve ({competency}). Action: two or three steps you took yourself, with the "
    "reason for each. Result: the outcome with a number, and what you learned.",
    "reasoning": "Clarify the goal and the constraints first. Outline your approach in two or "
    "three steps. Give the main trade-off and why you chose as you did. Back it with an example "
    "from your work ({competency}). Close with a one-sentence summary.",
    "prep": "Point: answer in one sentence. Reason: why, in one or two sentences. Example: one "
    "concrete story that shows it ({competency}). Point again: close by tying it to this role.",
}


# How each scored part reads in the closing assessment, as a strength.
STRENGTHS = {
    "structure": "clear structure: situation, task, action, result",
    "specificity": "concrete details and numbers",
    "ownership": "owning your part ('I', not only 'we')",
    "relevance": "staying on the question",
    "length": "answers of the right length",
    "conciseness": "concise wording",
    "substance": "saying something new in each sentence",
    "impression": "answers that read like those coaches rate well",
    "pace": "a comfortable pace",
    "fillers": "few fillers",
    "long pauses": "no long pauses",
    "hedges": "confident wording, few hedges",
    "repetitions": "fluent, few repeats",
    "pitch variation": "a lively voice",
    "loudness variation": "varied loudness",
    "speaking time": "speaking for most of the answer",
}


# A part praised only when another holds up too: "concise" counts fillers and hedges, so an
# answer that said one sentence 120 times had all its points (QA: "concise wording (100%)").
STRENGTH_NEEDS = {"conciseness": "substance"}
# Never praised: relevance's points say only that an answer is not plainly about something
# else, not that it answers this question (a story given to another question of its own type
# keeps them: docs/scoring.md). A review: a URL-shortener design given to "design a hotel
# booking site" was praised for "staying on the question (100% of the points)".
NEVER_PRAISED = frozenset({"relevance"})


def offline_assessment(turns: list[Turn]) -> Assessment:
    """Strengths and gaps from the scores, and an outline of a model answer per question.

    A strength is a part that earned at least 70 % of its points across the answers; a gap
    one that earned less, told with the evidence from the answer where it did worst."""
    answered = [t for t in turns if t.answer is not None and t.answer.transcript.text.strip()]
    out = Assessment(source="offline")
    if answered:
        shares: dict[str, list[float]] = {}
        worst: dict[str, tuple[float, str]] = {}  # part -> (share, its evidence there)
        several = len(answered) > 1
        for t in answered:
            assert t.answer is not None
            s = t.answer.scores
            for part in s.content.breakdown + s.delivery.breakdown + s.voice.breakdown:
                share = part.points / part.max_points
                shares.setdefault(part.name, []).append(share)
                if part.name not in worst or share < worst[part.name][0]:
                    # The mean is the session's; the evidence one answer's, so it names it
                    # (QA: "45% of the points: 4 words" read as one answer's figures).
                    where = f"answer {t.index}: " if several else ""
                    worst[part.name] = (share, where + part.why)
        means = {k: sum(v) / len(v) for k, v in shares.items()}
        order = list(means)  # ties keep the rubric's order: content, delivery, voice
        ranked = sorted(means, key=lambda k: (-means[k], order.index(k)))
        praised = [
            k
            for k in ranked
            if means[k] >= 0.7
            and means.get(STRENGTH_NEEDS.get(k, k), 1) >= 0.7
            and k not in NEVER_PRAISED
        ]
        out.strengths = [
            f"{STRENGTHS.get(k, k)} ({means[k]:.0%} of the points)" for k in praised[:3]
        ]
        weakest = sorted(means, key=lambda k: (means[k], order.index(k)))
        out.gaps = [
            f"{k} ({means[k]:.0%} of the points): {worst[k][1]}"
            for k in weakest[:3]
            if means[k] < 0.7
        ]
    for t in turns:
        if t.question.follow_up:
            continue
        kind = {"behavioral": "star", "general": "prep"}.get(t.question.type, "reasoning")
        outline = OUTLINES[kind].format(competency=t.question.competency or "the skill asked")
        out.model_answers.append({"question": t.question.text, "outline": outline})
    return out
