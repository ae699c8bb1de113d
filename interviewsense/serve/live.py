"""The live answer behind ``/v1/sessions/{id}/live``: PCM frames from the page go to the
session's answer WAV, the live recogniser (the same engine ``practice`` uses: VOSK, or
Whisper re-decoding when there is no VOSK model) and the end-of-answer detector.

This is the one place the web page meets the live engines and the endpointing. The end of
an answer is practice's rule (audio/endpoint.py: VAD, the turn model and the live words),
or a fixed silence when the page asks for one (``silence_s``), as ``--silence`` does.
"""

from __future__ import annotations

import contextlib
import logging
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from interviewsense.audio.endpoint import PAUSE_HINT_S, RATE, EndOfAnswer
from interviewsense.audio.recorder import WavWriter
from interviewsense.stt.base import Partial

if TYPE_CHECKING:
    from interviewsense.audio.turn import TurnModel
    from interviewsense.config import Settings
    from interviewsense.domain import Answer, Question, Transcript
    from interviewsense.stt.base import StreamingRecognizer, StreamingSession, Transcriber

log = logging.getLogger("interviewsense.serve")
MAX_ANSWER_S = 180.0


def live_recognizer(settings: Settings, transcriber: Transcriber | None) -> StreamingRecognizer:
    """The live engine ``stt_live_engine`` names (stt/registry.py; with ``auto`` VOSK when it
    has a model for the language, else Whisper re-decoding), as practice chooses it. Whisper
    re-decoding reuses the worker's loaded model when that is Whisper, not a second copy."""
    from interviewsense.progress import Quiet
    from interviewsense.stt.registry import LIVE

    info = LIVE.choose(settings)  # none available: a MissingDependencyError saying why
    if info.name == "whisper-live":
        from interviewsense.stt.whisper_engine import WhisperTranscriber

        if isinstance(transcriber, WhisperTranscriber):  # re-decoding needs Whisper's own
            from interviewsense.stt.whisper_live import WhisperLiveRecognizer

            return WhisperLiveRecognizer(transcriber)
    return info.build(settings, Quiet())


@dataclass
class Heard:
    """What one block of audio changed: the live text, the endpointer's view, and why the
    answer ended ("" while it goes on)."""

    text: Partial
    t: float
    level_db: float
    heard_speech: bool
    wrap_up: bool
    ended: str


