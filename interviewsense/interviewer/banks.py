"""The offline question banks (``banks/*.toml``): loading, checking, filtering by level."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from interviewsense.domain import (
    BANK_LEVELS,
    INTERVIEW_TYPES,
    LEVELS,
    InterviewType,
    Level,
    Question,
    one_of,
)


@dataclass(frozen=True)
class Bank:
    type: InterviewType
    title: str
    questions: tuple[Question, ...]

    def for_level(self, level: Level | None) -> list[Question]:
        """Questions for ``level`` (and those for any level); all of them for no level."""
        if level is None:
            return list(self.questions)
        return [q for q in self.questions if q.level in ("any", level)]

    def beyond_level(self, level: Level | None) -> list[Question]:
        """The questions ``for_level`` leaves out, the nearest level first (mid, then senior,
        for a junior): what a session asks once its level's questions have all been asked."""
        if level is None:
            return []
        rank: dict[str, int] = {name: i for i, name in enumerate(LEVELS)}  # junior … senior
        others = [q for q in self.questions if q.level not in ("any", level)]
        return sorted(others, key=lambda q: abs(rank.get(q.level, 1) - rank[level]))


@cache
def load_bank(qtype: InterviewType) -> Bank:
    """The bank for ``qtype``; a level outside ``BankLevel`` is refused as it loads."""
    one_of(INTERVIEW_TYPES, qtype, "interview type")
    text = resources.files("interviewsense.interviewer").joinpath(f"banks/{qtype}.toml")
    data = tomllib.loads(text.read_text("utf-8"))
    questions = tuple(
        Question(
            text=str(q["text"]),
            type=qtype,
            competency=str(q.get("competency", "")),
            level=one_of(BANK_LEVELS, q.get("level", "any"), f"level of bank question {q['id']}"),
            id=str(q["id"]),
            source="bank",
            keywords=[str(k) for k in q.get("keywords", [])],
        )
        for q in data["questions"]
    )
    return Bank(type=qtype, title=str(data.get("title", qtype)), questions=questions)
