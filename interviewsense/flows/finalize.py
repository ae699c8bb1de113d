"""finalize: a recording, a URL or a saved session -> Whisper transcript -> scores -> session.

A file or URL becomes a new one-answer session (its audio kept as 16 kHz ``audio/a01.wav``);
a session id re-transcribes every answer of that session in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from interviewsense.audio.fetch import fetch, fetch_limits
from interviewsense.audio.load import LoadedAudio, load_audio, write_wav
from interviewsense.audio.urls import OTHER_SCHEME, is_url, shown
from interviewsense.config import Settings
from interviewsense.domain import (
    Answer,
    AudioInfo,
    InterviewType,
    Question,
    Session,
    Transcript,
    Turn,
    refresh_totals,
    summarize,
)
from interviewsense.errors import BadInputError, named
from interviewsense.fsutil import atomic_open
from interviewsense.progress import Reporter
from interviewsense.scoring.engine import build_answer, scorer_options
from interviewsense.scoring.rubric import Rubric, load_rubric
from interviewsense.storage.store import SessionStore, is_session_id, new_session_id, now_iso

if TYPE_CHECKING:
    from interviewsense.audio.addresses import AddressPolicy
    from interviewsense.stt.base import Transcriber

# An address with a scheme we do not download ("ftp://…", "s3://…"): not a file name.


@dataclass
class FinalizeResult:
    session: Session
    answers: list[Answer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Answers of a session left as they were: (answer number, why).
    kept: list[tuple[int, str]] = field(default_factory=list)

    @property
    def kept_notes(self) -> list[str]:
        return [f"answer {n}: {why}; it is kept as it was" for n, why in self.kept]


def load_transcriber(settings: Settings, reporter: Reporter) -> Transcriber:
    """The final-transcript engine the settings name (stt/registry.py), loaded."""
    from interviewsense.stt.registry import FINAL

    return FINAL.choose(settings).build(settings, reporter)


def analyse(
    audio: LoadedAudio,
    question: Question,
    transcriber: Transcriber,
    rubric: Rubric,
    settings: Settings,
    reporter: Reporter,
) -> Answer:
    """Transcribe and score one loaded recording."""
    from interviewsense.audio.vad import speech_regions

    duration = audio.duration_s
    with reporter.status("Finding the speech"):
        regions = speech_regions(audio.samples)
    if regions:
        with reporter.progress("Transcribing", total=duration, unit="s") as advance:
            transcript = transcriber.transcribe(audio.samples, progress=advance)
            advance(duration)
    else:  # nothing to transcribe: spare Whisper the silence (an hour of it, say)
        transcript = Transcript(
            text="",
            engine=transcriber.engine,
            model=transcriber.model,
            language=transcriber.language,
        )
    with reporter.status("Scoring"):
        return build_answer(
            transcript,
            question,
            scorer_options(settings),
            rubric=rubric,
            samples=audio.samples,
            regions=regions,
            audio=audio.info,
            notes=audio.notes,
        )


def audio_limit_s(settings: Settings) -> float | None:
    """The longest recording decoded, in seconds; None when ``max_audio_min`` is 0 (off)."""
    return settings.max_audio_min * 60 if settings.max_audio_min > 0 else None


def require_speech(answer: Answer) -> None:
    """A recording in which no speech was heard is not an answer to score: a score of 0 would
    count in a cohort's mean, and its advice to check the microphone fits no file."""
    if not answer.transcript.text.strip():
        raise BadInputError(
            "no speech was heard in the recording",
            hint="check that it is the recording you meant; a silent, music-only or very "
            "quiet file has nothing to score",
        )


