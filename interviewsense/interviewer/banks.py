"""The offline question banks (``banks/*.toml``): loading, checking, filtering by level."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from interviewsense.domain import Question
from interviewsense.errors import BadInputError

TYPES = ("behavioral", "technical", "system_design", "product", "general")
LEVELS = ("any", "junior", "mid", "senior")


@dataclass(frozen=True)
class Bank:
    type: str
    title: str
    questions: tuple[Question, ...]

    def for_level(self, level: str) -> list[Question]:
        """Questions for ``level`` (and those for any level); all of them for no level."""
        if not level or level == "any":
            return list(self.questions)
        return [q for q in self.questions if q.level in ("any", level)]


@cache
def load_bank(qtype: str) -> Bank:
    if qtype not in TYPES:
        raise BadInputError(
            f"no question bank for interview type '{qtype}'", hint=f"types: {', '.join(TYPES)}"
        )
    text = resources.files("interviewsense.interviewer").joinpath(f"banks/{qtype}.toml")
    data = tomllib.loads(text.read_text("utf-8"))
    questions = tuple(
        Question(
            text=str(q["text"]),
            type=qtype,
            competency=str(q.get("competency", "")),
            level=str(q.get("level", "any")),
            id=str(q["id"]),
            source="bank",
            keywords=[str(k) for k in q.get("keywords", [])],
        )
        for q in data["questions"]
    )
    return Bank(type=qtype, title=str(data.get("title", qtype)), questions=questions)
