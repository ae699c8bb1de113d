"""The request bodies the API takes (pydantic checks them; a bad one is a 422)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, BeforeValidator, Field, field_validator

from interviewsense.domain import MAX_TURNS, InterviewType, Level, PersonaName
from interviewsense.scoring.text import MAX_TYPED_CHARS, clean_text
from interviewsense.serve.security import SAFE_ID

ID = Field(pattern=SAFE_ID.pattern, max_length=64)
# ``?user_id=`` on a route: a safe id, or 422 as any field that fails its schema.
UserQuery = Annotated[str | None, Query(pattern=SAFE_ID.pattern)]


def one_clean_line(text: str) -> str:
    """A client's text that is stored, spoken and shown (a role, a question): no terminal
    escapes or bidi overrides (``clean_text``), no line breaks (QA sent both)."""
    return " ".join(clean_text(text).split())


MAX_TURN = MAX_TURNS  # a question number: a session's turns, as stored


def not_a_bool(value: object) -> object:
    """A number field's guard: JSON's true and false are not 1 and 0 (pydantic's lax mode
    would take them), since a question number that means "true" is a client's mistake."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


# A number a client sends: JSON's true and false are refused, not read as 1 and 0.
Count = Annotated[int, BeforeValidator(not_a_bool)]


FLAG = Field(False, strict=True)  # true or false only, not "yes" or 1


class StartRequest(BaseModel):
    session_id: str | None = Field(None, pattern=SAFE_ID.pattern, max_length=64)
    user_id: str = ID
    interview_type: InterviewType = "behavioral"
    persona: PersonaName = "friendly"
    client_tts: bool = FLAG
    role: str = Field("", max_length=200)
    level: Level | None = None
    questions: Count = Field(5, ge=1, le=20)

    _role = field_validator("role")(one_clean_line)


class TTSRequest(BaseModel):
    session_id: str = ID
    text: str = Field(min_length=1, max_length=2000)
    # As in StartRequest: a 422 that names the choices. None: the session's own persona.
    persona: PersonaName | None = None
    user_id: str | None = Field(None, pattern=SAFE_ID.pattern, max_length=64)
    server_voice: bool = FLAG  # a client_tts browser with no voice: the server speaks


class FinalizeRequest(BaseModel):
    session_id: str | None = Field(None, pattern=SAFE_ID.pattern, max_length=64)
    user_id: str | None = Field(None, pattern=SAFE_ID.pattern, max_length=64)
    audio_path: str | None = Field(None, min_length=1, max_length=4096)
    audio_url: str | None = Field(None, min_length=1, max_length=4096)
    turn: Count | None = Field(None, ge=1, le=MAX_TURN)
    question: str = Field("", max_length=2000)  # for a recording with no session
    interview_type: InterviewType = "behavioral"

    _question = field_validator("question")(one_clean_line)


class AnswerTurn(BaseModel):
    """The question an answer is meant for: a JSON field, or a multipart form field (a
    string there, checked by the same rule, so both say 422 for 0 or "abc")."""

    turn: Count | None = Field(None, ge=1, le=MAX_TURN)


class TypedAnswer(AnswerTurn):
    transcript: str = Field(max_length=MAX_TYPED_CHARS)  # as practice and batch
    user_id: str | None = Field(None, pattern=SAFE_ID.pattern, max_length=64)


class ErrorBody(BaseModel):
    """Every error's body: what is wrong, and what to do (docs/api.md, "Errors")."""

    error: str
    hint: str


# The statuses any route may answer with an ``ErrorBody`` (docs/api.md's table says when),
# declared for /docs and /openapi.json; 422 replaces FastAPI's own ``HTTPValidationError``.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": what}
    for status, what in (
        (400, "bad input"),
        (401, "a token is set and the request has none, or the wrong one"),
        (404, "no such session, file or route"),
        (409, "in conflict with the session's state"),
        (413, "the body is over the upload limit"),
        (422, "the body or query does not fit the schema, or is not JSON"),
        (429, "over the rate limit (Retry-After)"),
        (503, "busy, or a service the server needs is missing (Retry-After)"),
    )
}


def answer_body() -> dict[str, Any]:
    """The answers route's two bodies, for /docs (the route reads them by hand)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": TypedAnswer.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["audio"],
                        "properties": {
                            "audio": {"type": "string", "format": "binary"},
                            "turn": {"type": "integer", "minimum": 1, "maximum": MAX_TURN},
                        },
                    }
                },
            },
        }
    }
