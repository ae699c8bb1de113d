"""The two kinds of speech recogniser: batch ``Transcriber`` and live ``StreamingRecognizer``.

Engines live one per module (``whisper_engine``, ``vosk_engine``); their libraries are
imported only when an engine is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from interviewsense.domain import Transcript, TranscriptEngine

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


ProgressFn = Callable[[float], None]  # seconds of audio done


class Transcriber(Protocol):
    """Turns a whole recording (16 kHz mono float32) into a timed transcript."""

    @property
    def engine(self) -> TranscriptEngine: ...

    model: str
    language: str

    def warm_up(self) -> None:
        """Do the lazy setup now, so the first answer does not wait for it."""
        ...

    def transcribe(
        self, samples: npt.NDArray[np.float32], *, progress: ProgressFn | None = None
    ) -> Transcript: ...


@dataclass
class Partial:
    """What a live recogniser has heard so far: settled text plus the unsettled tail.

    ``heard_s``: how many seconds of the audio fed so far the text accounts for; None when
    it accounts for all of it (a recogniser that decodes as audio arrives, as VOSK does).
    A recogniser that decodes in passes (Whisper) lags behind the microphone.
    ``ending``: (seconds, words) of a quick read of the last words at a pause that reaches
    further than ``heard_s``, for the end of the answer only (not shown, not kept)."""

    final_text: str
    partial_text: str
    heard_s: float | None = None
    ending: tuple[float, str] | None = None

    @property
    def text(self) -> str:
        return " ".join(t for t in (self.final_text, self.partial_text) if t)

    @property
    def for_end(self) -> tuple[str, float | None]:
        """The words the end of answer rule decides on, and how far they reach."""
        if self.ending is not None:
            return self.ending[1], self.ending[0]
        return self.text, self.heard_s


class StreamingSession(Protocol):
    def accept(self, pcm16: bytes) -> Partial:
        """Feed 16 kHz mono 16-bit PCM; returns the live text so far."""
        ...

    def silence(self) -> None:
        """The speaker has paused (a hint: the answer may be over)."""
        ...

    def finish(self, speech_end: float | None = None) -> Transcript:
        """Flush and return the whole answer's transcript with word times. ``speech_end``
        (seconds into the answer) is when the endpointer last heard speech, if known."""
        ...


class StreamingRecognizer(Protocol):
    @property
    def engine(self) -> TranscriptEngine: ...

    model: str

    def start(self, *, draft: bool = False) -> StreamingSession:
        """A session for one answer. ``draft``: its transcript is shown at once and replaced
        (the web page's provisional card, before the final pass), so a recogniser may trade
        accuracy for speed (Whisper: short passes)."""
        ...

    def close(self) -> None:
        """Stop any background work (before the process exits)."""
        ...