def load_source(
    source: str, settings: Settings, reporter: Reporter, fetch_policy: AddressPolicy | None = None
) -> LoadedAudio:
    """A recording from a file or an http(s) URL (downloaded, then deleted), as 16 kHz mono;
    ``fetch_policy``: the addresses a URL may lead to (the web API's; the CLI has none)."""
    if is_url(source):
        with reporter.progress("Downloading", total=None, unit="B") as advance:
            path = fetch(
                source,
                settings.cache_dir / "downloads",
                **fetch_limits(settings),
                policy=fetch_policy,
                progress=lambda done, total: advance(done),
            )
    elif OTHER_SCHEME.match(source):
        raise BadInputError(
            f"only http and https addresses can be downloaded, not {shown(source)}",
            hint="download the recording first, then pass the file",
        )
    else:
        path = Path(source).expanduser()
    # An error about a download names its address, not the file in the cache.
    name = shown(source) if is_url(source) else str(path)
    try:
        with reporter.status("Loading audio"), named(str(path), name):
            return load_audio(
                path, source=name if is_url(source) else source, max_s=audio_limit_s(settings)
            )
    finally:
        if is_url(source):
            path.unlink(missing_ok=True)


def finalize(
    source: str,
    settings: Settings,
    reporter: Reporter,
    *,
    question: str = "",
    qtype: InterviewType | None = None,
    transcriber: Transcriber | None = None,
    fetch_policy: AddressPolicy | None = None,
    loaded: LoadedAudio | None = None,
) -> FinalizeResult:
    """``transcriber``: a loaded model to reuse (a server keeps one); else one is loaded.
    ``fetch_policy``: see ``load_source``. ``loaded``: ``source`` already loaded (the web
    API downloads an audio_url before it takes a job)."""
    if not source.strip():  # Path("") is the folder you are in: "'.' is a folder" said nothing
        raise BadInputError(
            "no recording given (an empty name)",
            hint="pass an audio file, an http(s) address or a session id",
        )
    store = SessionStore(settings.sessions_dir)
    rubric = load_rubric(settings.rubric)
    if is_session_id(source) and not Path(source).exists():
        session = store.load(source)
        return refinalize(
            session,
            store,
            settings,
            reporter,
            rubric=rubric,
            question=question,
            qtype=qtype,
            transcriber=transcriber,
        )

    audio = loaded or load_source(source, settings, reporter, fetch_policy)
    qtype = qtype or "behavioral"
    q = Question(text=question, type=qtype, source="user")
    transcriber = transcriber or load_transcriber(settings, reporter)
    answer = analyse(audio, q, transcriber, rubric, settings, reporter)
    require_speech(answer)

    session = Session(
        id=new_session_id(),
        started_at=now_iso(),
        type=qtype,
        persona="",
        kind="finalize",
        settings={"whisper_model": transcriber.model, "language": settings.language},
    )
    store.create(session)
    try:
        _save_new(session, store, audio, answer, q, source)
    except BaseException:  # a full disk: the source is untouched, and no empty session stays
        store.discard(session.id)
        raise
    store.release(session.id)
    return FinalizeResult(session=session, answers=[answer], notes=answer.notes)


def _save_new(
    session: Session,
    store: SessionStore,
    audio: LoadedAudio,
    answer: Answer,
    q: Question,
    source: str,
) -> None:
    stored = store.audio_path(session.id, "a", 1)
    with atomic_open(stored) as fh:
        write_wav(fh, audio.samples)  # type: ignore[arg-type]
    answer.audio = AudioInfo(
        path=f"audio/{stored.name}",
        duration_s=audio.info.duration_s,
        sample_rate=audio.info.sample_rate,
        channels=audio.info.channels,
        source=shown(source) if is_url(source) else source,  # no credentials or SAS kept
        format=audio.info.format,
    )
    session.turns.append(Turn(index=1, question=q, answer=answer, status="answered"))
    session.status = "complete"
    session.ended_at = now_iso()
    session.summary = summarize(session)
    store.save(session)


