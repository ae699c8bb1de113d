"""End of answer, from three signals: where the speech is, whether it sounds finished, and
whether the words so far trail off. The time limit and Enter end it too (Enter is a key).

- Speech: Silero VAD on each 32 ms window (audio/vad.py ``SileroStream``), with hysteresis.
  An answer has started after 0.25 s of speech.
- Turn completion: the Smart Turn model (audio/turn.py) hears the last 8 s when a pause
  after speech reaches ``ASK_AT_S[0]``, and again as the pause grows (``ASK_AT_S``).
- The transcript: the caller passes the live text; an answer whose last word is "and",
  "the", "so" … is not finished, whatever the model says. A recogniser that lags the
  microphone (Whisper decodes in passes) says how far its text reaches (``heard_s``);
  until the text reaches the pause, nobody knows whether the words trail off, so the
  answer waits for it (up to ``max_pause_s``), however finished the model thinks it is.

The rule: a pause ends the answer after ``QUICK_S`` when the model is sure the turn is
complete (``SURE_P``) and the words do not trail off, after ``FALLBACK_S`` when it only
thinks so (``COMPLETE_P``); otherwise the answer waits, up to ``max_pause_s`` of silence.
``silence_s`` (``--silence``) is the old fixed rule: any pause that long ends it. Without
the model, a pause ends it after ``FALLBACK_S``, or ``max_pause_s`` when the words trail
off. This one class is the rule for every client (terminal, and any other that feeds it
16 kHz audio); it does no I/O.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interviewsense.domain import AnswerEnd

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from interviewsense.audio.turn import TurnModel

RATE = 16_000
WINDOW = 512  # Silero's step: 32 ms
START_SPEECH_S = 0.25
SPEECH_ON = 0.5  # Silero probability that starts speech …
SPEECH_OFF = 0.35  # … and the one it must fall under to end it
ASK_AT_S = (0.2, 1.2, 2.4, 3.6)  # pause lengths at which the model is asked
QUICK_S = 0.6  # an answer that surely sounds finished ends after this much silence …
SURE_P = 0.9  # … "surely": the model's probability at least this
COMPLETE_P = 0.5  # a probably finished one waits FALLBACK_S (a pause between sentences)
FALLBACK_S = 1.5  # the old fixed silence; also the rule without the model
STILL_LISTENING_S = 1.0  # a pause this long shows "still listening"
PAUSE_HINT_S = 0.35  # a pause this long tells a lagging live recogniser to decode now
MODEL_AUDIO_S = 8.0
# Words an answer does not end on: it goes on after a thinking pause. A pronoun contracted
# with its verb never ends an English sentence ("I know where it is", never "where it's").
TRAILING = frozenset(
    """and the a an so but or because to of with that which who for in on at as if then
    than my our their your its is was were are be been like um uh er erm my i we when
    where while about from into by also plus just it's that's there's here's what's who's
    i'm we're they're you're he's she's i've we've they've you've i'd we'd they'd you'd
    i'll we'll they'll you'll let's""".split()
)

# Marks Whisper ends text with where the speaker left the sentence open (VOSK writes none).
OPEN_MARKS = (",", ";", ":", "-", "—", "…", "...")


# What set the silence a pause had to reach to end the answer (``EndpointState.why``).
WHY = {
    "fixed": "the fixed silence (--silence)",
    "sure": "it sounded finished",
    "probably": "it probably sounded finished",
    "unsure": "it did not sound finished",
    "trails off": "the words trail off",
    "text lags": "the live text had not reached the pause",
    "no model": "no turn model: the plain silence",
}


def frame_levels(pcm16: bytes, frame: int = WINDOW) -> list[float]:
    """dBFS of each whole frame (the meter on screen)."""
    import numpy as np

    samples = np.frombuffer(pcm16, dtype="<i2").astype(np.float64)
    frames = samples[: len(samples) - len(samples) % frame].reshape(-1, frame)
    energy = np.mean(frames**2, axis=1) / 32768.0**2
    with np.errstate(divide="ignore"):
        db = 10 * np.log10(energy)
    return [max(-100.0, float(v)) if math.isfinite(v) else -100.0 for v in db]


