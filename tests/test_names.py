"""Names declared once (domain's Literal types): the CLI, files, banks and rubric obey them."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewsense.cli import app
from interviewsense.domain import (
    BANK_LEVELS,
    INTERVIEW_TYPES,
    LEVELS,
    PERSONA_NAMES,
    Question,
    Session,
    Turn,
    from_json,
    one_of,
    to_json,
)
from interviewsense.errors import BadInputError
from interviewsense.interviewer.banks import load_bank
from interviewsense.interviewer.personas import PERSONAS
from interviewsense.scoring.cues import STRUCTURES
from interviewsense.scoring.rubric import load_rubric
from interviewsense.scoring.substance import TYPE_ASKS


def test_an_unknown_level_is_a_usage_error_listing_the_levels() -> None:
    result = CliRunner().invoke(app, ["practice", "--keyboard", "--level", "senior2"])
    assert result.exit_code == 2
    for level in LEVELS:
        assert level in result.output


def test_an_unknown_type_or_persona_is_refused_by_every_command() -> None:
    for args in (
        ["practice", "--type", "behavioural"],
        ["practice", "--persona", "grumpy"],
        ["finalize", "x.wav", "--type", "sales"],
        ["batch", "x", "--type", "sales"],
        ["history", "--type", "sales"],
        ["sessions", "report", "20261130-000000-abcdef", "--format", "pdf"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, args


def test_files_with_a_name_outside_the_declared_ones_are_refused() -> None:
    good = to_json(Session(id="20261130-000000-abcdef", started_at="2026-11-30T00:00:00"))
    assert from_json(Session, good) == from_json(Session, json.loads(json.dumps(good)))
    for field, value in (("status", "finished"), ("type", "sales"), ("persona", "grumpy")):
        with pytest.raises(BadInputError, match=field):
            from_json(Session, {**good, field: value})
    turn = to_json(Turn(index=1, question=Question(text="Why us?")))
    for status in typing.get_args(typing.get_type_hints(Turn)["status"]):
        assert from_json(Turn, {**turn, "status": status}).status == status
    with pytest.raises(BadInputError, match="status"):
        from_json(Turn, {**turn, "status": "pending"})


def test_banks_personas_cues_and_rubric_cover_exactly_the_declared_names() -> None:
    for qtype in INTERVIEW_TYPES:
        bank = load_bank(qtype)
        assert bank.questions and all(q.level in BANK_LEVELS for q in bank.questions)
        for level in LEVELS:
            assert {q.level for q in bank.for_level(level)} <= {"any", level}
    assert set(PERSONAS) == set(PERSONA_NAMES)
    assert set(STRUCTURES) == set(INTERVIEW_TYPES) == set(TYPE_ASKS)
    assert set(load_rubric().data["content"]["length"]) == {*INTERVIEW_TYPES, "follow_up"}


def test_a_rubric_must_name_the_interview_types(tmp_path: Path) -> None:
    from interviewsense.scoring.rubric import check_types

    data = load_rubric().data
    broken = {**data, "content": {**data["content"], "length": {"behavioral": [1, 2, 3, 4]}}}
    with pytest.raises(BadInputError, match="interview types"):
        check_types(broken)


def test_one_of_lists_the_names() -> None:
    assert one_of(LEVELS, "mid", "level") == "mid"
    with pytest.raises(BadInputError) as err:
        one_of(LEVELS, "senior2", "level")
    assert err.value.hint is not None and "junior, mid, senior" in err.value.hint
