"""Response bodies: the session and answer JSON of the contract, plus what a client needs
next (the client's own session id, the waiting question, Whisper's segments)."""

from __future__ import annotations

from typing import Any

from interviewsense.domain import Answer, Session, Turn, to_json
from interviewsense.interviewer.base import main_questions_asked


def api_info(session: Session) -> dict[str, Any]:
    info = session.settings.get("api", {})
    return info if isinstance(info, dict) else {}


def client_id(session: Session) -> str:
    return str(api_info(session).get("session_id") or session.id)


def question_view(session: Session, turn: Turn | None) -> dict[str, Any] | None:
    if turn is None:
        return None
    q = turn.question
    return {
        "turn": turn.index,
        "number": main_questions_asked(session.turns[: turn.index]),
        "total": int(session.settings.get("questions", 0)),
        "text": q.text,
        "spoken": q.spoken or q.text,
        "type": q.type,
        "competency": q.competency,
        "follow_up": q.follow_up,
    }


def session_view(session: Session, waiting: Turn | None = None) -> dict[str, Any]:
    info = api_info(session)
    return {
        "session_id": client_id(session),
        "user_id": info.get("user_id", ""),
        "store_id": session.id,
        "client_tts": bool(info.get("client_tts", False)),
        "status": session.status,
        "question": question_view(session, waiting),
        "session": to_json(session),
    }


def listing_row(client: str, session: Session) -> dict[str, Any]:
    scores = [t.answer.scores.overall for t in session.turns if t.answer is not None]
    return {
        "session_id": client,
        "store_id": session.id,
        "started_at": session.started_at,
        "type": session.type,
        "persona": session.persona,
        "status": session.status,
        "answered": len(scores),
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
    }


def whisper_result(answer: Answer) -> dict[str, Any]:
    """The transcript as Whisper gave it (segments with their words and times), and the
    scored answer."""
    t = answer.transcript
    words = [to_json(w) for w in t.words]
    segments = []
    at = 0
    for seg in t.segments:
        segments.append(
            {
                "text": seg.text,
                "start": seg.start,
                "end": seg.end,
                "words": words[at : at + seg.words],
            }
        )
        at += seg.words
    return {
        "text": t.text,
        "segments": segments,
        "language": t.language,
        "model": t.model,
        "engine": t.engine,
        "answer": to_json(answer),
    }