def trails_off(text: str) -> bool:
    """Whether the words so far stop on one that needs more after it, or where a recogniser
    that punctuates (Whisper) marks them as left open: "Montreal, uh, uh," "This is..."."""
    # Numbers are words too: "from 6 to 0." ends on "0", not on the "to" before it (a
    # review: such answers waited the long pause); so are "20%" and "2023".
    words = re.findall(r"[a-z0-9']+", text.lower())
    return bool(words) and (words[-1] in TRAILING or text.rstrip().endswith(OPEN_MARKS))


@dataclass
class EndpointState:
    t: float = 0.0  # seconds of audio seen
    heard_speech: bool = False
    speech_started: float | None = None
    last_speech: float | None = None
    level_db: float = -100.0
    wrap_up: bool = False
    listening: bool = False  # a long pause mid-thought: the screen says it still listens
    complete: float | None = None  # the model's last answer for this pause
    ended: str = ""  # "" | silence | max
    pauses: int = 0  # pauses the answer waited through that were longer than QUICK_S
    resumed_at: float | None = None  # when an end was undone
    why: str = ""  # for a pause that ended the answer: what set the wait (WHY)
    wait_s: float | None = None  # … the silence the rule asked for then

    @property
    def pause(self) -> float:
        if self.last_speech is None:
            return 0.0
        return max(0.0, self.t - max(self.last_speech, self.resumed_at or 0.0))


