"""The routes: each parses its input, calls a flow in ``flows/`` (the same ones the CLI
calls) through the worker pool, and renders the result. No use case is written here.

No file is touched on the event loop: a route that only reads the session folder is a
plain ``def`` (FastAPI runs it in a thread); an ``async`` one does its file work through
``anyio.to_thread.run_sync`` or the worker pool, so one slow disk stalls one request, not
every request of the worker (the probes included)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from interviewsense.errors import (
    BadInputError,
    ConflictError,
    InterviewSenseError,
    NotFoundError,
    ServiceError,
    StorageError,
    named,
)
from interviewsense.interviewer.personas import get_persona
from interviewsense.progress import Quiet
from interviewsense.serve.errors import UnsupportedMediaError, hint_for
from interviewsense.serve.inputs import save_upload, speakable, validated
from interviewsense.serve.schemas import (
    ERROR_RESPONSES,
    FinalizeRequest,
    StartRequest,
    TTSRequest,
    TypedAnswer,
    UserQuery,
    answer_body,
)
from interviewsense.serve.security import (
    LINKED_FORMAT,
    SAFE_ID,
    audio_roots,
    checked_audio_path,
)
from interviewsense.serve.state import Engine, Lease, worker_temp
from interviewsense.serve.views import (
    client_id,
    listing_row,
    question_view,
    session_view,
    whisper_result,
)

if TYPE_CHECKING:
    from interviewsense.audio.load import LoadedAudio
    from interviewsense.domain import Session
    from interviewsense.flows.interview import Step

TTS_NAME = r"^tts-[0-9a-f]{16}\.wav$"
log = logging.getLogger("interviewsense.serve")


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", tags=["health"])
async def readyz(request: Request, engine: EngineDep) -> JSONResponse:
    """Readiness: Whisper loaded, the session folder writable, Azure and Redis reachable."""
    checks: dict[str, Any] = {
        "whisper": engine.transcriber.model if engine.transcriber else "",
        "jobs": {"pending": engine.pool.pending, "capacity": engine.pool.capacity},
        "downloads": {
            "pending": engine.pool.downloads,
            "capacity": engine.pool.download_capacity,
        },
    }
    problems: list[tuple[str, str]] = []  # (what is wrong, what to do)
    if engine.transcriber is None:
        missing = engine.missing
        problems.append(
            (missing.message, missing.hint or "")
            if missing
            else ("Whisper is not loaded", "'interviewsense models' says what is missing")
        )
    try:
        checks["storage"] = await anyio.to_thread.run_sync(engine.artifacts.check)
    except Exception as exc:
        checks["storage"] = "unavailable"
        problems.append(
            (exc.message, exc.hint or "")
            if isinstance(exc, InterviewSenseError)
            else ("storage failed", "")
        )
    try:
        checks["redis"] = await engine.shared.check()
    except InterviewSenseError as exc:
        checks["redis"] = "unreachable"
        problems.append((exc.message, exc.hint or ""))
    if problems:
        # Built here rather than raised, to carry the checks: scrubbed as every error is.
        scrub = request.app.state.scrub
        error = scrub("; ".join(message for message, _ in problems))
        hint = scrub("; ".join(h for _, h in problems if h)) or hint_for(503, None)
        return JSONResponse({"error": error, "hint": hint, **checks}, 503)
    return JSONResponse({"status": "ready", **checks})


POST_ONLY = ("start", "finalize")  # the POST routes /v1/sessions/<name>, declared below


@router.post("/v1/sessions/start", tags=["sessions"])
async def start(body: StartRequest, engine: EngineDep) -> dict[str, Any]:
    """Start an interview; returns the session and its first question."""
    from interviewsense.flows.interview import start_interview
    from interviewsense.interviewer.base import InterviewPlan
    from interviewsense.storage.store import is_session_id

    persona = get_persona(body.persona)
    if body.session_id is not None and is_session_id(body.session_id):
        raise BadInputError(
            "session_id looks like one the server makes", hint="pick another, or leave it out"
        )
    if body.session_id in POST_ONLY:
        raise BadInputError(
            f"session_id '{body.session_id}' is the name of a route under /v1/sessions/",
            hint="pick another, or leave it out",
        )
    reserved = None
    if body.session_id:
        reserved = await anyio.to_thread.run_sync(engine.ids.reserve, body.user_id, body.session_id)
    plan = InterviewPlan(
        type=body.interview_type,
        persona=body.persona,
        questions=body.questions,
        role=body.role,
        level=body.level,
    )
    extra = {
        "api": {
            "user_id": body.user_id,
            "session_id": body.session_id or "",
            "client_tts": body.client_tts,
        }
    }
    try:
        step = await engine.pool.run(start_interview, plan, engine.settings, Quiet(), extra=extra)
    except BaseException:
        if reserved is not None:
            await anyio.to_thread.run_sync(lambda: reserved.unlink(missing_ok=True))
        raise
    session = step.session
    await anyio.to_thread.run_sync(_bind, engine, body.user_id, session, reserved)
    return {"welcome": persona.welcome, **session_view(session, step.waiting)}


def _bind(engine: Engine, user_id: str, session: Session, reserved: Path | None) -> None:
    """The client's id bound to the new session (the server's id when it gave none)."""
    if reserved is None:  # the server's id is the client's too
        session.settings["api"]["session_id"] = session.id
        engine.store.save(session)
        reserved = engine.ids.reserve(user_id, session.id)
    engine.ids.bind(reserved, session.id)


def post_only() -> None:
    from starlette.exceptions import HTTPException

    raise HTTPException(405, headers={"Allow": "POST"})


# POST-only routes whose path would otherwise read as a session id to GET and DELETE
# ("GET /v1/sessions/start" answered 404, no such session): they say 405, and Allow: POST.
# So no client may name a session after one of them (start refuses it).
for _route in POST_ONLY:
    router.add_api_route(
        f"/v1/sessions/{_route}", post_only, methods=["GET", "DELETE"], include_in_schema=False
    )


@router.get("/v1/sessions", tags=["sessions"])
def list_sessions(
    engine: EngineDep, user_id: Annotated[str, Query(pattern=SAFE_ID.pattern)]
) -> dict[str, Any]:
    """A user's sessions, oldest first."""
    rows = []
    for client, store_id in engine.ids.ids_of(user_id):
        rows.append(listing_row(client, engine.store.load(store_id)))
    rows.sort(key=lambda r: str(r["store_id"]))
    return {"user_id": user_id, "sessions": rows}


