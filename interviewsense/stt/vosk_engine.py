"""Live recognition with VOSK (Kaldi): partial text as you speak, word times at the end."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from interviewsense.domain import Transcript, TranscriptEngine, Word
from interviewsense.errors import MissingDependencyError
from interviewsense.stt.base import Partial
from interviewsense.stt.models import ModelRef

if TYPE_CHECKING:
    from interviewsense.config import Settings
    from interviewsense.progress import Reporter

RATE = 16_000


class VoskSession:
    def __init__(self, model: Any, name: str, language: str) -> None:
        import vosk

        self._rec = vosk.KaldiRecognizer(model, RATE)
        self._rec.SetWords(True)
        self._name = name
        self._language = language
        self._texts: list[str] = []
        self._words: list[Word] = []
        self._partial = ""

    def _take(self, result: str) -> None:
        data = json.loads(result)
        text = str(data.get("text", "")).strip()
        if text:
            self._texts.append(text)
        for w in data.get("result", []):
            self._words.append(
                Word(
                    w=str(w["word"]),
                    start=round(float(w["start"]), 3),
                    end=round(float(w["end"]), 3),
                    p=round(float(w.get("conf", 1.0)), 3),
                )
            )

    def accept(self, pcm16: bytes) -> Partial:
        if self._rec.AcceptWaveform(pcm16):
            self._take(self._rec.Result())
            self._partial = ""
        else:
            self._partial = str(json.loads(self._rec.PartialResult()).get("partial", ""))
        return Partial(" ".join(self._texts), self._partial)

    def silence(self) -> None:
        """VOSK decodes as audio arrives; a pause needs nothing."""

    def finish(self, speech_end: float | None = None) -> Transcript:
        self._take(self._rec.FinalResult())
        self._partial = ""
        return Transcript(
            text=" ".join(self._texts),
            engine="vosk",
            model=self._name,
            language=self._language,
            words=list(self._words),
        )


class VoskRecognizer:
    """A loaded VOSK model; ``start()`` opens a session for one answer."""

    engine: TranscriptEngine = "vosk"

    def __init__(self, ref: ModelRef, language: str) -> None:
        try:
            import vosk

            vosk.SetLogLevel(-1)
            self._model = vosk.Model(str(ref.path))
        except Exception as exc:  # vosk raises a bare Exception when a model fails to load
            raise MissingDependencyError(
                f"the VOSK model in {ref.path} could not be loaded ({exc})",
                hint="the folder may be incomplete; unpack the model again",
            ) from exc
        self.model = ref.name
        self.language = language

    def start(self, *, draft: bool = False) -> VoskSession:  # the same text either way
        return VoskSession(self._model, self.model, self.language)

    def close(self) -> None:
        """Nothing runs in the background."""


def build_live(settings: Settings, reporter: Reporter) -> VoskRecognizer:
    """The ``vosk`` entry of stt/registry.py: the model found for the answers' language."""
    from interviewsense.stt.models import find_vosk_model, vosk_hint

    ref = find_vosk_model(settings)
    if ref is None:
        raise MissingDependencyError(
            f"no VOSK model for '{settings.language}'", hint=vosk_hint(settings.language)
        )
    with reporter.status(f"Loading VOSK {ref.name}"):
        return VoskRecognizer(ref, settings.language)