class EndOfAnswer:
    """Feed it 16-bit mono 16 kHz audio and the live text; ``state.ended`` says when to stop."""

    def __init__(
        self,
        *,
        silence_s: float | None = None,
        max_s: float = 180.0,
        max_pause_s: float = 4.5,
        model: TurnModel | None = None,
        wrap_up_at: float = 0.8,
        background: bool = False,
    ) -> None:
        """``background``: ask the model on a worker thread, so whoever feeds the audio
        never waits for it (the live loop); its answer then counts from the next feed on.
        Without it the answer is there at once (tests, the bench's simulation)."""
        from interviewsense.audio.vad import SileroStream

        self.silence_s = silence_s
        self.max_s = max_s
        self.max_pause_s = max(max_pause_s, QUICK_S)
        self.model = model if silence_s is None else None
        self.wrap_up_at = wrap_up_at
        self.state = EndpointState()
        self.text = ""
        self.text_heard_s: float | None = None  # how far the text reaches; None: all of it
        self.model_s = 0.0  # wall time spent asking the model
        self._vad = SileroStream()
        self._speaking = False
        self._speech_run = 0.0
        self._rest = b""
        self._audio = bytearray()  # the last MODEL_AUDIO_S, for the model
        self._asked = 0  # how many of ASK_AT_S this pause has used
        self._background = background
        self._pending: Future[float] | None = None
        self._pending_for: float | None = None  # the pause (its last speech) it was asked for

    @property
    def rule(self) -> str:
        if self.silence_s is not None:
            return f"fixed {self.silence_s:g} s silence"
        if self.model is None:
            return f"VAD, {FALLBACK_S:g} s silence (no turn model)"
        return f"VAD + {self.model.name} + transcript"

    def verdict(self, by: str) -> AnswerEnd:
        """How the answer ended, as the session records it (``by``: silence, enter, stop,
        max …); for a pause, what the rule saw when it decided: call it then, since the
        pause goes on growing after."""
        s = self.state
        if by != "silence" or not s.why:
            return AnswerEnd(by=by, rule=self.rule)
        return AnswerEnd(
            by=by,
            rule=self.rule,
            why=s.why,
            wait_s=s.wait_s,
            pause_s=round(s.pause, 3),
            p=None if s.complete is None else round(s.complete, 3),
        )

    def resume(self) -> None:
        """Undo an end: the answer goes on, the pause so far counts as one."""
        s = self.state
        s.ended, s.why, s.wait_s = "", "", None
        s.resumed_at = s.t  # the pause starts again from now
        s.complete = None
        s.listening = False
        self._asked = len(ASK_AT_S)  # the candidate said it is not finished: ask no more
        self._pending = None  # nor take an answer asked before

    def feed(
        self, pcm16: bytes, text: str | None = None, heard_s: float | None = None
    ) -> EndpointState:
        """Account for a block of audio and the live text so far (``heard_s``: how many
        seconds of the audio that text accounts for, None for all); returns the state."""
        import numpy as np

        if text is not None:
            self.text = text
            self.text_heard_s = heard_s
        s = self.state
        self._audio.extend(pcm16)
        keep = int(MODEL_AUDIO_S * RATE) * 2
        if len(self._audio) > keep + RATE:
            del self._audio[: len(self._audio) - keep]
        data = self._rest + pcm16
        usable = len(data) - len(data) % (WINDOW * 2)
        self._rest = data[usable:]
        block = data[:usable]
        if not block:
            return s
        samples = np.frombuffer(block, dtype="<i2").astype(np.float32) / 32768.0
        for prob, db in zip(self._vad.feed(samples), frame_levels(block), strict=False):
            s.level_db = db
            s.t += WINDOW / RATE
            self._speaking = prob >= (SPEECH_OFF if self._speaking else SPEECH_ON)
            if self._speaking:
                self._speech_run += WINDOW / RATE
                if s.heard_speech and s.pause >= QUICK_S and not s.ended:
                    s.pauses += 1
                s.last_speech = s.t
                s.complete, s.listening, self._asked = None, False, 0
                if not s.heard_speech and self._speech_run >= START_SPEECH_S:
                    s.heard_speech = True
                    s.speech_started = s.t - self._speech_run
            else:
                self._speech_run = max(0.0, self._speech_run - WINDOW / RATE)
            if s.t >= self.max_s:
                s.ended = s.ended or "max"
            s.wrap_up = s.t >= self.max_s * self.wrap_up_at
        if s.heard_speech and not self._speaking and not s.ended:
            self._decide()
        return s

    def _decide(self) -> None:
        s = self.state
        pause = s.pause
        if self.silence_s is not None:
            if pause >= self.silence_s:
                self._end("fixed", self.silence_s)
            return
        trailing = trails_off(self.text)
        # The words before the pause are not in yet: they may trail off, so wait for them.
        lagging = self.text_heard_s is not None and self.text_heard_s < (s.last_speech or 0.0)
        held = "text lags" if lagging else "trails off" if trailing else ""
        if self.model is None:
            wait = self.max_pause_s if held else FALLBACK_S
            if pause >= wait:
                self._end(held or "no model", wait)
        else:
            self._collect()
            if self._asked < len(ASK_AT_S) and pause >= ASK_AT_S[self._asked]:
                while self._asked < len(ASK_AT_S) and pause >= ASK_AT_S[self._asked]:
                    self._asked += 1
                if not self._background:
                    s.complete = self._ask(bytes(self._audio))
                elif self._pending is None:
                    self._pending_for = s.last_speech
                    self._pending = _worker().submit(self._ask, bytes(self._audio))
            p = -1.0 if s.complete is None or trailing or lagging else s.complete
            wait = QUICK_S if p >= SURE_P else FALLBACK_S if p >= COMPLETE_P else self.max_pause_s
            if pause >= wait:
                sure = "sure" if p >= SURE_P else "probably" if p >= COMPLETE_P else "unsure"
                self._end(held or sure, wait)
        s.listening = not s.ended and pause >= STILL_LISTENING_S

    def _end(self, why: str, wait: float) -> None:
        self.state.ended, self.state.why, self.state.wait_s = "silence", why, wait

    def _collect(self) -> None:
        """Take the worker's answer, if it has come and is still about this pause."""
        if self._pending is None or not self._pending.done():
            return
        future, self._pending = self._pending, None
        try:
            p = future.result()
        except Exception:  # a model that fails mid-session: this pause waits, as without it
            return
        if self._pending_for == self.state.last_speech:
            self.state.complete = p

    def _ask(self, pcm16: bytes) -> float:
        import numpy as np

        assert self.model is not None
        started = time.perf_counter()
        audio = np.frombuffer(pcm16, dtype="<i2").astype(np.float32) / 32768.0
        p = self.model.predict(audio)
        self.model_s += time.perf_counter() - started
        return p


_WORKER: ThreadPoolExecutor | None = None


def _worker() -> ThreadPoolExecutor:
    """One thread per process for the model (ONNX Runtime lets go of the GIL while it runs)."""
    global _WORKER
    if _WORKER is None:
        from concurrent.futures import ThreadPoolExecutor

        _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smart-turn")
    return _WORKER
