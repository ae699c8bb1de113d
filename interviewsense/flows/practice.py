"""practice: a spoken mock interview. Question -> voice -> answer -> score -> next question.

session.json is rewritten atomically after every turn, so a crash or Ctrl-C loses at most
the turn in progress (and Ctrl-C keeps even that one's audio and words).
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any, Protocol

from interviewsense.config import Settings
from interviewsense.domain import (
    Answer,
    AnswerEnd,
    AudioInfo,
    Question,
    Session,
    Transcript,
    Turn,
    refresh_totals,
    summarize,
    to_json,
)
from interviewsense.errors import Interrupted, InterviewSenseError, StorageError
from interviewsense.flows.answer import (
    NO_INPUT_NOTE,
    Captured,
    KeySource,
    LiveView,
    capture_answer,
)
from interviewsense.flows.finalize import refinalize
from interviewsense.flows.setup import Equipment, PracticeOptions, prepare
from interviewsense.fsutil import free_bytes
from interviewsense.interviewer.base import Assessment
from interviewsense.progress import Reporter
from interviewsense.scoring.engine import build_answer, scorer_options
from interviewsense.scoring.rubric import load_rubric
from interviewsense.scoring.text import MAX_TYPED_CHARS, clean_text, plural, words_from_text
from interviewsense.storage.store import SessionStore, new_session_id, now_iso
from interviewsense.tts.silent import SilentSpeaker

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewsense.audio.turn import TurnModel
    from interviewsense.audio.vad import Region
    from interviewsense.scoring.rubric import Rubric
    from interviewsense.stt.base import Transcriber

LOW_DISK_BYTES = 200 * 1024 * 1024
ECHO_TAIL_S = 0.15  # what the microphone still hears of our own voice after playback
RECENT_SESSIONS = 10


class PracticeUI(LiveView, Protocol):
    def welcome(self, text: str, session: Session, equipment: Equipment) -> None: ...

    def question(self, q: Question, number: int, total: int) -> None: ...

    def answer_done(self, turn: Turn) -> None: ...

    def typed_answer(self) -> str | None:
        """A typed answer; None at end of input."""
        ...

    def closing(self, session: Session, assessment: Assessment) -> None: ...


def recent_questions(
    store: SessionStore, limit: int = RECENT_SESSIONS
) -> tuple[frozenset[str], tuple[str, ...]]:
    """Ids and texts of the main questions asked in the last ``limit`` practice sessions."""
    ids: set[str] = set()
    texts: list[str] = []
    for sid in reversed(store.ids()):
        if limit <= 0:
            break
        try:
            session = store.load(sid)
        except InterviewSenseError:
            continue
        if session.kind != "practice":
            continue
        limit -= 1
        for t in session.turns:
            if t.question.source in ("bank", "llm") and not t.question.follow_up:
                ids.add(t.question.id)
                texts.append(t.question.text)
    return frozenset(ids), tuple(texts)


class Practice:
    def __init__(
        self,
        options: PracticeOptions,
        settings: Settings,
        ui: PracticeUI,
        keys: KeySource,
        reporter: Reporter,
    ) -> None:
        self.options = options
        self.settings = settings
        self.ui = ui
        self.keys = keys
        self.reporter = reporter
        self.store = SessionStore(settings.sessions_dir)
        self.rubric: Rubric = load_rubric(settings.rubric)
        self.scoring: dict[str, Any] = {}
        self._final: Transcriber | None = None  # loaded when a live transcript fails a check
        self.zero = time.monotonic()
        self._warned_disk = False
        self._warned_turn = False
        self._heard = b""  # the answer so far, when the candidate spoke over the question
        self.session = Session(
            id=new_session_id(),
            started_at=now_iso(),
            type=options.plan.type,
            persona=options.plan.persona,
        )

    def _t(self) -> float:
        return round(time.monotonic() - self.zero, 3)

    def run(self) -> Session:
        plan = self.options.plan
        plan.seed = plan.seed or self.session.id
        recent_ids, recent_texts = recent_questions(self.store)
        plan.exclude = plan.exclude | recent_ids
        plan.avoid = plan.avoid + recent_texts
        eq = prepare(self.options, self.settings, self.reporter)
        # The judge sends answers to the same LLM as the interviewer, redacted the same way.
        self.scoring = scorer_options(self.settings, getattr(eq.interviewer, "redact", None))
        self.session.settings = {
            "questions": plan.questions,
            "level": plan.level,
            "role": plan.role,
            "company": plan.company,
            "language": self.settings.language,
            "mode": "keyboard" if eq.mic is None else "voice",
            "voice": eq.speaker.name,
            "live_stt": eq.recognizer.engine if eq.recognizer else "",
            "interviewer": eq.interviewer.kind,
            "silence_s": self.options.silence_s,
            "max_pause_s": self.settings.turn_max_pause_s,
            "max_answer_s": self.options.max_answer_s,
        }
        self.store.create(self.session)
        try:
            self.ui.welcome(eq.persona.welcome, self.session, eq)
            self._speak(eq, eq.persona.welcome, None)
            quit_early = self._loop(eq)
            with self.reporter.status("Writing the assessment"):
                assessment = eq.interviewer.closing(self.session.turns)
            self.session.status = "ended" if quit_early else "complete"
            self._close(assessment)
            self.ui.closing(self.session, assessment)
            self._speak(eq, eq.persona.closing, None)
        except KeyboardInterrupt as exc:
            self.session.status = "interrupted"
            # A second Ctrl-C can land before a recorded answer is transcribed: its WAV is
            # kept, and said so, with the command that scores it (a review: the turn was
            # left "asking", the recording unmentioned).
            sid = self.session.id
            unscored = [
                t
                for t in self.session.turns
                if t.answer is None and self.store.audio_path(sid, "a", t.index).is_file()
            ]
            for t in unscored:
                t.notes.append(
                    f"stopped before it was transcribed: the recording is kept; "
                    f"'interviewsense finalize {sid}' transcribes and scores it"
                )
            for t in self.session.turns:  # stopped while the question was asked
                if t.status == "asking" and t not in unscored:
                    t.status = "unanswered"
                    t.notes.append("the session stopped before this question was answered")
            self._close(None)
            self.store.release(sid)
            raise Interrupted(
                f"session {sid} is saved"
                + (f"; {plural(len(unscored), 'recording')} not yet scored" if unscored else ""),
                hint=f"'interviewsense finalize {sid}' transcribes and scores it"
                if unscored
                else f"'interviewsense sessions show {sid}' shows what was recorded",
            ) from exc
        finally:
            self._report_overflows(eq)
            eq.close()
        # Released only here: a session a crash or a full disk stopped keeps its lock, so
        # the next command repairs it (storage/repair.py).
        self.store.release(self.session.id)
        if self.options.finalize and any(t.answer and t.answer.audio for t in self.session.turns):
            refinalize(self.session, self.store, self.settings, self.reporter, rubric=self.rubric)
            refresh_totals(self.session)
            self.store.save(self.session)
        if self.settings.sync_auto:
            self._auto_sync()
        return self.session

    def _auto_sync(self) -> None:
        """Sync the saved session; a failure is a notice, never an error: it stays unsynced."""
        from interviewsense.flows.sync import sync

        try:
            summary = sync([self.session.id], self.settings, self.reporter)
            self.reporter.notice(f"synced to {summary.target}")
        except InterviewSenseError as exc:
            self.reporter.notice(
                f"auto-sync failed ({exc.message}); the session is saved here and marked "
                f"unsynced: retry with 'interviewsense sync {self.session.id}'"
            )
        self.session = self.store.load(self.session.id)

    def _report_overflows(self, eq: Equipment) -> None:
        """Blocks the sound driver dropped because the machine was too busy to take them."""
        count = eq.mic.overflows if eq.mic is not None else 0
        self.session.summary["input_overflows"] = count
        if count:
            self.reporter.notice(
                f"the microphone dropped audio {count} time(s) because the computer was busy; "
                "close other programs, or use a VOSK model, which needs less CPU than Whisper"
            )
        with contextlib.suppress(InterviewSenseError):  # a full disk: the notice stands
            self.store.save(self.session)

    def _close(self, assessment: Assessment | None) -> None:
        self.session.ended_at = now_iso()
        self.session.summary = summarize(self.session)
        if assessment is not None:
            self.session.summary["assessment"] = to_json(assessment)
        self.store.save(self.session)

    def _loop(self, eq: Equipment) -> bool:
        """Ask until the plan is done (False) or the candidate quits (True)."""
        plan = self.options.plan
        prev: Turn | None = None
        question = eq.interviewer.next_question(self.session.turns)
        main = 0
        while question is not None:
            main += 0 if question.follow_up else 1
            turn = Turn(index=len(self.session.turns) + 1, question=question, status="asking")
            turn.interviewer = eq.interviewer.last_source
            if turn.interviewer == "offline-fallback":
                turn.notes.append("the LLM failed, so this question came from the offline bank")
            shown = self._t()
            self.ui.question(question, main, plan.questions)
            turn.timings["question_shown"] = shown
            self.session.turns.append(turn)  # saved now: a crash mid-answer keeps the question
            self.store.save(self.session)
            spoke = self._speak(eq, question.spoken or question.text, turn)
            if prev is not None:
                prev.timings["next_question_shown"] = shown
                if spoke is not None:
                    prev.timings["next_question_spoken"] = spoke
                start = spoke if spoke is not None else shown
                if "answer_ended" in prev.timings:
                    prev.timings["turn_latency_s"] = round(start - prev.timings["answer_ended"], 3)
                if "answer_final" in prev.timings:  # the program's own time, without the undo
                    prev.timings["reply_latency_s"] = round(start - prev.timings["answer_final"], 3)
                self.store.save(self.session)
            captured = self._answer(eq, turn, main)
            self._record(turn, captured)
            refresh_totals(self.session)
            if captured.ended_by in ("disk-full", "recorder-stopped"):
                self._stop_early(turn, captured)
            self.store.save(self.session)
            if turn.answer is not None:
                self.ui.answer_done(turn)
            if captured.interrupted:
                raise KeyboardInterrupt
            if captured.status == "quit":
                return True
            prev = turn
            question = eq.interviewer.next_question(self.session.turns)
        return False

    def _stop_early(self, turn: Turn, captured: Captured) -> None:
        """The recording stopped under the answer (a full disk, a failed microphone): show
        what was heard, save what can be saved, and stop the session with one message."""
        if turn.answer is not None:
            self.ui.answer_done(turn)
        self.session.status = "interrupted"
        try:
            self._close(None)
            saved = True
        except StorageError:  # the disk is still full: the recording is on disk all the same
            saved = False
        sid = self.session.id
        if captured.ended_by == "disk-full":
            hint = "free some space; your earlier answers are saved" + (
                ""
                if saved
                else f", and 'interviewsense finalize {sid}' then scores this one from its "
                "recording"
            )
        else:
            hint = "your answers so far are saved; run with --debug to see why"
        raise StorageError(captured.error, hint=hint)

    def _speak(self, eq: Equipment, text: str, turn: Turn | None) -> float | None:
        """Say ``text``; a question's audio is kept as ``audio/qNN.wav``. Returns when speech
        started (seconds since the session began), or None when nothing was said."""
        if eq.speaker.name == "silent" or not text:
            return None
        if turn is not None:
            path = self.store.audio_path(self.session.id, "q", turn.index)
        else:
            path = self.settings.cache_dir / "tts-prompt.wav"
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        from interviewsense.flows.speech import Said, say

        # Barge-in: while a question plays the microphone listens, so the candidate can
        # start answering over it (voice answers only; --no-barge-in keeps it deaf).
        listen = turn is not None and eq.recognizer is not None and self.settings.barge_in
        barge_in = eq.mic if listen else None
        if eq.mic is not None:
            eq.mic.drain()
            eq.mic.muted = barge_in is None
        said = Said()
        try:
            said = say(
                eq.speaker,
                text,
                eq.persona.voice,
                path,
                output=eq.output,
                play=eq.output is not None,
                barge_in=barge_in,
            )
            if said.started is not None and said.interrupted is None:
                time.sleep(ECHO_TAIL_S)
        except InterviewSenseError as exc:
            # The voice is a nicety: without it the session goes on, in text.
            self.reporter.notice(f"{exc.message}; questions are shown, not spoken from now on")
            eq.speaker = SilentSpeaker()
            return None
        finally:
            if eq.mic is not None:
                if said.interrupted is None:  # what it heard meanwhile was not an answer
                    eq.mic.drain()
                eq.mic.muted = False
        self._heard = said.heard
        started = None if said.started is None else round(said.started - self.zero, 3)
        if turn is not None:
            if started is not None:
                turn.timings["question_spoken"] = started
                turn.timings["question_spoken_end"] = round(said.ended - self.zero, 3)
            if said.interrupted is not None:
                turn.timings["barge_in"] = round(said.interrupted - self.zero, 3)
                turn.notes.append("you started answering over the question: it stopped there")
            turn.question_audio = AudioInfo(
                path=f"audio/{path.name}",
                duration_s=round(said.seconds, 3),
                sample_rate=said.rate,
                source=f"tts:{eq.speaker.name}",
                format="wav/pcm_s16le",
            )
        return started

    def _check_disk(self) -> None:
        free = free_bytes(self.settings.sessions_dir)
        if free < LOW_DISK_BYTES and not self._warned_disk:
            self._warned_disk = True
            self.reporter.notice(
                f"only {free // (1024 * 1024)} MB of disk left; recording stops cleanly if it "
                "fills up (each minute of answer takes about 2 MB)"
            )

    def _answer(self, eq: Equipment, turn: Turn, number: int) -> Captured:
        if eq.mic is not None:
            self._check_disk()
        while True:
            if eq.mic is None or eq.recognizer is None:
                captured = self._typed(turn)
            else:
                path = self.store.audio_path(self.session.id, "a", turn.index)
                captured = capture_answer(
                    eq.mic,
                    eq.recognizer,
                    path,
                    silence_s=self.options.silence_s,
                    max_pause_s=self.settings.turn_max_pause_s,
                    turn_model=self._turn_model(),
                    max_s=self.options.max_answer_s,
                    view=self.ui,
                    keys=self.keys,
                    clock_zero=self.zero,
                    heard=self._heard,
                )
                self._heard = b""
            if captured.status != "repeat" or captured.interrupted:
                return captured
            self.ui.question(turn.question, number, self.options.plan.questions)
            self._speak(eq, turn.question.spoken or turn.question.text, turn)

    def _turn_model(self) -> TurnModel | None:
        """The Smart Turn model, loaded on the first spoken answer (once per process); the
        first time it is missing, a notice says answers end after a fixed silence."""
        if self.options.silence_s is not None:
            return None
        from interviewsense.audio.turn import load_turn_model

        model = load_turn_model(self.settings.turn_model)
        if model is None and not self._warned_turn:
            self._warned_turn = True
            if self.settings.turn_model.strip().lower() not in ("off", "none"):
                self.reporter.notice(
                    "no end-of-answer model (Smart Turn): an answer ends after 1.5 s of "
                    "silence, or a longer pause when it trails off; 'interviewsense doctor' "
                    "says how to install it"
                )
        return model

    def _typed(self, turn: Turn) -> Captured:
        started = self._t()
        text = self.ui.typed_answer()
        ended = self._t()
        timings = {"answer_started": started, "answer_ended": ended, "answer_final": ended}
        if text is None:
            return Captured(status="quit", ended_by="eof", timings=timings)
        command = text.strip().lower()
        if command in ("r", "s", "q"):
            status = {"r": "repeat", "s": "skipped", "q": "quit"}[command]
            return Captured(status=status, ended_by="key", timings=timings)
        text = clean_text(text)
        if len(text) > MAX_TYPED_CHARS:
            self.reporter.notice(
                f"the answer is {len(text):,} characters long: the first {MAX_TYPED_CHARS:,} "
                "(about 3,000 words) are kept and scored"
            )
            text = text[:MAX_TYPED_CHARS]
        transcript = Transcript(
            text=text.strip(), engine="text", model="keyboard", words=words_from_text(text)
        )
        return Captured(status="answered", ended_by="enter", transcript=transcript, timings=timings)

    def _checked(
        self, live: Transcript, samples: npt.NDArray[np.float32] | None
    ) -> tuple[Transcript, list[Region] | None, str]:
        """The transcript to score: the live one when it passes the sanity checks, else
        the answer transcribed again by the final Whisper pass; the speech regions; and a
        note saying why it was transcribed again (stt/sanity.py)."""
        if samples is None:  # a typed answer
            return live, None, ""
        from interviewsense.audio.vad import speech_regions
        from interviewsense.stt.sanity import transcript_problems

        regions = speech_regions(samples)
        problems = transcript_problems(live, regions)
        if not problems:
            return live, regions, ""
        if self._final is None:
            from interviewsense.flows.finalize import load_transcriber

            self._final = load_transcriber(self.settings, self.reporter)
        with self.reporter.status("Transcribing the answer again"):
            final = self._final.transcribe(samples)
        note = f"the live transcript failed a check ({'; '.join(problems)}): transcribed again"
        return final, regions, note

    def _record(self, turn: Turn, captured: Captured) -> None:
        turn.timings.update(captured.timings)
        turn.end = captured.end or AnswerEnd(captured.ended_by)
        if captured.status == "skipped":
            turn.status = "skipped"
            return
        if captured.transcript is None:
            turn.status = "unanswered"
            return
        turn.status = "answered" if captured.status == "answered" else "partial"
        samples = None
        audio = None
        if captured.path is not None:
            import numpy as np

            samples = np.frombuffer(captured.pcm, dtype="<i2").astype(np.float32) / 32768.0
            audio = AudioInfo(
                path=f"audio/{captured.path.name}",
                duration_s=round(captured.duration_s, 3),
                sample_rate=16000,
                source="microphone",
                format="wav/pcm_s16le",
            )
        transcript, regions, checked = self._checked(captured.transcript, samples)
        notes = [checked] if checked else []
        if captured.resumed:
            notes.append(f"you resumed this answer after it ended ({captured.resumed}×)")
        if captured.ended_by == "max":
            notes.append(f"stopped at the {self.options.max_answer_s:.0f} s limit")
        if captured.no_input:
            notes.append(NO_INPUT_NOTE)
        if captured.ended_by == "disk-full":
            notes.append(f"the disk filled up: recording stopped at {captured.duration_s:.1f} s")
        if captured.ended_by == "recorder-stopped":
            notes.append(f"the recording stopped at {captured.duration_s:.1f} s: {captured.error}")

        def scored(options: dict[str, Any], notes: list[str]) -> Answer:
            return build_answer(
                transcript,
                turn.question,
                options,
                rubric=self.rubric,
                samples=samples,
                regions=regions,
                audio=audio,
                notes=notes,
            )

        try:
            turn.answer = scored(self.scoring, notes)
        except KeyboardInterrupt:
            # Stopped as it was scored (the LLM judge may take its whole timeout): the answer
            # is kept, scored without the judge (a review: it was lost, "answered" with none).
            from interviewsense.interrupts import signals_as_request

            with signals_as_request() as again:
                why = "stopped while it was scored: scored without the LLM judge"
                turn.answer = scored({**self.scoring, "judge": None}, [*notes, why])
                again.take()
            raise
        turn.timings["scored"] = self._t()