def refinalize(
    session: Session,
    store: SessionStore,
    settings: Settings,
    reporter: Reporter,
    *,
    rubric: Rubric | None = None,
    question: str = "",
    qtype: InterviewType | None = None,
    transcriber: Transcriber | None = None,
) -> FinalizeResult:
    """Re-transcribe every recorded answer of ``session`` with Whisper and rescore it;
    ``question`` and ``qtype``, when given, replace those of its one recorded answer."""
    session_id = session.id
    rubric = rubric or load_rubric(settings.rubric)
    with_audio = [t for t in session.turns if store.audio_path(session_id, "a", t.index).is_file()]
    if not with_audio:
        lost = [
            t.answer.audio.path
            for t in session.turns
            if t.answer is not None and t.answer.audio is not None and t.answer.audio.path
        ]
        if lost:  # recorded once, but the files are gone from the session's folder
            raise BadInputError(
                f"session {session_id}'s recordings are missing ({', '.join(lost[:3])}"
                f"{' …' if len(lost) > 3 else ''} not in {store.folder(session_id)})",
                hint="copy them back into that folder from your sync target (the Azure "
                "container or the local:PATH folder) or a backup",
            )
        raise BadInputError(
            f"session {session_id} has no recorded answers to re-transcribe",
            hint="answers typed with --keyboard are already final",
        )
    given = [f for f, v in (("--question", question), ("--type", qtype)) if v]
    if given and len(with_audio) > 1:  # each answer keeps its own: which would it replace?
        raise BadInputError(
            f"{' and '.join(given)} can replace the question of a session with one recorded "
            f"answer; session {session_id} has {len(with_audio)}",
            hint=f"leave {' and '.join(given)} out: each answer is scored against its own question",
        )
    transcriber = transcriber or load_transcriber(settings, reporter)
    result = FinalizeResult(session=session)
    if qtype:
        session.type = qtype
    store.lock(session_id)
    try:
        _refinalize_turns(
            session, with_audio, store, settings, reporter, rubric, transcriber, result,
            question=question, qtype=qtype,
        )  # fmt: skip
    finally:
        store.release(session_id)
    return result


def _refinalize_turns(
    session: Session,
    with_audio: list[Turn],
    store: SessionStore,
    settings: Settings,
    reporter: Reporter,
    rubric: Rubric,
    transcriber: Transcriber,
    result: FinalizeResult,
    *,
    question: str,
    qtype: InterviewType | None,
) -> None:
    session_id = session.id
    for turn in with_audio:
        path = store.audio_path(session_id, "a", turn.index)
        q = replace(turn.question, text=question or turn.question.text)
        q.type = qtype or q.type
        try:
            # No length limit: the session's own recordings were checked (or made) as they came.
            audio = load_audio(path, source=f"audio/{path.name}")
            answer = analyse(audio, q, transcriber, rubric, settings, reporter)
            # A recording Whisper hears nothing in never replaces the answer it was.
            require_speech(answer)
        except BadInputError as exc:  # this recording; a missing model stops them all
            result.kept.append((turn.index, exc.message))
            continue
        turn.question = q
        # The recording as it came (its rate, channels and format), as the first finalize
        # said it; not the kept 16 kHz copy read back (QA: 22050 became 16000 here).
        before = turn.answer.audio if turn.answer is not None else None
        answer.audio = (
            replace(before, path=f"audio/{path.name}", duration_s=audio.info.duration_s)
            if before is not None
            else AudioInfo(
                path=f"audio/{path.name}",
                duration_s=audio.info.duration_s,
                sample_rate=audio.info.sample_rate,
                channels=audio.info.channels,
                source=f"audio/{path.name}",
                format=audio.info.format,
            )
        )
        turn.answer = answer
        turn.status = "answered"
        result.answers.append(answer)
        result.notes.extend(f"answer {turn.index}: {n}" for n in answer.notes)
        refresh_totals(session)  # the closing assessment stays
        store.save(session)  # keep each re-scored answer (and the totals) if a later one fails
    result.notes.extend(result.kept_notes)
