"""Live transcription with Whisper, for languages with no VOSK model.

Whisper is not a streaming model, so the answer's recent audio is re-decoded about once a
second in a background thread. Text that is safely in the past is committed and not decoded
again, so each pass (and the last one, when the answer ends) only covers the tail.

A pass costs about 0.7 s on one thread, so at a pause its words come too late to end a
finished answer quickly. The pause also starts a quick read of the last seconds
(``WhisperTranscriber.quick_text``, about a tenth of a second, on the model's second copy,
``COPIES``): its words tell the end of answer rule whether the sentence trails off. They are
never shown or kept; the passes write the transcript.

A draft session (``draft``: the web page's, whose live transcript only makes the provisional
card that Whisper's final pass replaces) makes short passes: the encoder hears the window
and a few seconds of silence, not 30 s (about 0.2 s a pass). Practice's passes hear 30 s:
its live transcript is the one kept and scored, short passes invent a word after the last
one more often, and in practice they made the end of an answer later (docs/stt.md).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from interviewsense.domain import Transcript, TranscriptEngine, Word
from interviewsense.stt.base import Partial

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewsense.config import Settings
    from interviewsense.progress import Reporter
    from interviewsense.stt.whisper_engine import WhisperTranscriber

RATE = 16_000
# Decode windows longer than this commit their segments up to the last one that ends a
# sentence, never the last segment. Each new window may lose its first words (docs/stt.md),
# so it is long (8 s lost phrases on real speech), and it starts where a sentence does: one
# that began inside "a bunch of different | words that I did not say …" wrote "a bunch of
# different uh, uh, here's" in 2 of 5 runs. With no sentence end, a window of
# ``COMMIT_ANYWAY_S`` commits all but its last segment anyway (Whisper hears 30 s at a time).
COMMIT_AFTER_S = 16.0
COMMIT_ANYWAY_S = 24.0
# A pass may also jump over a phrase between two segments ("acoustic corpus. [Um, the
# recording environment is also quite different.] And I'm saying …"). When more than this
# much of the detector's speech lies between the last committed word and the next segment,
# the next window starts at the last committed word instead, so it is heard again. A phrase,
# not a word: a last word timed early leaves up to 0.7 s of speech in the gap (seen on
# acoustic_corpus), and resuming there wrote that word twice.
SKIPPED_SPEECH_S = 1.0
# At a pause, a quick read of this many last seconds tells the end of answer rule how the
# words end, without waiting for a pass.
QUICK_READ_S = 8.0
Segments = list[tuple[str, list[Word]]]
# A pass: from, length, segments, those to commit, and where the next window starts (from
# the pass's start; None when nothing is committed).
Heard = tuple[float, float, Segments, Segments, float | None]


def to_commit(segments: Segments, window: float) -> Segments:
    """The first segments of a pass over ``window`` seconds that are final: none under
    ``COMMIT_AFTER_S``, then up to the last that ends a sentence (never the last segment);
    with no sentence end, none until ``COMMIT_ANYWAY_S``, then all but the last."""
    from interviewsense.stt.invented import SENTENCE_END

    if window < COMMIT_AFTER_S:
        return []
    done = segments[:-1]
    ends = [k for k, (text, _) in enumerate(done) if text.rstrip().endswith(SENTENCE_END)]
    if ends:
        return done[: ends[-1] + 1]
    return done if window >= COMMIT_ANYWAY_S else []


def resume_point(
    samples: npt.NDArray[np.float32] | None, segments: Segments, keep: Segments, window: float
) -> float:
    """Where the window after a pass that commits ``keep`` starts, in seconds from the pass's
    start: the next segment's first word (so no word is cut), else after the last kept word,
    else after the window; at the last kept word when the pass jumped over more than
    ``SKIPPED_SPEECH_S`` of the detector's speech in ``samples`` between the two. Runs on
    the pass's thread, outside the session's lock."""
    rest = segments[len(keep) :]
    nxt = next((ws[0].start for _, ws in rest if ws), None)
    last = next((ws[-1].end for _, ws in reversed(keep) if ws), None)
    resume = nxt if nxt is not None else last or window
    if samples is not None and last is not None and resume - last > SKIPPED_SPEECH_S:
        from interviewsense.audio.vad import speech_regions

        gap = samples[int(last * RATE) : int(resume * RATE)]
        if sum(e - s for s, e in speech_regions(gap)) > SKIPPED_SPEECH_S:
            resume = last
    return resume


class WhisperLiveSession:
    def __init__(
        self, transcriber: WhisperTranscriber, *, interval_s: float = 1.0, draft: bool = False
    ) -> None:
        self._t = transcriber
        self.draft = draft  # short passes: the transcript is shown, then replaced
        self._interval = interval_s
        self._pcm = bytearray()
        self._committed_s = 0.0
        self._words: list[Word] = []
        self._texts: list[str] = []
        self._tail = ""
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._last = time.monotonic()
        # The latest pass over the uncommitted tail: (from, to, segments), in seconds.
        self._latest: tuple[float, float, list[tuple[str, list[Word]]]] | None = None
        self._again = False
        self._passing = False  # a pass is running or about to (set and cleared under the lock)
        self._closed = False  # finish() took a result: later passes change nothing
        self._heard_s = 0.0  # the end of the audio the latest pass decoded
        # The latest quick read at a pause: (the end of the audio it read, its words).
        self._quick: tuple[float, str] | None = None
        self._spoken_s = 0.0  # the end of the last word the passes heard
        self._reader: threading.Thread | None = None

    def accept(self, pcm16: bytes) -> Partial:
        with self._lock:
            self._pcm += pcm16
        if time.monotonic() - self._last >= self._interval:
            self._start_pass()
        with self._lock:
            partial = Partial(" ".join(self._texts), self._tail, heard_s=self._heard_s)
            # The quick read decides its pause until the passes hear a word after it: a pass
            # that catches up on the same audio writes what the read doubted ("I have a
            # thousand." for "I have a | thousand thoughts", docs/practice.md).
            quick = self._quick
            if quick is not None and (quick[0] > self._heard_s or self._spoken_s <= quick[0]):
                partial.ending = quick
            return partial

    def _take_latest(self, speech_end: float | None) -> bool:
        """Commit the newest pass if it heard past ``speech_end``; lock held."""
        latest = self._latest
        if speech_end is None or latest is None or latest[1] < speech_end + 0.2:
            return False
        self._closed = True  # a pass still running changes nothing now
        start, end, rest = latest
        self._commit(start, end - start, rest, rest, None)
        return True

    def _start_pass(self) -> None:
        with self._lock:
            if self._passing:
                return
            self._passing = True
        self._last = time.monotonic()
        self._thread = threading.Thread(target=self._background, daemon=True)
        self._thread.start()

    def _background(self) -> None:
        again = True
        try:
            while again:  # again: silence began during the pass, so hear the end
                self._decode()
                # Asking for another pass and deciding there is none are one step, under the
                # lock: a pause that began as the last pass ended would otherwise wait for
                # the next one a second later (silence() saw the thread alive, set _again).
                with self._lock:
                    again, self._again = self._again, False
                    self._passing = again
        except BaseException:
            with self._lock:
                self._passing = False  # the next pass may start
            raise

    @property
    def busy(self) -> bool:
        return any(t is not None and t.is_alive() for t in (self._thread, self._reader))

    def wait(self) -> None:
        for thread in (self._thread, self._reader):
            if thread is not None:
                thread.join()

    def silence(self) -> None:
        """The speaker paused: read the last words quickly, for the end of answer rule, and
        decode now, so that if the answer is over, the pass that heard all of it is done by
        the time the end is detected (see ``finish``)."""
        if self._reader is None or not self._reader.is_alive():
            with self._lock:
                reach = len(self._pcm) / 2 / RATE
                clip = bytes(self._pcm[-int(QUICK_READ_S * RATE) * 2 :])
            self._reader = threading.Thread(target=self._read, args=(clip, reach), daemon=True)
            self._reader.start()
        with self._lock:
            if self._passing:
                self._again = True
                return
        self._start_pass()

    def _read(self, clip: bytes, reach: float) -> None:
        import numpy as np

        samples = np.frombuffer(clip, dtype="<i2").astype(np.float32) / 32768.0
        try:
            words = self._t.quick_text(samples)
        except Exception:  # only a shortcut: without it the rule waits for a pass, as before
            logging.getLogger(__name__).debug("the quick read failed", exc_info=True)
            return
        # No word read is no reading: "" would tell the rule the words do not trail off.
        if words is not None and any(c.isalpha() for c in words):
            with self._lock:
                if self._quick is None or self._quick[0] < reach:
                    self._quick = (reach, words)

    def _decode(self, final: bool = False) -> None:
        heard = self._hear(final)
        if heard is not None:
            self._apply(heard, final)

    def _hear(self, final: bool = False) -> Heard | None:
        """Decode the uncommitted tail: where it starts, its length, its segments, and
        those to commit (all when ``final``). Changes nothing (scripts/live_harness.py
        replays passes with it, as a loaded machine would time them)."""
        import numpy as np

        with self._lock:
            start = self._committed_s
            raw = bytes(self._pcm[int(start * RATE) * 2 :])
        if len(raw) < RATE // 2:
            return None
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
        segments = self._t.segments(samples, fast=True, short=self.draft)
        window = len(samples) / RATE
        keep = segments if final else to_commit(segments, window)
        resume = resume_point(samples, segments, keep, window) if keep else None
        return start, window, segments, keep, resume

    def _apply(self, heard: Heard, final: bool = False) -> None:
        with self._lock:
            if self._closed and not final:
                return
            self._commit(*heard)

    def _commit(
        self,
        start: float,
        window: float,
        segments: list[tuple[str, list[Word]]],
        keep: list[tuple[str, list[Word]]],
        resume: float | None,
    ) -> None:
        """Make ``keep`` (the first segments of a pass from ``start``) final; lock held."""
        for text, words in keep:
            self._texts.append(text)
            self._words.extend(
                Word(w.w, round(w.start + start, 3), round(w.end + start, 3), w.p) for w in words
            )
        rest = segments[len(keep) :]
        if keep:
            self._committed_s = start + (
                resume if resume is not None else resume_point(None, segments, keep, window)
            )
        self._tail = " ".join(text for text, _ in rest)
        self._latest = (start, start + window, rest) if rest else None
        self._heard_s = max(self._heard_s, start + window)
        ends = [w.end for _, words in segments for w in words]
        self._spoken_s = max([self._spoken_s] + [start + e for e in ends])

    def finish(self, speech_end: float | None = None) -> Transcript:
        """The whole transcript. When a finished background pass already heard everything up
        to ``speech_end`` (seconds), its result is used at once, without waiting for a pass
        still running or decoding again; otherwise the tail is decoded one last time."""
        with self._lock:
            done = self._take_latest(speech_end)
        if not done and self._thread is not None:
            self._thread.join()
            with self._lock:
                done = self._take_latest(speech_end)
        if not done:
            self._closed = True
            self._decode(final=True)
        from interviewsense.stt.sanity import drop_after_speech, drop_prompt_echo

        with self._lock:
            heard = drop_after_speech(
                Transcript(
                    text=" ".join(t for t in self._texts if t),
                    engine="whisper-live",
                    model=self._t.model,
                    language=self._t.language,
                    words=list(self._words),
                ),
                speech_end,
            )
        return drop_prompt_echo(heard)


class WhisperLiveRecognizer:
    engine: TranscriptEngine = "whisper-live"

    def __init__(self, transcriber: WhisperTranscriber) -> None:
        self._t = transcriber
        self.model = transcriber.model
        self._sessions: list[WhisperLiveSession] = []

    def start(self, *, draft: bool = False) -> WhisperLiveSession:
        session = WhisperLiveSession(self._t, draft=draft)
        self._sessions = [s for s in self._sessions if s.busy] + [session]
        return session

    def close(self) -> None:
        """Wait for passes still running: the process must not exit under CTranslate2."""
        for session in self._sessions:
            session.wait()
        self._sessions.clear()


def build_live(settings: Settings, reporter: Reporter) -> WhisperLiveRecognizer:
    """The ``whisper-live`` entry of stt/registry.py: the final Whisper model, warmed up,
    leaving a core to the microphone and the screen while it re-decodes."""
    import dataclasses
    import os

    from interviewsense.stt.whisper_engine import build_whisper
    from interviewsense.threads import auto_threads

    threads = settings.whisper_threads or max(1, min(auto_threads(), (os.cpu_count() or 2) - 1))
    live = dataclasses.replace(settings, whisper_threads=threads)
    transcriber = build_whisper(live, reporter)
    with reporter.status("Warming up Whisper"):
        transcriber.warm_up()
    return WhisperLiveRecognizer(transcriber)
