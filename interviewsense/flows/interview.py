"""An interview driven one step at a time from outside (the web API): start a session with
its first question, answer the question that is waiting, get the next one.

``practice`` runs the same interviewer and scorer in one loop around a microphone; here
each step is one call and ``session.json`` is the state between calls, so any process
that shares the session folder can take the next step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interviewsense.config import Settings
from interviewsense.domain import (
    LEVELS,
    Answer,
    AnswerEnd,
    AudioInfo,
    Question,
    Session,
    Transcript,
    Turn,
    one_of,
    refresh_totals,
    to_json,
)
from interviewsense.errors import BadInputError, ConflictError
from interviewsense.flows.finalize import analyse, load_source, load_transcriber
from interviewsense.flows.practice import recent_questions
from interviewsense.flows.setup import make_interviewer
from interviewsense.fsutil import atomic_open
from interviewsense.interviewer.base import Interviewer, InterviewPlan
from interviewsense.progress import Reporter
from interviewsense.scoring.text import has_words
from interviewsense.storage.store import SessionStore, new_session_id, now_iso

if TYPE_CHECKING:
    from interviewsense.audio.addresses import AddressPolicy
    from interviewsense.audio.load import LoadedAudio
    from interviewsense.stt.base import Transcriber


@dataclass
class Step:
    """Where the interview stands after a call: the turn just answered (if any) and the
    question now waiting (None once the interview is over)."""

    session: Session
    answered: Turn | None = None
    waiting: Turn | None = None


def plan_of(session: Session) -> InterviewPlan:
    """The plan a session was started with; the same plan gives the same questions."""
    s = session.settings
    return InterviewPlan(
        type=session.type,
        persona=session.persona or "friendly",
        questions=int(s.get("questions", 5)),
        role=str(s.get("role", "")),
        level=one_of(LEVELS, s["level"], "level") if s.get("level") else None,
        exclude=frozenset(str(i) for i in s.get("exclude", [])),
        seed=session.id,
    )


def waiting_turn(session: Session) -> Turn | None:
    last = session.turns[-1] if session.turns else None
    return last if last is not None and last.status == "asking" else None


def _ask(session: Session, interviewer: Interviewer) -> Turn | None:
    question = interviewer.next_question(session.turns)
    if question is None:
        return None
    turn = Turn(index=len(session.turns) + 1, question=question, status="asking")
    turn.interviewer = getattr(interviewer, "last_source", interviewer.kind)
    session.turns.append(turn)
    return turn


def start_interview(
    plan: InterviewPlan, settings: Settings, reporter: Reporter, *, extra: dict[str, Any]
) -> Step:
    """Create a session with its first question waiting; ``extra`` goes into its settings."""
    store = SessionStore(settings.sessions_dir)
    session = Session(
        id=new_session_id(), started_at=now_iso(), type=plan.type, persona=plan.persona
    )
    recent_ids, recent_texts = recent_questions(store)
    plan.seed = session.id
    plan.exclude = plan.exclude | recent_ids
    plan.avoid = plan.avoid + recent_texts
    interviewer = make_interviewer(plan, settings, reporter)
    session.settings = {
        "questions": plan.questions,
        "level": plan.level,
        "role": plan.role,
        "language": settings.language,
        "mode": "api",
        "interviewer": interviewer.kind,
        "exclude": sorted(plan.exclude),
        **extra,
    }
    first = _ask(session, interviewer)
    store.create(session)
    store.release(session.id)
    return Step(session=session, waiting=first)


def turn_to_answer(session: Session, turn: int | None, *, typed: bool) -> Turn:
    """The turn an answer goes to: the waiting one, or ``turn`` (a recording may redo an
    answered one); ConflictError when there is none. The web API asks before it downloads
    a recording, as ``answer_turn`` asks again under the session's lock."""
    pending = waiting_turn(session)
    target = pending if turn is None else next((t for t in session.turns if t.index == turn), None)
    if target is None:
        if turn is not None:
            raise ConflictError(
                f"session {session.id} has no question {turn}",
                hint=f"GET /v1/sessions/{session.id} lists its questions and the one waiting",
            )
        raise ConflictError(
            f"session {session.id} has no question waiting: the interview is over",
            hint="start a new session, or send a recording with 'turn' to redo an answer",
        )
    if target is not pending and typed:
        raise ConflictError(
            f"question {target.index} of session {session.id} is already answered",
            hint=f"the question waiting is {pending.index}"
            if pending
            else "the interview is over: a redo takes a recording, with 'turn'",
        )
    return target