@router.get("/v1/sessions/{session_id}", tags=["sessions"])
def get_session(session_id: str, engine: EngineDep, user_id: UserQuery = None) -> Any:
    """A session: its settings, questions, answers and scores (the session JSON)."""
    from interviewsense.flows.interview import waiting_turn

    store_id, _ = engine.ids.resolve(session_id, user_id)
    session = engine.store.load(store_id)
    return session_view(session, waiting_turn(session))


@router.delete("/v1/sessions/{session_id}", tags=["sessions"])
async def delete_session(session_id: str, engine: EngineDep, user_id: UserQuery = None) -> Any:
    """Delete a session and its recordings, blobs included."""
    store_id, user = await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user_id)
    async with engine.locks.hold(store_id) as lease:
        session = await anyio.to_thread.run_sync(engine.store.load, store_id)
        # Blobs first: if Azure fails, nothing is deleted and the request can be repeated.
        await anyio.to_thread.run_sync(lease.check)
        await anyio.to_thread.run_sync(engine.artifacts.delete, store_id)
        await anyio.to_thread.run_sync(lease.check)
        await anyio.to_thread.run_sync(engine.store.delete, store_id)
        await engine.shared.forget(store_id)
        engine.locks.drop(store_id)
        info = session.settings.get("api", {})
        if isinstance(info, dict) and info.get("user_id"):
            await anyio.to_thread.run_sync(
                engine.ids.forget, str(info["user_id"]), client_id(session)
            )
    return {"deleted": session_id}


