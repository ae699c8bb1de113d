"""The interviewer contract: what to ask next, and the closing assessment.

Two implementations: ``scripted.ScriptedInterviewer`` (offline, the question banks) and
``llm.LLMInterviewer`` (any OpenAI-compatible server), which falls back to the scripted
one turn by turn when the LLM fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from interviewsense.domain import (
    InterviewerSource,
    InterviewType,
    Level,
    PersonaName,
    Question,
    Turn,
)


@dataclass
class InterviewPlan:
    """What the user asked for: the kind of interview and what to tailor it to."""

    type: InterviewType = "behavioral"
    persona: PersonaName = "friendly"
    questions: int = 5
    follow_ups: bool = True
    role: str = ""
    level: Level | None = None  # None: questions of any level
    company: str = ""
    job_description: str = ""
    resume: str = ""
    exclude: frozenset[str] = frozenset()  # bank ids asked in recent sessions
    avoid: tuple[str, ...] = ()  # question texts asked in recent sessions (for an LLM)
    seed: str = ""
    redact: bool = False
    redact_names: tuple[str, ...] = ()


@dataclass
class Assessment:
    """The closing assessment: strengths, gaps, and an outline of a model answer per question."""

    strengths: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    model_answers: list[dict[str, str]] = field(default_factory=list)
    source: str = "offline"


class Interviewer(Protocol):
    @property
    def kind(self) -> Literal["offline", "llm"]: ...

    @property
    def last_source(self) -> InterviewerSource:
        """Where the last question came from."""
        ...

    def next_question(self, turns: list[Turn]) -> Question | None:
        """A follow-up on the last answer, the next main question, or None when done."""
        ...

    def closing(self, turns: list[Turn]) -> Assessment: ...


def main_questions_asked(turns: list[Turn]) -> int:
    return sum(1 for t in turns if not t.question.follow_up)
