"""The practice page (static files, no build step) and its live socket,
``/v1/sessions/{id}/live``: 16 kHz mono PCM in, transcript and end-of-answer events out,
then the answer scored by the same flow as ``POST /v1/sessions/{id}/answers``.

The socket speaks JSON text messages; the page sends binary frames of 16-bit little-endian
PCM, ``{"type": "stop"}`` (score what was said) and ``{"type": "discard"}`` (drop it). The
server sends, in order: ``ready`` {turn, resumed_s, engine}, ``transcript`` {final,
partial, t, level_db, heard} while it hears, ``end`` {reason}, ``final`` {text,
duration_s}, usually ``provisional`` {turn, answer} (scored from the live transcript, not
recorded), then ``scored`` (the answers route's response: the recorded answer, from
Whisper's final pass) or ``error`` {error, hint, status}. Query: ``user_id``, ``turn``
(the question meant: 409 if another waits), ``token`` (browsers cannot send headers on a
WebSocket), ``silence_s``, ``max_s``, and ``fresh=1`` to start the answer again rather
than resume what an earlier connection recorded (docs/web.md).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, StreamingResponse

from interviewsense.errors import (
    BadInputError,
    ConflictError,
    InterviewSenseError,
    NotFoundError,
    named,
)
from interviewsense.serve.errors import (
    ForbiddenError,
    InvalidFieldError,
    UnauthorizedError,
    event_of,
)
from interviewsense.serve.schemas import ERROR_RESPONSES, MAX_TURN, UserQuery
from interviewsense.serve.security import SAFE_ID, SAFE_ID_HINT, bearer_ok, foreign_origin

if TYPE_CHECKING:
    from interviewsense.domain import Transcript, Turn
    from interviewsense.serve.live import LiveAnswer
    from interviewsense.serve.state import Claim, Engine

STATIC = Path(__file__).parent / "static"
EVENT_EVERY_S = 0.2  # transcript events at most this often (and whenever the text changes)
log = logging.getLogger("interviewsense.serve")
router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/", include_in_schema=False)
async def index() -> HTMLResponse:
    """The practice page."""
    return HTMLResponse(_page())


@cache
def _page() -> str:
    """index.html with the limits the API holds answers to, so the page cannot send what
    the API refuses (a review: a typed answer over the limit was a 422 and lost)."""
    from html import escape

    from interviewsense.report.data import SHORT_DELIVERY, UNTIMED_DELIVERY
    from interviewsense.scoring.text import MAX_TYPED_CHARS

    filled = {  # and the words the reports use, so the page says what they say
        "MAX_TYPED_CHARS": str(MAX_TYPED_CHARS),
        "UNTIMED_DELIVERY": UNTIMED_DELIVERY,
        "SHORT_DELIVERY": SHORT_DELIVERY,
    }
    page = (STATIC / "index.html").read_text("utf-8")
    for name, value in filled.items():
        page = page.replace("{{" + name + "}}", escape(value))
    return page


ANSWER_AUDIO = re.compile(r"^a\d{2,3}\.wav$")  # audio/aNN.wav: storage/store.py audio_name


@router.get("/v1/sessions/{session_id}/audio/{name}", tags=["answers"])
async def answer_audio(
    session_id: str, name: str, request: Request, user_id: UserQuery = None
) -> FileResponse:
    """An answer's recording as the session keeps it (``audio/aNN.wav``), so a page can
    play it from the moments its feedback points at."""
    engine: Engine = request.app.state.engine
    store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user_id)
    path = None
    if ANSWER_AUDIO.fullmatch(name):
        path = await anyio.to_thread.run_sync(engine.artifacts.get, store_id, f"audio/{name}")
    if path is None:
        raise NotFoundError(
            f"session {session_id} has no recording {name[:40]}",
            hint="recordings are audio/aNN.wav, as each answer's audio.path names it; "
            "GET /v1/sessions/{id} lists the answers",
        )
    return FileResponse(path, media_type="audio/wav")


@router.get("/v1/sessions/{session_id}/export.zip", tags=["sessions"])
async def export_zip(
    session_id: str, request: Request, user_id: UserQuery = None
) -> StreamingResponse:
    """'Download my data': the session JSON and its recordings (``audio/*.wav``) as one
    zip, streamed as it is built."""
    from interviewsense.serve.export import export_files, zip_stream

    engine: Engine = request.app.state.engine
    store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user_id)
    files = await anyio.to_thread.run_sync(export_files, engine, store_id)
    name = f"interviewsense-{session_id}.zip"  # resolve() took only a safe id or a store id
    return StreamingResponse(
        zip_stream(files),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _bounded(ws: WebSocket, name: str, default: float, lo: float, hi: float) -> float:
    """The query's ``name`` in seconds, ``default`` when absent; 422 when it is not a number
    from ``lo`` to ``hi`` (QA: "abc" quietly meant another way of ending the answer)."""
    raw = ws.query_params.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not lo <= value <= hi:  # NaN too
        raise InvalidFieldError(
            f"{name} is not a number of seconds from {lo:g} to {hi:g}",
            hint=f"leave {name} out for the default",
        )
    return value


def _checked(ws: WebSocket, engine: Engine) -> None:
    """A browser's socket only from this server's own page (WebSockets are not covered by
    CORS, so any site could otherwise send answers to a local server); then the bearer
    token (header, or ``token`` in the query: browsers cannot set headers on a
    WebSocket), when the server has one."""
    if foreign_origin(ws.headers.get("origin"), ws.headers.get("host", "")):
        raise ForbiddenError(
            "the live socket takes browsers only from this server's own page",
            hint="open the practice page this server serves",
        )
    token = engine.settings.api_token
    if not token:
        return
    header = ws.headers.get("authorization") or f"Bearer {ws.query_params.get('token', '')}"
    if not bearer_ok(header, token):
        raise UnauthorizedError("missing or wrong bearer token", hint="add ?token=<the token>")


async def _send_error(ws: WebSocket, exc: InterviewSenseError) -> None:
    await ws.send_json(event_of(exc, ws.app.state.scrub))


@router.websocket("/v1/sessions/{session_id}/live")
async def live(ws: WebSocket, session_id: str) -> None:
    """One spoken answer to the waiting question, heard live, then scored."""
    engine: Engine = ws.app.state.engine
    await ws.accept()
    try:
        _checked(ws, engine)
        user = ws.query_params.get("user_id")
        if user is not None and not SAFE_ID.fullmatch(user):
            raise InvalidFieldError("user_id is not a valid id", hint=SAFE_ID_HINT)
        store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user)
        # One socket records a session's answer at a time (two would write one WAV); the
        # claim is shared by every worker (a file lock, or Redis) and freed when this ends.
        with named(store_id, session_id):  # errors name the session as the client does
            async with engine.locks.claim(store_id) as claim:
                await _live_answer(ws, engine, store_id, session_id, claim)
    except WebSocketDisconnect:
        return
    except InterviewSenseError as exc:
        with contextlib.suppress(Exception):  # the page may be gone already
            await _send_error(ws, exc)
            await ws.close()
    except Exception as exc:
        log.error("live answer failed: %s", type(exc).__name__, exc_info=exc)
        rid = ws.scope.get("state", {}).get("request_id", "")
        error = {"type": "error", "error": f"unexpected {type(exc).__name__}"}
        with contextlib.suppress(Exception):  # the page may be gone already
            hint = f"the server log has it (request {rid})"
            await ws.send_json({**error, "hint": hint, "status": 500})
            await ws.close()


async def _live_answer(
    ws: WebSocket, engine: Engine, store_id: str, session_id: str, claim: Claim
) -> None:
    from interviewsense.audio.turn import load_turn_model
    from interviewsense.flows.interview import waiting_turn
    from interviewsense.serve.live import MAX_ANSWER_S, LiveAnswer

    session = await anyio.to_thread.run_sync(engine.store.load, store_id)
    turn = waiting_turn(session)
    if turn is None:
        raise ConflictError(
            f"session {session_id} has no question waiting: the interview is over",
            hint="start a new session",
        )
    meant = ws.query_params.get("turn", "")
    digits = meant.isascii() and meant.isdigit() and len(meant) <= len(str(MAX_TURN))
    if meant and not (digits and 1 <= int(meant) <= MAX_TURN):
        raise BadInputError(  # the value is not echoed: it is the client's
            f"turn is not a question number (1 to {MAX_TURN})",
            hint=f"the question waiting is {turn.index}",
        )
    if meant and int(meant) != turn.index:  # a reconnect after the answer was scored
        raise ConflictError(
            f"question {int(meant)} of session {session_id} is not the one waiting",
            hint=f"the question waiting is {turn.index}",
        )
    recognizer = await _recognizer(ws, engine)
    path = engine.store.audio_path(store_id, "a", turn.index)
    # No silence_s: practice's turn rule; silence_s: the old fixed rule (--silence).
    silence_s = None
    if ws.query_params.get("silence_s") is not None:
        silence_s = _bounded(ws, "silence_s", 1.5, 0.5, 10.0)
    max_s = _bounded(ws, "max_s", MAX_ANSWER_S, 5.0, 600.0)
    resume = ws.query_params.get("fresh") != "1"  # fresh: the question was asked again
    settings = engine.settings
    answer: LiveAnswer = await anyio.to_thread.run_sync(
        lambda: LiveAnswer(
            recognizer,
            path,
            silence_s=silence_s,
            max_s=max_s,
            max_pause_s=settings.turn_max_pause_s,
            turn_model=None if silence_s is not None else load_turn_model(settings.turn_model),
            resume=resume,
        )
    )
    await ws.send_json(
        {
            "type": "ready",
            "turn": turn.index,
            "resumed_s": round(answer.resumed_s, 3),
            "engine": recognizer.engine,
            "silence_s": silence_s,
            "max_s": max_s,
            "rule": answer.endpoint.rule,
        }
    )
    try:
        reason = await _hear(ws, answer, claim, session_id, settings.serve_live_idle_s)
    except WebSocketDisconnect:
        await anyio.to_thread.run_sync(answer.close)  # kept for the reconnect
        raise
    except BaseException:
        await anyio.to_thread.run_sync(answer.close)
        raise
    from interviewsense.domain import to_json

    end = answer.endpoint.verdict(reason)
    if reason == "discard":  # skipped: the question is answered another way
        await anyio.to_thread.run_sync(answer.discard)
        await _tell(ws, {"type": "end", "reason": reason, "end": to_json(end)})
        with contextlib.suppress(Exception):
            await ws.close()
        return
    # From here the answer is whole: it is scored and recorded even if the page has gone
    # (a reload, a closed tab), as docs/web.md promises; a review found a page that closed
    # on "end" left the question unanswered.
    await _tell(ws, {"type": "end", "reason": reason, "end": to_json(end)})
    transcript = await anyio.to_thread.run_sync(answer.finish)
    await _tell(
        ws, {"type": "final", "text": transcript.text, "duration_s": round(answer.duration_s, 3)}
    )
    await _send_provisional(ws, engine, transcript, turn, path)
    from interviewsense.serve.routes import _answer_locked, _step_view

    _still_ours(claim, session_id)
    async with engine.locks.hold(store_id) as lease:
        step, link = await _answer_locked(
            engine,
            store_id,
            lease,
            audio=str(path),
            turn=turn.index,
            transcriber=engine.whisper(),
            end=end,
        )
    await _tell(ws, {"type": "scored", **_step_view(step), "sas_url": link})
    with contextlib.suppress(Exception):
        await ws.close()


async def _tell(ws: WebSocket, event: dict[str, Any]) -> None:
    """Send an event the page may no longer be there to read (the answer goes on)."""
    try:
        await ws.send_json(event)
    except (WebSocketDisconnect, RuntimeError, OSError) as exc:
        # The page has gone: Starlette's WebSocketDisconnect(ed), uvicorn's
        # ClientDisconnected (an OSError). Anything else is a bug, and is raised.
        log.info("the page left before the %s event (%s)", event["type"], type(exc).__name__)


async def _send_provisional(
    ws: WebSocket, engine: Engine, transcript: Transcript, turn: Turn, path: Path
) -> None:
    """The ``provisional`` event: the answer scored from the live transcript, sent before
    Whisper's final pass so the page can show a card at once (marked provisional). Only
    the final pass's answer is recorded; when this one cannot be made (the live transcript
    fails the checks, the server is busy, scoring fails) the page waits for ``scored``."""
    from interviewsense.domain import to_json
    from interviewsense.serve.live import provisional

    try:
        scored = await engine.pool.run(
            provisional, transcript, turn.question, engine.settings, path
        )
    except InterviewSenseError as exc:  # busy, say: the final card only
        log.info("no provisional score: %s", exc.message)
        return
    except Exception as exc:  # the final pass decides: never lose the answer over this
        log.warning("no provisional score: %s", type(exc).__name__, exc_info=exc)
        return
    if scored is None:
        return
    await _tell(ws, {"type": "provisional", "turn": turn.index, "answer": to_json(scored)})


async def _recognizer(ws: WebSocket, engine: Engine) -> Any:
    """The worker's live recogniser, made on first use."""
    from interviewsense.serve.live import live_recognizer

    state = ws.app.state
    if getattr(state, "live_recognizer", None) is None:
        state.live_recognizer = await anyio.to_thread.run_sync(
            live_recognizer, engine.settings, engine.transcriber
        )
    return state.live_recognizer


def _still_ours(claim: Claim, session_id: str) -> None:
    """Stop a socket whose claim on the answer was lost (a Redis lock expired or taken by
    another socket): two would record one WAV and score one turn twice (a review)."""
    from interviewsense.serve.errors import BusyError

    if claim.lost:
        raise BusyError(
            f"this connection no longer holds the answer of session {session_id} (Redis did "
            "not keep its claim), so it stops; what was recorded is kept",
            hint="connect again: the answer resumes from what was kept",
        )


async def _hear(
    ws: WebSocket, answer: LiveAnswer, claim: Claim, session_id: str, idle_s: float
) -> str:
    """Take frames until the endpointer ends the answer or the page says stop; send the
    live text as it changes. A socket silent for ``idle_s`` is closed: the page sends audio
    all the time, and one that sends nothing held the answer from every other client (a
    review: 150 s and counting; ``max_s`` counts audio received, not time)."""
    import json

    shown = ""
    last = 0.0
    while True:
        _still_ours(claim, session_id)
        with anyio.move_on_after(idle_s if idle_s > 0 else math.inf) as waited:
            message = await ws.receive()
        if waited.cancelled_caught:
            raise BadInputError(
                f"no audio came for {idle_s:g} s: the live answer is closed",
                hint="what was recorded is kept; connect again to go on with it",
            )
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        data = message.get("bytes")
        if data is None:
            text = message.get("text") or ""
            hint = 'send {"type": "stop"} or {"type": "discard"} as text, and the audio as '
            hint += "binary frames"
            try:
                parsed = json.loads(text) if text.startswith("{") else text
            except ValueError:
                parsed = None
            except RecursionError:  # {"a": {"a": … thousands deep
                raise BadInputError(
                    "a text frame on the live socket is nested too deeply to read", hint=hint
                ) from None
            kind = parsed.get("type") if isinstance(parsed, dict) else parsed
            if kind in ("stop", "discard"):
                return str(kind)
            # Not a frame the page sends: say so (docs/web.md), without echoing it.
            raise BadInputError("the live socket cannot read this text frame", hint=hint)
        heard = await anyio.to_thread.run_sync(answer.feed, data)
        now = time.monotonic()
        if heard.text.text != shown or now - last >= EVENT_EVERY_S:
            shown, last = heard.text.text, now
            await ws.send_json(
                {
                    "type": "transcript",
                    "final": heard.text.final_text,
                    "partial": heard.text.partial_text,
                    "t": round(heard.t, 2),
                    "level_db": round(heard.level_db, 1),
                    "heard": heard.heard_speech,
                    "wrap_up": heard.wrap_up,
                }
            )
        if heard.ended:
            return heard.ended