@router.get("/v1/sessions/{session_id}/report", tags=["sessions"])
async def report(
    session_id: str,
    engine: EngineDep,
    format: Literal["html", "md", "json"] = LINKED_FORMAT,
    user_id: UserQuery = None,
) -> Response:
    """A report of the session, as the CLI's 'sessions report' writes it."""
    from interviewsense.report.render import render

    store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user_id)
    session = await anyio.to_thread.run_sync(engine.store.load, store_id)
    text = await engine.pool.run(render, session, engine.store.folder(store_id), format)
    media = {"html": "text/html", "md": "text/markdown", "json": "application/json"}[format]
    # Opened from a signed link, the URL must not leak on (Referer) nor stay in a cache.
    headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}
    return Response(text, media_type=f"{media}; charset=utf-8", headers=headers)


@router.post("/v1/sessions/{session_id}/report/link", tags=["sessions"])
async def report_link(
    session_id: str,
    engine: EngineDep,
    format: Literal["html", "md", "json"] = LINKED_FORMAT,
    user_id: UserQuery = None,
) -> dict[str, Any]:
    """A link to the session's report that a browser tab can open without the bearer
    token (it cannot send one): signed for this session and user, valid for
    ``expires_in`` seconds. Without a server token the plain link (``expires_in`` null)."""
    import time

    from interviewsense.serve.security import REPORT_LINK_TTL_S, report_access

    await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user_id)  # 404: no such
    path = f"/v1/sessions/{quote(session_id)}/report"
    query: dict[str, str] = {"format": format}
    if user_id is not None:
        query["user_id"] = user_id
    token = engine.settings.api_token
    if not token:
        return {"url": f"{path}?{urlencode(query)}", "expires_in": None}
    query["access"] = report_access(token, path, user_id or "", time.time(), format)
    return {"url": f"{path}?{urlencode(query)}", "expires_in": REPORT_LINK_TTL_S}


