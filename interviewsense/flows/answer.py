"""One spoken answer: microphone -> WAV on disk + live recogniser + end-of-answer detection.

Keys (when there is a terminal): Enter ends the answer, r repeats the question, s skips
it, q ends the session. Ctrl-C keeps what was said so far. When a pause ends the answer
(audio/endpoint.py decides), the screen says so for ``UNDO_S``: c, or simply speaking
again, resumes the same answer, and the WAV goes on where it was.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from interviewsense.audio.capture import Microphone
from interviewsense.audio.endpoint import PAUSE_HINT_S, RATE, EndOfAnswer
from interviewsense.audio.recorder import WavWriter
from interviewsense.domain import AnswerEnd, Transcript
from interviewsense.errors import StorageError
from interviewsense.interrupts import StopRequest, signals_as_request
from interviewsense.stt.base import Partial, StreamingRecognizer

if TYPE_CHECKING:
    from interviewsense.audio.turn import TurnModel

STALL_S = 1.0  # a microphone silent this long is delivering nothing: count it as silence
UI_EVERY_S = 0.1
UNDO_S = 1.0  # after a pause ends the answer: how long c (or speaking again) resumes it
RESUME_SPEECH_S = 0.25  # speech this long after the end resumes the answer
# A real microphone is never exactly silent: its noise floor moves. Samples of exactly zero
# for this long mean no input at all (muted, unplugged, or the sound server lost the device).
NO_INPUT_S = 8.0  # longer than the longest pause that ends an answer, plus its undo
NO_INPUT_NOTE = (
    "the microphone sent no sound at all (every sample zero): it may be muted or unplugged"
)


@dataclass(frozen=True)
class LiveState:
    """What the screen shows of an answer being recorded, about every ``UI_EVERY_S``."""

    elapsed: float
    level_db: float
    text: Partial
    wrap_up: bool
    heard: bool
    still_listening: bool = False  # a long pause mid-thought
    ending: bool = False  # a pause ended the answer, and c resumes it for a moment
    no_input: bool = False  # only exact zeros for NO_INPUT_S: the device gives nothing


class LiveView(Protocol):
    def listening(self, max_s: float) -> None: ...

    def update(self, live: LiveState) -> None: ...

    def stopped(self, reason: str) -> None: ...


class KeySource(Protocol):
    def poll(self) -> str | None:
        """The next key pressed, if any (never blocks)."""
        ...


@dataclass
class Captured:
    status: str  # answered | skipped | repeat | quit | partial
    ended_by: str  # silence | enter | max | key | interrupted | disk-full | recorder-stopped
    transcript: Transcript | None = None
    pcm: bytes = b""
    path: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""  # why the recording stopped early (a full disk)
    resumed: int = 0  # ends the candidate undid
    end: AnswerEnd | None = None  # how it ended, and under which rule
    interrupted: bool = False  # Ctrl-C or SIGTERM came: the session stops once this is saved
    no_input: bool = False  # the whole answer was exact zeros (NO_INPUT_S or longer)

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / RATE


KEY_STATUS = {"r": "repeat", "s": "skipped", "q": "quit"}


class DiskTap(threading.Thread):
    """Moves microphone blocks to the WAV as they arrive, and hands them on to the caller.

    Recording to disk does not wait for the recogniser or the screen, so a crash loses only
    what the audio stack still held plus at most one flush interval. A microphone that goes
    quiet (a sound server that stops sending when nothing plays) counts as silence, so the
    WAV keeps to the wall clock.
    """

    def __init__(self, mic: Microphone, writer: WavWriter, heard: bytes = b"") -> None:
        super().__init__(daemon=True)
        self.mic = mic
        self.writer = writer
        self.heard = heard  # already heard of the answer (barge-in): written first
        self.blocks: queue.Queue[bytes] = queue.Queue()
        self.error = ""
        self._stop_event = threading.Event()

    def run(self) -> None:
        last = time.monotonic()
        pending, self.heard = self.heard, b""
        while not self._stop_event.is_set():
            chunk, pending = pending or self.mic.read(timeout=0.05), b""
            now = time.monotonic()
            if chunk is None:
                if now - last < STALL_S:
                    continue
                chunk = b"\0\0" * int((now - last) * RATE)
            last = now
            if not self.error:
                try:
                    self.writer.write(chunk)
                except StorageError as exc:
                    self.error = exc.message  # keep what is on disk; the caller stops
                except Exception as exc:  # never die silently: the caller would wait forever
                    self.error = f"recording stopped: {type(exc).__name__}: {exc}"
            self.blocks.put(chunk)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        with contextlib.suppress(StorageError):
            self.writer.close()


def capture_answer(
    mic: Microphone,
    recognizer: StreamingRecognizer,
    path: Path,
    *,
    silence_s: float | None,
    max_s: float,
    view: LiveView,
    keys: KeySource,
    clock_zero: float,
    max_pause_s: float = 4.5,
    turn_model: TurnModel | None = None,
    heard: bytes = b"",
) -> Captured:
    """Record until the answer ends; the WAV at ``path`` is valid on disk all along.
    ``heard``: the answer's start, when the candidate spoke over the question (barge-in);
    the microphone's queue then holds the rest, so it is not drained. Ctrl-C or SIGTERM
    ends the answer at the loop's next step (``interrupted`` says so), not wherever the
    signal lands: threads start and stop here all the time (interrupts.py)."""
    with signals_as_request() as stop:
        return _capture(
            mic,
            recognizer,
            path,
            stop,
            silence_s=silence_s,
            max_s=max_s,
            view=view,
            keys=keys,
            clock_zero=clock_zero,
            max_pause_s=max_pause_s,
            turn_model=turn_model,
            heard=heard,
        )


def _capture(
    mic: Microphone,
    recognizer: StreamingRecognizer,
    path: Path,
    stop: StopRequest,
    *,
    silence_s: float | None,
    max_s: float,
    view: LiveView,
    keys: KeySource,
    clock_zero: float,
    max_pause_s: float,
    turn_model: TurnModel | None,
    heard: bytes,
) -> Captured:
    endpoint = EndOfAnswer(
        silence_s=silence_s,
        max_s=max_s,
        max_pause_s=max_pause_s,
        model=turn_model,
        background=True,  # the loop keeps feeding the recogniser while the model thinks
    )
    session = recognizer.start()
    pcm = bytearray()
    partial = Partial("", "")
    if not heard:
        mic.drain()  # nothing heard before we listen belongs to the answer
    tap = DiskTap(mic, WavWriter(path), heard)
    started = time.monotonic() - len(heard) / 2 / RATE
    timings = {"answer_started": round(started - clock_zero, 3)}
    last_ui = 0.0
    hinted: float | None = None  # the pause the recogniser was told about
    status, ended_by = "answered", ""
    # Audio time when a pause ended the answer: the undo moment is counted in audio, so a
    # loop that falls behind (a model call) still hears the speech that would resume it.
    decided: float | None = None
    decision: AnswerEnd | None = None  # what the rule saw when it decided
    resumed = 0
    view.listening(max_s)
    tap.start()
    sound_at = 0.0  # audio time (s) of the last sample that was not exactly zero
    ever_sound = False

    def take(chunk: bytes) -> None:
        nonlocal partial, sound_at, ever_sound
        pcm.extend(chunk)
        if chunk.strip(b"\0"):
            sound_at, ever_sound = len(pcm) / 2 / RATE, True
        partial = session.accept(chunk)
        endpoint.feed(chunk, *partial.for_end)

    try:
        while True:
            if stop.take():
                status, ended_by = "partial", "interrupted"
                break
            key = keys.poll()
            if key in ("\n", "\r"):
                ended_by = "enter"
                break
            if key == "c" and decided is not None:
                endpoint.resume()
                decided, resumed = None, resumed + 1
                timings.pop("answer_ended", None)
                timings.pop("answer_end_heard", None)
            if key in KEY_STATUS:
                status, ended_by = KEY_STATUS[key], "key"
                break
            try:
                take(tap.blocks.get(timeout=0.05))
            except queue.Empty:
                pass
            now = time.monotonic()
            state = endpoint.state
            pause = state.last_speech
            if state.heard_speech and pause is not None and pause != hinted:
                if state.t - pause >= PAUSE_HINT_S:
                    hinted = pause
                    session.silence()
            if now - last_ui >= UI_EVERY_S:
                last_ui = now
                view.update(
                    LiveState(
                        elapsed=state.t,
                        level_db=state.level_db,
                        text=partial,
                        wrap_up=state.wrap_up,
                        heard=state.heard_speech,
                        still_listening=state.listening,
                        ending=decided is not None,
                        no_input=len(pcm) / 2 / RATE - sound_at >= NO_INPUT_S,
                    )
                )
            if state.ended == "silence" and decided is None:
                decided = state.t
                decision = endpoint.verdict("silence")
                timings["answer_ended"] = round(now - clock_zero, 3)
                # The same moment in audio time: answer_ended minus this is how far the
                # loop ran behind the microphone (recogniser, model, a busy machine).
                timings["answer_end_heard"] = round(started - clock_zero + decided, 3)
            if decided is not None:
                spoke = state.last_speech if state.last_speech is not None else decided
                if spoke - decided >= RESUME_SPEECH_S:
                    endpoint.resume()
                    decided, resumed = None, resumed + 1
                    timings.pop("answer_ended", None)
                    timings.pop("answer_end_heard", None)
                elif state.t - decided >= UNDO_S:
                    ended_by = "silence"
                    break
            elif state.ended:
                ended_by = state.ended
                break
            if tap.error:
                status, ended_by = "partial", "disk-full"
                break
            if not tap.is_alive():  # the microphone itself failed: keep what was recorded
                tap.error = tap.error or "the recording stopped unexpectedly"
                status, ended_by = "partial", "recorder-stopped"
                break
    except KeyboardInterrupt:  # a second signal: the first was not acted on yet
        stop.take()
        status, ended_by = "partial", "interrupted"
    finally:
        tap.stop()
    while not tap.blocks.empty():  # what reached the WAV also reaches the transcript
        take(tap.blocks.get_nowait())

    ended = time.monotonic()
    state = endpoint.state
    if ended_by != "silence" or "answer_ended" not in timings:
        timings["answer_ended"] = round(ended - clock_zero, 3)
    # When the answer could no longer be resumed: after a pause ends it, the undo moment
    # later; otherwise the same moment as answer_ended.
    timings["answer_final"] = round(ended - clock_zero, 3)
    if state.speech_started is not None:
        timings["speech_started"] = round(started - clock_zero + state.speech_started, 3)
    if state.last_speech is not None:
        timings["speech_ended"] = round(started - clock_zero + state.last_speech, 3)
    view.stopped(ended_by)
    if status in ("repeat", "skipped") or (status == "quit" and not state.heard_speech):
        with contextlib.suppress(OSError):
            path.unlink()
        return Captured(status=status, ended_by=ended_by, timings=timings, interrupted=stop.take())
    return Captured(
        status=status,
        ended_by=ended_by,
        transcript=session.finish(speech_end=state.last_speech),
        pcm=bytes(pcm),
        path=path,
        timings=timings,
        error=tap.error,
        resumed=resumed,
        end=decision if ended_by == "silence" and decision else endpoint.verdict(ended_by),
        interrupted=stop.take(),  # after finish(): a signal while it ran counts too
        no_input=not ever_sound and len(pcm) / 2 / RATE >= NO_INPUT_S,
    )
