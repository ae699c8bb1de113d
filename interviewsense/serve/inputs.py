"""What a request sends, made safe to use: a body or form checked against its schema (422,
as FastAPI's own checks), an uploaded recording saved to a private temporary file (size
and format checked), and text to speak without what no voice can say."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
from pydantic import BaseModel

from interviewsense.errors import BadInputError
from interviewsense.scoring.text import ESCAPES
from interviewsense.serve.errors import HTTP_MESSAGES, TooLargeError
from interviewsense.serve.schemas import AnswerTurn
from interviewsense.serve.security import sniff_audio
from interviewsense.serve.state import Engine, worker_temp

if TYPE_CHECKING:
    from fastapi import Request
    from starlette.datastructures import FormData

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: bytes | dict[str, Any]) -> M:
    """``data`` (a JSON body, or form fields) checked against ``model``: a 422 naming the
    field and the rule, never the value, as FastAPI's own checks say it."""
    from fastapi.exceptions import RequestValidationError
    from pydantic import ValidationError

    if isinstance(data, bytes):
        # Read as FastAPI reads the other routes' bodies, so each route answers a body it
        # cannot read the same way: 400 when not UTF-8 (a BOM is fine) or nested too deeply,
        # 422 when not JSON.
        try:
            data = json.loads(data)
        except (UnicodeDecodeError, RecursionError):
            message, hint = HTTP_MESSAGES["There was an error parsing the body"]
            raise BadInputError(message, hint=hint) from None
        except ValueError:
            err = {"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}
            raise RequestValidationError([err]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_input=False)]
        raise RequestValidationError(errors) from None


async def save_upload(request: Request, engine: Engine) -> tuple[Path, int | None]:
    """The multipart field ``audio`` saved to a private temporary file, size and format
    checked; and the optional ``turn`` field (422 unless a question number, as in JSON)."""
    from starlette.exceptions import HTTPException

    try:
        form = await request.form(max_files=1, max_fields=4)
    except HTTPException as exc:  # Starlette's words for a form it cannot parse
        raise BadInputError(
            f"the multipart form cannot be read ({str(exc.detail)[:80]})",
            hint="send multipart/form-data with the recording as the file field 'audio' "
            "(curl -F audio=@answer.wav), and 'turn' if you like",
        ) from None
    try:
        return await _saved(form, engine)
    finally:
        await form.close()


async def _saved(form: FormData, engine: Engine) -> tuple[Path, int | None]:
    from starlette.datastructures import UploadFile

    limit = engine.settings.serve_max_upload_mb * 1024 * 1024
    audio = form.get("audio")
    if not isinstance(audio, UploadFile):
        raise BadInputError(  # none sent, or a body cut off before the file's end
            "the form has no whole file field 'audio'",
            hint="send the recording as the file field 'audio', the body complete "
            "(curl -F audio=@answer.wav)",
        )
    turn_text = form.get("turn")
    text = turn_text.strip() if isinstance(turn_text, str) else None
    turn = validated(AnswerTurn, {"turn": text or None}).turn
    head = await audio.read(64)
    if not head:
        raise BadInputError(
            "the uploaded file is empty",
            hint="send the recording itself (curl -F audio=@answer.wav)",
        )
    sniff_audio(head)
    fd, path = await anyio.to_thread.run_sync(
        worker_temp, engine.settings.cache_dir / "uploads", "upload", ".audio"
    )
    name = str(path)
    size = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise TooLargeError(
                        f"the upload is over the {engine.settings.serve_max_upload_mb} MB limit",
                        hint="send a shorter or compressed recording",
                    )
                await anyio.to_thread.run_sync(fh.write, chunk)
                chunk = await audio.read(1024 * 1024)
    except BaseException:
        await anyio.to_thread.run_sync(lambda: Path(name).unlink(missing_ok=True))
        raise
    return Path(name), turn


# A terminal's escape sequences (scoring/text.py), then any other control character but tab
# and newline, bidirectional overrides, and lone surrogates (JSON's "\ud800"): no voice can
# say them, and a null character made Piper raise.
_UNSPEAKABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def speakable(text: str) -> str:
    """``text`` without what no voice can say; 400 when nothing is left to say."""
    text = _UNSPEAKABLE.sub("", ESCAPES.sub("", text)).strip()
    if not any(ch.isalnum() for ch in text):
        raise BadInputError(
            "text has nothing a voice can say: no letter or digit (control characters are removed)",
            hint="send the words to speak as plain text",
        )
    return text
