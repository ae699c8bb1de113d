"""The LLM interviewer: questions tailored to the role, follow-ups that react to the answer,
and a closing assessment, from any OpenAI-compatible server.

Every reply is JSON checked against a pydantic schema. When the server is down or slow the
rest of the session uses the offline interviewer; when a reply is invalid twice, that one
turn does. Either way the session goes on, the turn records ``offline-fallback``, and the
user is told once. With ``--redact``, text is scrubbed before it is sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Literal

from pydantic import Field, field_validator

from interviewsense.config import Settings
from interviewsense.domain import InterviewerSource, Question, Turn
from interviewsense.interviewer.base import Assessment, InterviewPlan, main_questions_asked
from interviewsense.interviewer.llm_client import (
    ChatClient,
    LLMDown,
    LLMInvalid,
    LLMReply,
    describe_endpoint,
    quoted_in,
)
from interviewsense.interviewer.personas import get_persona
from interviewsense.interviewer.redact import Redactor
from interviewsense.interviewer.scripted import ScriptedInterviewer, choose_gap, offline_assessment
from interviewsense.scoring.text import norm

MAX_CONTEXT_CHARS = 4000


MIN_QUESTION_WORDS = 4
COMPETENCY_HINT = "the skill it probes"  # the prompt's example value: echoed back, it is none


def _a_question(value: str) -> str:
    if len(value.split()) < MIN_QUESTION_WORDS:
        raise ValueError(f"a question needs at least {MIN_QUESTION_WORDS} words")
    return value


class QuestionReply(LLMReply):
    question: str = Field(min_length=10, max_length=400)
    competency: str = Field(default="", max_length=80)

    @field_validator("question")
    @classmethod
    def _a_sentence(cls, value: str) -> str:
        return _a_question(value)

    @field_validator("competency")
    @classmethod
    def _not_the_hint(cls, value: str) -> str:
        return "" if norm(value) == norm(COMPETENCY_HINT) else value


def _same(a: str, b: str) -> bool:
    """Two questions are the same when their words are (case and punctuation aside)."""
    return [norm(w) for w in a.split()] == [norm(w) for w in b.split()]


def _asked_again(a: str, b: str) -> bool:
    """Whether main question ``a`` asks ``b`` again: the same words, or all of ``b``'s words
    in order making up most of ``a`` ("Q1? And what did you learn from it?"), or ``b`` inside
    an echo of our list of questions to avoid (" | "): a review found a small model's second
    question was the first with that list after it. A new question that only starts like an
    old one ("Tell me about yourself as a manager") is a new one."""
    if _same(a, b):
        return True
    new, old = [norm(w) for w in a.split()], [norm(w) for w in b.split()]
    n = len(old)
    held = n >= 4 and any(new[i : i + n] == old for i in range(len(new) - n + 1))
    return held and (2 * n >= len(new) or " | " in a)


class FollowUpReply(LLMReply):
    # Asked for, even when null: a reply without it ({"foo": "bar"}) is not one.
    follow_up: str | None = Field(max_length=300)
    relevance: int | None = Field(default=None, ge=1, le=5)
    relevance_reason: str = Field(default="", max_length=300)


RELEVANCE_RUBRIC = (
    "5: answers the question fully and specifically; 4: answers it with a little drift; "
    "3: answers part of it; 2: mostly about something else; 1: off topic"
)


class ModelAnswer(LLMReply):
    question: str
    outline: str = Field(min_length=10)


class Point(LLMReply):
    point: str = Field(min_length=3)
    quote: str = ""  # the candidate's own words that show it ("" for what is missing)


class AssessmentReply(LLMReply):
    strengths: list[Point] = Field(min_length=1, max_length=6)
    gaps: list[Point] = Field(min_length=1, max_length=6)
    model_answers: list[ModelAnswer] = Field(default_factory=list)


def evidenced(points: list[Point], said: str) -> list[str]:
    """Each point with the candidate's words that show it, as one line; a point whose quote
    the candidate did not say is left out (a review: the closing assessment judged without
    evidence, as the content judge may not)."""
    return [
        f'{p.point.strip()} ("{p.quote.strip()}")' if p.quote.strip() else p.point.strip()
        for p in points
        if not p.quote.strip() or quoted_in(p.quote, said)
    ]


class LLMInterviewer:
    kind: Literal["llm"] = "llm"

    def __init__(
        self,
        plan: InterviewPlan,
        settings: Settings,
        *,
        notice: Callable[[str], None],
        redactor: Redactor | None = None,
        client: ChatClient | None = None,
    ) -> None:
        self.plan = plan
        self.persona = get_persona(plan.persona)
        self.fallback = ScriptedInterviewer(plan)
        self.client = client or ChatClient(settings)
        self.where = describe_endpoint(settings)
        self.redact = redactor or Redactor(enabled=False)
        self._notice = notice
        self._told = False
        self.down = False
        self.last_source: InterviewerSource = "llm"

    # --- prompts -------------------------------------------------------------------------
    def _system(self) -> str:
        p = self.plan
        parts = [
            f"You are a job interviewer running a {p.type.replace('_', ' ')} interview. "
            f"Your manner: {self.persona.llm_style}.",
            "Ask one question at a time, in one or two sentences, with no preamble. "
            "Reply only with a JSON object, exactly in the form you are asked for.",
        ]
        target = " ".join(x for x in (p.level, p.role) if x)
        if target or p.company:
            parts.append(
                "The candidate is interviewing"
                + (f" for a {target} role" if target else "")
                + (f" at {p.company}" if p.company else "")
                + "."
            )
        if p.job_description:
            jd = self.redact(p.job_description[:MAX_CONTEXT_CHARS])
            parts.append(f"Job description:\n{jd}")
        if p.resume:
            cv = self.redact(p.resume[:MAX_CONTEXT_CHARS])
            parts.append(f"The candidate's resume:\n{cv}")
        return "\n\n".join(parts)

    def _messages(self, user: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": self._system()}, {"role": "user", "content": user}]

    # --- failure handling ------------------------------------------------------------------
    def _fail(self, exc: Exception) -> None:
        if isinstance(exc, LLMDown):
            self.down = True
            why = f"{self.where} is not answering ({exc})"
        else:
            why = f"{self.where} gave an unusable reply ({exc})"
        if not self._told:
            self._told = True
            self._notice(f"{why}; going on with the offline interviewer")

    # --- Interviewer ---------------------------------------------------------------------------
    def next_question(self, turns: list[Turn]) -> Question | None:
        asked = main_questions_asked(turns)
        last = turns[-1] if turns else None
        if (
            self.plan.follow_ups
            and last is not None
            and not last.question.follow_up
            and last.answer is not None
            and last.status == "answered"
            and last.answer.transcript.text.strip()
        ):
            follow = self._follow_up(last)
            if follow is not None:
                return follow
        if asked >= self.plan.questions:
            return None
        return self._main(asked, turns)

    def _main(self, n: int, turns: list[Turn]) -> Question:
        if not self.down:
            before = [t.question.text for t in turns if not t.question.follow_up]
            avoid = before + list(self.plan.avoid)
            user = (
                f"Ask main question {n + 1} of {self.plan.questions}."
                + (
                    " Do not repeat or rephrase any of these: " + " | ".join(avoid[-20:])
                    if avoid
                    else ""
                )
                + f' Reply as {{"question": "...", "competency": "{COMPETENCY_HINT}"}}.'
            )

            def fresh(reply: QuestionReply) -> None:
                if any(_asked_again(reply.question, old) for old in avoid):
                    raise ValueError("the question was asked before")

            try:
                reply = self.client.ask(self._messages(user), QuestionReply, check=fresh)
                self.last_source = "llm"
                text = reply.question.strip()
                lead = self.persona.first if n == 0 else ""
                return Question(
                    text=text,
                    type=self.plan.type,
                    competency=reply.competency.strip(),
                    level=self.plan.level or "",
                    id="llm-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10],
                    source="llm",
                    spoken=f"{lead} {text}".strip(),
                )
            except (LLMDown, LLMInvalid) as exc:
                self._fail(exc)
        self.last_source = "offline-fallback"
        return self.fallback.main_question(n)

    def _follow_up(self, turn: Turn) -> Question | None:
        assert turn.answer is not None
        q = turn.question
        if not self.down:
            gap = choose_gap(turn.answer, q.type)
            said = self.redact(turn.answer.transcript.text)
            user = (
                f"You asked: {q.text}\nThe candidate answered: {said}\n"
                + (f"Their answer is weakest on: {gap}.\n" if gap else "")
                + "If a follow-up would help, ask one short follow-up question that reacts to "
                "what they actually said; otherwise use null. Also rate how directly the answer "
                f"addresses the question ({RELEVANCE_RUBRIC}). "
                'Reply as {"follow_up": "..." or null, "relevance": 1-5, '
                '"relevance_reason": "one sentence"}.'
            )

            def new_question(reply: FollowUpReply) -> None:
                if reply.follow_up and reply.follow_up.strip():
                    _a_question(reply.follow_up)
                    if _same(reply.follow_up, q.text):
                        raise ValueError("the follow-up repeats the question")

            try:
                reply = self.client.ask(self._messages(user), FollowUpReply, check=new_question)
                self.last_source = "llm"
                if reply.relevance is not None:
                    # Evidence beside the key-term check; the score itself stays deterministic.
                    turn.answer.scores.content.relevance["llm"] = {
                        "rating": reply.relevance,
                        "out_of": 5,
                        "reason": reply.relevance_reason.strip(),
                        "rubric": RELEVANCE_RUBRIC,
                        "model": self.client.model,
                    }
                if not reply.follow_up or len(reply.follow_up.strip()) < 8:
                    return None
                text = reply.follow_up.strip()
                return Question(
                    text=text,
                    type=q.type,
                    competency=q.competency,
                    level=q.level,
                    id=f"{q.id}#llm",
                    source="llm",
                    follow_up=True,
                    keywords=list(q.keywords),
                    spoken=text,
                    follow_up_of=q.text,
                )
            except (LLMDown, LLMInvalid) as exc:
                self._fail(exc)
        self.last_source = "offline-fallback"
        return self.fallback.follow_up_for(turn)

    def closing(self, turns: list[Turn]) -> Assessment:
        answered = [t for t in turns if t.answer is not None and t.answer.transcript.text.strip()]
        if not self.down and answered:
            transcript = "\n".join(
                f"Q{t.index}: {t.question.text}\nA{t.index}: {self.redact(text)}"
                for t in answered
                if (text := t.answer.transcript.text if t.answer else "")
            )
            user = (
                f"The interview so far:\n{transcript}\n\nAssess the candidate. Reply as "
                '{"strengths": [{"point": "...", "quote": "..."}], "gaps": [{"point": "...", '
                '"quote": "..."}], "model_answers": [{"question": "...", "outline": "how a '
                'strong answer would go"}]} with one model answer per question. Each quote is '
                "the candidate's own words, copied exactly, that show the point; a gap that "
                'is something missing has the quote "".'
            )
            try:
                reply = self.client.ask(self._messages(user), AssessmentReply)
                said = "\n".join(
                    self.redact(t.answer.transcript.text) for t in answered if t.answer
                )
                strengths = evidenced(reply.strengths, said)
                gaps = evidenced(reply.gaps, said)
                if not strengths or not gaps:
                    raise LLMInvalid("its assessment quoted words the candidate did not say")
                return Assessment(
                    strengths=strengths,
                    gaps=gaps,
                    model_answers=[m.model_dump() for m in reply.model_answers],
                    source="llm",
                )
            except (LLMDown, LLMInvalid) as exc:
                self._fail(exc)
        assessment = offline_assessment(turns)
        assessment.source = "offline-fallback" if answered else "offline"
        return assessment
