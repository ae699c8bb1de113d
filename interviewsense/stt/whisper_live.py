"""Live transcription with Whisper, for languages with no VOSK model.

Whisper is not a streaming model, so the answer's recent audio is re-decoded about once a
second in a background thread. Text that is safely in the past is committed and not decoded
again, so each pass (and the last one, when the answer ends) only covers the tail.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from interviewsense.domain import Transcript, Word
from interviewsense.stt.base import Partial

if TYPE_CHECKING:
    from interviewsense.stt.whisper_engine import WhisperTranscriber

RATE = 16_000
COMMIT_AFTER_S = 8.0  # decode windows longer than this commit all but their last segment


class WhisperLiveSession:
    def __init__(self, transcriber: WhisperTranscriber, *, interval_s: float = 1.0) -> None:
        self._t = transcriber
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

    def accept(self, pcm16: bytes) -> Partial:
        with self._lock:
            self._pcm += pcm16
        busy = self._thread is not None and self._thread.is_alive()
        if not busy and time.monotonic() - self._last >= self._interval:
            self._last = time.monotonic()
            self._thread = threading.Thread(target=self._decode, daemon=True)
            self._thread.start()
        with self._lock:
            return Partial(" ".join(self._texts), self._tail)

    def _decode(self, final: bool = False) -> None:
        import numpy as np

        with self._lock:
            start = self._committed_s
            raw = bytes(self._pcm[int(start * RATE) * 2 :])
        if len(raw) < RATE // 2:
            return
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
        segments = self._t.segments(samples)
        window = len(samples) / RATE
        keep = segments if final else segments[:-1] if window >= COMMIT_AFTER_S else []
        with self._lock:
            self._commit(start, window, segments, keep)

    def _commit(
        self,
        start: float,
        window: float,
        segments: list[tuple[str, list[Word]]],
        keep: list[tuple[str, list[Word]]],
    ) -> None:
        """Make ``keep`` (the first segments of a pass from ``start``) final; lock held."""
        for text, words in keep:
            self._texts.append(text)
            self._words.extend(
                Word(w.w, round(w.start + start, 3), round(w.end + start, 3), w.p) for w in words
            )
        rest = segments[len(keep) :]
        if keep:
            # Resume at the next segment's first word (so no word is cut), else after the
            # last kept word, else after the window.
            nxt = next((ws[0].start for _, ws in rest if ws), None)
            last = next((ws[-1].end for _, ws in reversed(keep) if ws), None)
            self._committed_s = start + (nxt if nxt is not None else last or window)
        self._tail = " ".join(text for text, _ in rest)
        self._latest = (start, start + window, rest) if rest else None

    def finish(self, speech_end: float | None = None) -> Transcript:
        """The whole transcript. When the last background pass already heard everything up
        to ``speech_end`` (seconds), its result is used instead of decoding again."""
        if self._thread is not None:
            self._thread.join()
        latest = self._latest
        with self._lock:
            reusable = (
                speech_end is not None
                and latest is not None
                and latest[0] == self._committed_s
                and latest[1] >= speech_end + 0.3
            )
            if reusable and latest is not None:
                self._commit(latest[0], latest[1] - latest[0], latest[2], latest[2])
        if not reusable:
            self._decode(final=True)
        with self._lock:
            return Transcript(
                text=" ".join(t for t in self._texts if t),
                engine="whisper-live",
                model=self._t.model,
                language=self._t.language,
                words=list(self._words),
            )


class WhisperLiveRecognizer:
    engine = "whisper-live"

    def __init__(self, transcriber: WhisperTranscriber) -> None:
        self._t = transcriber
        self.model = transcriber.model

    def start(self) -> WhisperLiveSession:
        return WhisperLiveSession(self._t)