@router.post("/v1/sessions/{session_id}/answers", tags=["answers"], openapi_extra=answer_body())
async def answer(
    session_id: str, request: Request, engine: EngineDep, user_id: UserQuery = None
) -> dict[str, Any]:
    """Answer the waiting question: multipart ``audio`` (any format the CLI reads), or JSON
    ``{"transcript": ...}``. Returns the scored answer and the next question."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    upload: Path | None = None
    if kind == "application/json":
        typed = validated(TypedAnswer, await request.body())
        if user_id is not None and typed.user_id is not None and user_id != typed.user_id:
            raise BadInputError(
                "user_id in the query and user_id in the body differ",
                hint="send user_id once: as a query parameter or as a field of the body",
            )
        user_id = user_id or typed.user_id
        store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user_id)
        kwargs: dict[str, Any] = {"text": typed.transcript, "turn": typed.turn}
    elif kind == "multipart/form-data":
        store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, session_id, user_id)
        transcriber = engine.whisper()  # 503 before the upload is read when Whisper is missing
        upload, turn = await save_upload(request, engine)
        kwargs = {"audio": str(upload), "turn": turn, "transcriber": transcriber}
    else:
        raise UnsupportedMediaError(
            "answers come as multipart/form-data or application/json, not "
            + (f"'{kind[:60]}'" if kind else "a body with no Content-Type"),
            hint="send the recording as a multipart field 'audio', or JSON {\"transcript\": …}",
        )
    try:
        # An error names the session by the client's id, not the store's.
        with named(store_id, session_id):
            # A live socket recording this session's answer, on any worker, finishes first
            # (or closes: the page's skip closes it just before): an answer taken meanwhile
            # was accepted, then lost when the socket scored the turn again (a review). One
            # still recording after LIVE_WAIT_S is a 409.
            async with engine.locks.claim(store_id):
                pass
            async with engine.locks.hold(store_id) as lease:
                step, link = await _answer_locked(engine, store_id, lease, **kwargs)
    finally:
        if upload is not None:
            await anyio.to_thread.run_sync(lambda: upload.unlink(missing_ok=True))
    return {**_step_view(step), "sas_url": link}


async def _answer_locked(
    engine: Engine, store_id: str, lease: Lease, **kwargs: Any
) -> tuple[Step, str | None]:
    """Answer a turn of a session whose lock is held (``lease``): check this server's copy
    of the session is not behind the shared turn counter, answer, then move the counter.
    The lease is checked before each write, so a request that lost the lock stops (503)."""
    recorded = await engine.shared.answered(store_id)
    if recorded is not None:
        here = _answered(await anyio.to_thread.run_sync(engine.store.load, store_id))
        if here < recorded:
            raise StorageError(
                f"this server's copy of session {store_id} has {here} answers, but "
                f"{recorded} were recorded: its session folder is not the one the other "
                "servers write",
                hint="give every server the same INTERVIEWSENSE_HOME (docs/api.md, Scale)",
            )
    step, link = await engine.pool.run(_answer, engine, store_id, guard=lease.check, **kwargs)
    await engine.shared.set_answered(store_id, _answered(step.session))
    return step, link


def _answered(session: Session) -> int:
    return sum(1 for t in session.turns if t.answer is not None)


def _answer(engine: Engine, store_id: str, **kwargs: Any) -> tuple[Step, str | None]:
    """Answer a turn (in a worker thread), then keep its recording as an artifact: a blob
    too when Azure is configured. A storage failure is logged, not raised: the answer is
    recorded either way, and 'interviewsense sync' can copy it later."""
    from interviewsense.flows.interview import answer_turn

    step = answer_turn(store_id, engine.settings, Quiet(), **kwargs)
    answer = step.answered.answer if step.answered is not None else None
    rel = answer.audio.path if answer is not None and answer.audio is not None else ""
    if not rel:
        return step, None
    try:
        engine.artifacts.put(store_id, rel, engine.store.folder(store_id) / rel)
        return step, engine.artifacts.link(store_id, rel)
    except InterviewSenseError as exc:
        log.warning("%s (%s)", exc.message, exc.hint)
        return step, None


def _step_view(step: Any) -> dict[str, Any]:
    from interviewsense.domain import to_json

    answered = step.answered
    return {
        "session_id": client_id(step.session),
        "turn": answered.index,
        "answer": None if answered.answer is None else to_json(answered.answer),
        "skipped": answered.status == "skipped",
        "next": question_view(step.session, step.waiting),
        "done": step.session.status == "complete",
        "summary": step.session.summary,
    }


@router.post("/v1/sessions/finalize", tags=["answers"])
async def finalize(body: FinalizeRequest, engine: EngineDep) -> dict[str, Any]:
    """Transcribe a recording with Whisper and score it: as the answer to the session's
    waiting question (or to ``turn``, replacing its answer), or, with no session, as a new
    one-answer session like 'interviewsense finalize FILE'."""
    if (body.audio_path is None) == (body.audio_url is None):
        raise BadInputError(
            "give audio_path or audio_url (one of them)",
            hint='e.g. {"session_id": "s1", "audio_url": "https://example.org/answer.mp3"}; '
            "or upload the recording to POST /v1/sessions/{id}/answers",
        )
    shown = "the file at audio_path"
    if body.audio_path is not None:
        roots = audio_roots(engine.settings.serve_audio_roots)
        source = str(await anyio.to_thread.run_sync(checked_audio_path, body.audio_path, roots))
    else:
        from interviewsense.audio.urls import is_url

        shown = "the audio at audio_url"
        source = body.audio_url or ""
        if not is_url(source):
            raise BadInputError(
                "audio_url must be an http(s) URL",
                hint="give a link that starts with https:// (or http://) to the recording",
            )
        # Refused at once when its host is private (403); the download checks every
        # connection again, redirects included.
        await anyio.to_thread.run_sync(engine.fetch_policy.check_url, source)
    from interviewsense.audio.urls import shown as printable

    # An error about the file names it as the client knows it; finalize itself names a
    # download by its printable address.
    printed = printable(source) if body.audio_url is not None else source
    with named(source, shown), named(printed, shown):
        return await _finalize(body, engine, source)


@contextlib.asynccontextmanager
async def _downloaded(
    engine: Engine, body: FinalizeRequest, source: str
) -> AsyncIterator[LoadedAudio | None]:
    """An audio_url's recording, downloaded and decoded before its answer takes a job
    (``WorkPool.download``) and held until the answer is done; None for an audio_path,
    which the job reads itself."""
    if body.audio_url is None:
        yield None
        return
    from interviewsense.flows.finalize import load_source

    settings, policy = engine.settings, engine.fetch_policy
    async with engine.pool.download(load_source, source, settings, Quiet(), policy) as loaded:
        yield loaded


async def _finalize(body: FinalizeRequest, engine: Engine, source: str) -> dict[str, Any]:
    transcriber = engine.whisper()  # 503 without Whisper, before anything is downloaded
    if body.session_id is None:
        from interviewsense.flows.finalize import finalize as run

        async with _downloaded(engine, body, source) as loaded:
            result = await engine.pool.run(
                run,
                source,
                engine.settings,
                Quiet(),
                question=body.question,
                qtype=body.interview_type,
                transcriber=transcriber,
                fetch_policy=engine.fetch_policy,
                loaded=loaded,
            )
        session = result.session
        if body.user_id is not None:  # the user's, as a started session is (a review: anyone's)
            session.settings["api"] = {
                "user_id": body.user_id,
                "session_id": "",
                "client_tts": False,
            }
            await anyio.to_thread.run_sync(_bind, engine, body.user_id, session, None)
        return {
            "session_id": session.id,
            "turn": 1,
            "whisper_result": whisper_result(result.answers[0]),
            "skipped": False,
            "next": None,
            "done": True,
            "summary": session.summary,  # as every answer's response has it (api.md)
        }
    store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, body.session_id, body.user_id)
    with named(store_id, body.session_id):  # the client's id in errors, not the store's
        if body.audio_url is not None:  # a question to answer, before the download (409)
            from interviewsense.flows.interview import turn_to_answer

            session = await anyio.to_thread.run_sync(engine.store.load, store_id)
            turn_to_answer(session, body.turn, typed=False)
        async with (
            _downloaded(engine, body, source) as loaded,
            engine.locks.hold(store_id) as lease,
        ):
            step, link = await _answer_locked(
                engine,
                store_id,
                lease,
                audio=source,
                loaded=loaded,
                turn=body.turn,
                transcriber=transcriber,
                fetch_policy=engine.fetch_policy,
            )
    view = {**_step_view(step), "sas_url": link}
    answered = step.answered.answer if step.answered is not None else None
    if answered is None:  # pragma: no cover - answer_turn always answers a turn
        raise BadInputError("nothing was answered")
    view["whisper_result"] = whisper_result(answered)
    del view["answer"]  # it is whisper_result.answer
    return view


@router.post("/v1/tts/generate", tags=["tts"])
async def tts(body: TTSRequest, engine: EngineDep) -> dict[str, Any]:
    """The interviewer's voice: instructions for the browser's speech synthesis for a
    client-TTS session, else a WAV made on the server (a URL to GET)."""
    from interviewsense.tts.base import speech_synthesis_hints

    text = speakable(body.text)
    store_id, _ = await anyio.to_thread.run_sync(engine.ids.resolve, body.session_id, body.user_id)
    session = await anyio.to_thread.run_sync(engine.store.load, store_id)
    # Not named: the session's own interviewer (QA: a "tough" session got the friendly voice)
    persona = get_persona(body.persona or session.persona or "friendly")
    if session.settings.get("api", {}).get("client_tts") and not body.server_voice:
        return {
            "use_client_tts": True,
            "tts_instructions": {"text": text, **speech_synthesis_hints(persona.voice)},
        }
    voice = await anyio.to_thread.run_sync(engine.tts_name)
    key = hashlib.sha256(f"{voice}\0{persona.name}\0{text}".encode()).hexdigest()
    name = f"tts-{key[:16]}.wav"
    url = f"/v1/sessions/{quote(body.session_id)}/tts/{name}"
    if body.user_id is not None:  # the id alone may name several users' sessions
        url += f"?{urlencode({'user_id': body.user_id})}"
    rel = f"tts/{name}"
    stored = True  # in Azure too, when it is configured: its link can be given
    async with engine.locks.hold(store_id) as lease:
        cached = await anyio.to_thread.run_sync(_cached, engine, store_id, rel)
        if cached is None:
            owner = await engine.shared.tts_owner(key)  # made for another session before?
            if owner is not None and owner != store_id:
                cached = await anyio.to_thread.run_sync(_copy, engine, owner, store_id, rel, lease)
            if cached is None:
                await anyio.to_thread.run_sync(_tts_room, engine, store_id)
                stored = await engine.pool.run(
                    _synthesize, engine, store_id, rel, text, persona.voice, lease
                )
                await engine.shared.remember_tts(key, store_id)
    path = await anyio.to_thread.run_sync(engine.artifacts.get, store_id, rel)
    if path is None:
        raise NotFoundError("the speech was not made", hint="try again")
    seconds = await anyio.to_thread.run_sync(_duration_s, path)
    return {
        "use_client_tts": False,
        "audio_url": url,
        "sas_url": engine.artifacts.link(store_id, rel) if stored else None,
        "engine": voice,
        "cached": cached is not None,
        "duration_s": round(seconds, 3),
    }


def _duration_s(path: Path) -> float:
    import wave

    with wave.open(str(path), "rb") as wf:
        return wf.getnframes() / float(wf.getframerate())


def _cached(engine: Engine, store_id: str, rel: str) -> Path | None:
    """The artifact, here or in Azure; None when Azure cannot be reached either (the speech
    is made here again, rather than a 502: a review)."""
    try:
        return engine.artifacts.get(store_id, rel)
    except ServiceError as exc:
        log.warning("%s (%s)", exc.message, exc.hint)
        return None


def _stored(engine: Engine, store_id: str, rel: str, source: Path) -> bool:
    """Keep an artifact here and, when it is configured, in Azure; whether Azure took it.
    Azure failing is logged: the copy here serves this server."""
    try:
        engine.artifacts.put(store_id, rel, source)
    except ServiceError as exc:
        log.warning("%s (%s)", exc.message, exc.hint)
        return False
    return True


def _copy(engine: Engine, owner: str, store_id: str, rel: str, lease: Lease) -> Path | None:
    """The owner session's artifact kept for this session too, or None if it is gone."""
    import shutil

    source = _cached(engine, owner, rel) if engine.store.exists(owner) else None
    if source is None:
        return None
    fd, tmp = worker_temp(engine.settings.cache_dir / "tts", "tts", ".wav")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        lease.check()
        _stored(engine, store_id, rel, tmp)
    finally:
        tmp.unlink(missing_ok=True)
    return engine.artifacts.get(store_id, rel)