def answer_turn(
    session_id: str,
    settings: Settings,
    reporter: Reporter,
    *,
    audio: str | None = None,
    text: str | None = None,
    turn: int | None = None,
    transcriber: Transcriber | None = None,
    guard: Callable[[], None] | None = None,
    fetch_policy: AddressPolicy | None = None,
    end: AnswerEnd | None = None,
    loaded: LoadedAudio | None = None,
) -> Step:
    """Answer the waiting question with a recording (a file or URL, transcribed by Whisper)
    or a typed ``text``, score it, and ask the next question.

    ``turn`` names the turn meant: the waiting one, or an answered one whose recording
    replaces its answer (transcribed and scored again, the interview does not move on).
    The caller serialises calls on one session; each call saves the session once.
    ``guard`` is called right before each write (the recording, the session) and raises to
    stop it: the web API's check that it still holds the session's lock. ``fetch_policy``:
    the addresses an ``audio`` URL may lead to (``load_source``). ``end``: how a live
    answer ended (the web page's endpointing), kept as the turn's ``end``. ``loaded``: the
    ``audio`` already loaded (the web API downloads a URL before it takes a job).
    """
    guard = guard or _unguarded
    if (audio is None) == (text is None):
        raise BadInputError("give a recording or a typed answer, not both or neither")
    store = SessionStore(settings.sessions_dir)
    session = store.load(session_id)
    pending = waiting_turn(session)
    target = turn_to_answer(session, turn, typed=text is not None)
    plan = plan_of(session)
    interviewer = make_interviewer(plan, settings, reporter)
    store.lock(session_id)
    try:
        if audio is not None:
            target.answer = _recorded(
                store,
                session,
                target,
                audio,
                settings,
                reporter,
                transcriber,
                guard,
                fetch_policy,
                loaded,
            )
        elif not has_words(text or ""):  # nothing said: the question is skipped, not scored 0
            target.answer = None
        else:
            target.answer = typed_answer(text or "", target.question, settings, interviewer)
        target.status = "answered" if target.answer is not None else "skipped"
        if end is not None:
            target.end = end
        step = Step(session=session, answered=target, waiting=pending)
        assessment = session.summary.get("assessment")
        if target is pending:
            step.waiting = _ask(session, interviewer)
            if step.waiting is None:
                session.status = "complete"
                session.ended_at = now_iso()
                assessment = to_json(interviewer.closing(session.turns))
        refresh_totals(session)
        if assessment is not None:
            session.summary["assessment"] = assessment
        guard()
        store.save(session)
    finally:
        store.release(session_id)
    return step


def _recorded(
    store: SessionStore,
    session: Session,
    turn: Turn,
    source: str,
    settings: Settings,
    reporter: Reporter,
    transcriber: Transcriber | None,
    guard: Callable[[], None],
    fetch_policy: AddressPolicy | None,
    loaded: LoadedAudio | None = None,
) -> Answer:
    from interviewsense.audio.load import write_wav
    from interviewsense.audio.urls import is_url
    from interviewsense.scoring.rubric import load_rubric

    loaded = loaded or load_source(source, settings, reporter, fetch_policy)
    kept = store.audio_path(session.id, "a", turn.index)
    transcriber = transcriber or load_transcriber(settings, reporter)
    rubric = load_rubric(settings.rubric)
    if turn.answer is None:
        # A new answer is kept before Whisper starts: a worker killed mid-answer loses
        # nothing ('sessions repair' recovers it, a retry answers it).
        guard()
        with atomic_open(kept) as fh:
            write_wav(fh, loaded.samples)  # type: ignore[arg-type]
        answer = analyse(loaded, turn.question, transcriber, rubric, settings, reporter)
        if not answer.transcript.text.strip():
            # Nothing heard is no answer: scored 0, it used up the question and told the
            # candidate to "answer again", which the flow no longer offered (QA).
            kept.unlink(missing_ok=True)
            raise BadInputError(
                f"no speech was heard in the recording ({loaded.info.duration_s:.1f} s of "
                f"audio): question {turn.index} is still waiting",
                hint="check that the microphone is on and close enough, then send the answer again",
            )
    else:
        # A redo: the new WAV waits in a temporary sibling and replaces the recorded one
        # only once its answer is scored, so a redo that fails (or a worker killed in it)
        # leaves the recorded answer and its recording as they were.
        with atomic_open(kept) as fh:
            write_wav(fh, loaded.samples)  # type: ignore[arg-type]
            answer = analyse(loaded, turn.question, transcriber, rubric, settings, reporter)
            if turn.answer.transcript.text.strip() and not answer.transcript.text.strip():
                # Nothing heard (silence, or a file cut short to its first moments) must not
                # replace an answer that has words: a failed redo, as above.
                raise BadInputError(
                    f"the new recording of answer {turn.index} has no speech "
                    f"({loaded.info.duration_s:.1f} s of audio): the earlier answer is kept",
                    hint="record the answer again, or send the whole file",
                )
            guard()
    answer.audio = AudioInfo(
        path=f"audio/{kept.name}",
        duration_s=loaded.info.duration_s,
        sample_rate=loaded.info.sample_rate,
        channels=loaded.info.channels,
        source="url" if is_url(source) else "file",  # never a server path or a signed URL
        format=loaded.info.format,
    )
    return answer


def _unguarded() -> None:
    return None


def typed_answer(
    text: str, question: Question, settings: Settings, interviewer: Interviewer | None = None
) -> Answer:
    """A typed answer, scored as practice scores one typed at the keyboard (``interviewer``:
    whose redaction an LLM judge's text goes through, if any)."""
    from interviewsense.scoring.engine import build_answer, scorer_options
    from interviewsense.scoring.rubric import load_rubric
    from interviewsense.scoring.text import clean_text, words_from_text

    text = clean_text(text)  # sent by a client: no terminal escapes reach a report
    transcript = Transcript(
        text=text.strip(), engine="text", model="api", words=words_from_text(text)
    )
    options = scorer_options(settings, getattr(interviewer, "redact", None))
    return build_answer(transcript, question, options, rubric=load_rubric(settings.rubric))