def read_pcm(path: Path) -> bytes:
    """The 16-bit PCM a (possibly unfinished) answer WAV holds; nothing if unreadable."""
    from interviewsense.audio.recorder import repair_wav

    if not path.is_file():
        return b""
    try:
        repair_wav(path)
        with wave.open(str(path), "rb") as wf:
            if wf.getframerate() != RATE or wf.getnchannels() != 1 or wf.getsampwidth() != 2:
                return b""
            return wf.readframes(wf.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        log.warning("could not resume %s (%s)", path.name, exc)
        return b""


class LiveAnswer:
    """One answer being spoken: every block is on disk (``WavWriter``: valid after each
    flush) before the recogniser sees it. ``resume`` replays what an earlier connection
    recorded into the same WAV, so a dropped connection loses nothing."""

    def __init__(
        self,
        recognizer: StreamingRecognizer,
        path: Path,
        *,
        silence_s: float | None = None,
        max_s: float = MAX_ANSWER_S,
        max_pause_s: float = 4.5,
        turn_model: TurnModel | None = None,
        resume: bool = True,
    ) -> None:
        earlier = read_pcm(path) if resume else b""
        self.path = path
        self.endpoint = EndOfAnswer(
            silence_s=silence_s,
            max_s=max_s,
            max_pause_s=max_pause_s,
            model=turn_model,
            background=True,  # the socket keeps taking audio while the model thinks
        )
        # Its transcript is the provisional card's, replaced by Whisper's final pass.
        self.session: StreamingSession = recognizer.start(draft=True)
        self.writer = WavWriter(path)
        self._inode = path.stat().st_ino
        self.partial = Partial("", "")
        self._hinted: float | None = None
        self.resumed_s = len(earlier) / 2 / RATE
        if earlier:
            self.feed(earlier, limit=False)  # kept whole; a frame past the limit ends it
            state = self.endpoint.state
            state.ended = ""  # the candidate goes on from here
            state.last_speech = state.t if state.heard_speech else state.last_speech

    @property
    def duration_s(self) -> float:
        return self.writer.duration_s

    def feed(self, pcm16: bytes, limit: bool = True) -> Heard:
        """A frame from the page (whole samples, none past the time limit: one frame may
        hold minutes, and QA's 10 MB frame was recorded as 328 s of a 180 s limit); or,
        without ``limit``, what an earlier connection recorded, kept whole."""
        whole = len(pcm16) - len(pcm16) % 2
        if limit:
            room = max(0, int((self.endpoint.max_s - self.writer.duration_s) * RATE) * 2)
            if whole >= room:  # the limit is reached within this frame
                self.endpoint.state.ended = self.endpoint.state.ended or "max"
            whole = min(room, whole)
        pcm16 = pcm16[:whole]
        self.writer.write(pcm16)
        self.partial = self.session.accept(pcm16)
        state = self.endpoint.feed(pcm16, *self.partial.for_end)
        pause = state.last_speech
        if state.heard_speech and pause is not None and pause != self._hinted:
            if state.t - pause >= PAUSE_HINT_S:
                self._hinted = pause
                self.session.silence()
        return Heard(
            self.partial, state.t, state.level_db, state.heard_speech, state.wrap_up, state.ended
        )

    def close(self) -> None:
        """Keep what was received (the connection dropped): the WAV stays for a resume."""
        self.writer.close()

    def discard(self) -> None:
        """Drop the recording (the question was skipped or asked again), unless a newer
        connection has already started the answer again in its place."""
        self.writer.close()
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self._inode:
                self.path.unlink()

    def finish(self) -> Transcript:
        """The WAV closed, and the whole live transcript."""
        self.writer.close()
        return self.session.finish(speech_end=self.endpoint.state.last_speech)


def provisional(
    transcript: Transcript, question: Question, settings: Settings, path: Path
) -> Answer | None:
    """The answer scored from its live transcript, for the card the page shows while
    Whisper's final pass runs: the same scoring (``build_answer``, the recording's speech
    regions and voice) but no LLM judge, whose round trip would delay both cards. None when
    the live transcript fails practice's sanity checks (stt/sanity.py), as practice would
    not score it either, or when it is empty. Nothing of it is kept: the final pass makes
    the recorded answer."""
    import numpy as np

    from interviewsense.audio.vad import speech_regions
    from interviewsense.scoring.engine import build_answer, scorer_options
    from interviewsense.scoring.rubric import load_rubric
    from interviewsense.stt.sanity import transcript_problems

    if not transcript.text.strip():  # nothing heard: no card of 0 (a review)
        return None
    pcm = read_pcm(path)
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    regions = speech_regions(samples)
    if transcript_problems(transcript, regions):
        return None
    options = {**scorer_options(settings), "judge": None}
    rubric = load_rubric(settings.rubric)
    return build_answer(
        transcript, question, options, rubric=rubric, samples=samples, regions=regions
    )


def warm_up(settings: Settings) -> None:
    """Score a made-up two-second answer, so that what scoring loads on first use (the
    VAD, the embedding model, the rubric, the voice analysis: 0.85 s measured) is loaded
    when the worker starts, not while the first candidate waits for a card."""
    import numpy as np

    from interviewsense.audio.vad import speech_regions
    from interviewsense.domain import Question, Transcript
    from interviewsense.scoring.engine import build_answer, scorer_options
    from interviewsense.scoring.rubric import load_rubric
    from interviewsense.scoring.text import words_from_text

    t = np.arange(2 * RATE, dtype=np.float32) / RATE
    samples = (0.1 * np.sin(2 * np.pi * 150.0 * t)).astype(np.float32)
    regions = speech_regions(samples) or [(0.0, 2.0)]
    text = "I led the project and we finished early."
    transcript = Transcript(text=text, engine="text", model="warm-up", words=words_from_text(text))
    build_answer(
        transcript,
        Question(text="Tell me about a project you led."),
        {**scorer_options(settings), "judge": None},
        rubric=load_rubric(settings.rubric),
        samples=samples,
        regions=regions,
    )