def _tts_room(engine: Engine, store_id: str) -> None:
    """409 when the session already has as many speech files as one may make (a review:
    5.9 MB a distinct text, with no limit, could fill the disk through one session)."""
    most = engine.settings.serve_tts_per_session
    folder = engine.store.folder(store_id) / "tts"
    made = sum(1 for p in folder.glob("*.wav") if re.fullmatch(TTS_NAME, p.name))
    if made >= most:
        raise ConflictError(
            f"this session already has {made} speech files, the most one session makes",
            hint="let the browser speak (client_tts), or start a new session; "
            "INTERVIEWSENSE_SERVE_TTS_PER_SESSION sets the limit",
        )


def _synthesize(
    engine: Engine, store_id: str, rel: str, text: str, style: Any, lease: Lease
) -> bool:
    """Make the speech and keep it; whether Azure (when configured) took it too."""
    fd, tmp = worker_temp(engine.settings.cache_dir / "tts", "tts", ".wav")
    os.close(fd)
    try:
        engine.speaker().synthesize(text, tmp, style)
        lease.check()
        return _stored(engine, store_id, rel, tmp)
    finally:
        tmp.unlink(missing_ok=True)


@router.get("/v1/sessions/{session_id}/tts/{name}", tags=["tts"])
def tts_audio(
    session_id: str, name: str, engine: EngineDep, user_id: UserQuery = None
) -> FileResponse:
    """A WAV /v1/tts/generate made."""
    store_id, _ = engine.ids.resolve(session_id, user_id)
    path = None
    if re.fullmatch(TTS_NAME, name):
        path = engine.artifacts.get(store_id, f"tts/{name}")
    if path is None:
        raise NotFoundError(
            f"session {session_id} has no audio {name[:40]}",
            hint="POST /v1/tts/generate makes the speech and answers with its audio_url",
        )
    return FileResponse(path, media_type="audio/wav")
