"""Batch transcription with faster-whisper (CTranslate2), with word timestamps.

Whisper tends to drop "um" and "uh". A disfluent ``initial_prompt`` brings them back: on
espeak-ng answers with tiny.en it recovered 12 of 13 fillers, against 0 of 13 without, and
added none to fluent answers (docs/scoring.md has the measurement; bench/ repeats it).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from interviewsense.domain import Segment, Transcript, TranscriptEngine, Word
from interviewsense.errors import BadInputError, MissingDependencyError
from interviewsense.stt.base import ProgressFn
from interviewsense.stt.models import ModelRef
from interviewsense.threads import auto_threads, pin_threads

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewsense.config import Settings
    from interviewsense.progress import Reporter

DISFLUENT_PROMPT = "Um, uh, so, um, I mean, uh, like, um, you know, uh, er, um."
# A segment whose text compresses this well repeats itself: Whisper's own threshold for a
# failed decode. On real speech, live passes that looped measured 10 to 26 (docs/stt.md);
# ordinary segments 1.5 to 1.7.
LOOP_RATIO = 2.4
LOOP_TOKENS_PER_S = 6  # a live pass may write this many tokens a second of audio, plus …
LOOP_TOKENS_EXTRA = 24  # … this many (with the prompt, well under Whisper's 448)
_SPACES = re.compile(r"\s+")
# A final pass that leaves this much speech with no word near it (WORD_REACH_S), and at
# least SKIP_SHARE of the answer's speech, skipped some: it is decoded again (docs/stt.md).
SKIP_MIN_S = 2.0
SKIP_SHARE = 0.3
WORD_REACH_S = 0.5
QUICK_MIN_SAMPLES = 8_000  # quick_text hears at least half a second …
QUICK_TOKENS_EXTRA = 8  # … and writes at most LOOP_TOKENS_PER_S a second, plus this many
# Whisper hears 30 s at a time, padded with silence. A live pass (``fast``) and a quick read
# let the encoder hear only the audio and this much silence after it …
SHORT_PAD_S = 4.0
SHORT_SPAN_S = 10.0  # … and enough to make the two this long (docs/stt.md: fewer loops)
FRAMES_PER_S = 100  # the log-mel features' rate
# With word times, Whisper starts its next window at the last word it wrote, so a window that
# already heard the answer to its end is followed by one more of what is left after that word:
# the speech filter's padding, heard alone. A pass, final or live, skips that last window
# when the one before closed its last segment (a segment left open is decoded again there)
# and it is shorter than this: on the 64 real recordings it wrote only "Okay.", "Thank you."
# or ". ." (on 7 of them) and took 40 % of a final pass's time, and a quarter of the live
# passes' (docs/stt.md, "The window after the last word").
TAIL_S = 2.5
QUICK_GAP_MS = 2_000  # quick_text keeps the speech, cutting silences this long …
QUICK_EDGE_MS = 400  # … but this much either side of it (faster-whisper's VAD filter's own)
# A quick read is for its last words: a word or phrase written over and over inside it (a
# speaker's "uh, uh, uh, uh, uh, uh") spoils it only if fewer words than this come after.
QUICK_AFTER_LOOP_WORDS = 2
# A read's last full stop (".", "?", "!") stands only if Whisper gave it this probability;
# below it, or with no stop at all, the read ends "…": the speaker may go on. Chosen on the
# tuned turn set (docs/practice.md): finished answers' last stops 0.77-0.98, the stops that
# cut a sentence the speaker went on with 0.27-0.51.
QUICK_END_P = 0.65
_STOPS = (".", "?", "!")


SAMPLING_SEED = 0
# Decodes that run at once, each on a copy of the model (CTranslate2 queues the rest): a
# live pass and a pause's quick read (stt/whisper_live.py), or in a serve worker, those and
# a final pass. The copies share the weights: peak RSS 230 MB with one, 233 MB with two.
COPIES = 2


class WhisperTranscriber:
    """A loaded faster-whisper model; reuse one for many answers."""

    def __init__(
        self,
        ref: ModelRef,
        *,
        language: str = "en",
        compute_type: str = "int8",
        threads: int = 0,
        keep_fillers: bool = True,
        engine: TranscriptEngine = "whisper-final",
    ) -> None:
        threads = pin_threads(threads or auto_threads())
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:  # pragma: no cover - a broken install
            raise MissingDependencyError(
                f"faster-whisper cannot be imported ({exc})", hint="pip install faster-whisper"
            ) from exc
        self.engine = engine
        self.model = ref.name
        self.language = language.split("-")[0]  # Whisper's code: "pt-br" is "pt"
        self.keep_fillers = keep_fillers
        self._multilingual = not ref.name.endswith(".en")
        self._tokenizer: Any = None  # quick_text's, made on first use
        self._stops: list[int] | None = None  # _stop_ids
        self._short = threading.local()  # .on: this thread's decode is a live pass
        # .on: in a pass (``_pass``); .heard_end: its last window reached the end of the audio;
        # .closed: and that window left no segment open (``_left_open``)
        self._tail = threading.local()
        try:
            self._model = WhisperModel(
                str(ref.path),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads,
                num_workers=COPIES,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise MissingDependencyError(
                f"the Whisper model in {ref.path} could not be loaded ({exc})",
                hint="the folder may be incomplete; download it again or pick another model",
            ) from exc
        whole = self._model.encode

        def encode(features: Any) -> Any:
            if getattr(self._tail, "on", False):
                frames = _audio_frames(features)
                tail = self._tail.heard_end and self._tail.closed
                if tail and frames < TAIL_S * FRAMES_PER_S:
                    raise _AfterLastWord
                self._tail.heard_end = frames < features.shape[-1]
            if getattr(self._short, "on", False):
                return whole(_shortened(features))
            return whole(features)

        self._model.encode = encode
        decode = self._model.generate_with_fallback

        def generate(encoded: Any, prompt: Any, tokenizer: Any, options: Any) -> Any:
            out = decode(encoded, prompt, tokenizer, options)
            if getattr(self._tail, "on", False):
                self._tail.closed = not _left_open(
                    out[0].sequences_ids[0], tokenizer.timestamp_begin
                )
            return out

        self._model.generate_with_fallback = generate

    def warm_up(self) -> None:
        """Decode a second of silence, so the first real answer does not pay for lazy setup
        (the live fallback would otherwise stall the microphone thread once)."""
        import numpy as np

        segments, _ = self._model.transcribe(np.zeros(16_000, dtype=np.float32), **self._options())
        list(segments)

    def _options(self, fast: bool = False) -> dict[str, Any]:
        options: dict[str, Any] = {
            "word_timestamps": True,
            "condition_on_previous_text": False,
            "vad_filter": True,  # no hallucinated words in silences
            "beam_size": 5,
        }
        if fast:  # live passes: greedy, and no re-decoding at higher temperatures
            options.update(beam_size=1, temperature=0.0)
        if self.language and (self._multilingual or self.language == "en"):
            options["language"] = self.language if self._multilingual else "en"
        if self.keep_fillers and self.language == "en":
            options["initial_prompt"] = DISFLUENT_PROMPT
        return options

    def segments(
        self,
        samples: npt.NDArray[np.float32],
        *,
        progress: ProgressFn | None = None,
        fast: bool = False,
        short: bool = False,
    ) -> list[tuple[str, list[Word]]]:
        """Each recognised segment's text and timed words; ``fast`` trades a little accuracy
        for speed (greedy decoding), for the live transcript; ``short`` with it, the encoder
        hears the window and a few seconds of silence, not 30 s (``_shortened``): a third of
        the time, for text that is shown but not kept (it invents a word after the last one
        more often: docs/stt.md)."""
        decoded = self._decode(samples, progress, fast, short=fast and short)
        return [(text, words) for text, words, _ in decoded]

    def _decode(
        self,
        samples: npt.NDArray[np.float32],
        progress: ProgressFn | None,
        fast: bool,
        short: bool = False,
    ) -> list[tuple[str, list[Word], tuple[float, float]]]:
        """Each segment's text, timed words, and (start, end) in seconds."""
        import ctranslate2

        # A segment that fails the thresholds is decoded again with sampling (temperature
        # fallback): seeded, the same audio gives the same words in every run and worker.
        ctranslate2.set_random_seed(SAMPLING_SEED)
        options = self._options(fast)
        guard = fast and "initial_prompt" in options
        if guard:  # real speech needs under 5 tokens a second: a loop stops early
            seconds = min(30.0, len(samples) / 16_000)
            options["max_new_tokens"] = int(LOOP_TOKENS_PER_S * seconds) + LOOP_TOKENS_EXTRA
        if fast:  # a short window: decoded whole before any word is used
            cap = options.get("max_new_tokens", 0)
            self._short.on = short  # the encoder hears the window, not 30 s (_shortened)
            try:
                found = self._pass(samples, options, progress)
            finally:
                self._short.on = False
            if guard and any(_looped(seg, cap) for seg in found):
                # A greedy pass that loops ("uh, uh, uh …"): a window that starts inside a
                # word sets it off, the disfluent prompt feeds it, and a short encoding more
                # often than a 30 s one (which drops its fillers: docs/stt.md). Decode it
                # again as Whisper hears it, then without the prompt, and drop whatever
                # still loops.
                if short:
                    found = self._pass(samples, options)
                if any(_looped(seg, cap) for seg in found):
                    options.pop("initial_prompt", None)
                    options.pop("max_new_tokens", None)
                    found = self._pass(samples, options)
                    found = [seg for seg in found if seg.compression_ratio <= LOOP_RATIO]
            return _collect(found)
        out = _collect(self._pass(samples, options, progress))
        from interviewsense.audio.vad import speech_regions
        from interviewsense.stt.invented import after_speech

        regions = speech_regions(samples)
        if "initial_prompt" in options:
            missed = unheard_speech(regions, out)
            if missed > max(SKIP_MIN_S, SKIP_SHARE * sum(e - s for s, e in regions)):
                # The decoder jumped over speech: one segment spanning the answer, its words
                # stacked at the end (seen on real speech, docs/stt.md). Decode it again
                # without the prompt and keep whichever covers more of the speech.
                options.pop("initial_prompt")
                again = _collect(self._pass(samples, options))
                if unheard_speech(regions, again) < missed:
                    out = again
        words = [w for _, ws, _ in out for w in ws]
        return _without_last(out, after_speech(words, regions[-1][1] if regions else None))

    def _pass(
        self,
        samples: npt.NDArray[np.float32],
        options: dict[str, Any],
        progress: ProgressFn | None = None,
    ) -> list[Any]:
        """faster-whisper's segments of ``samples``, final or live, without the window after
        the last word (``TAIL_S``); collected here, so the skip is off again however the pass
        ends."""
        self._tail.on, self._tail.heard_end, self._tail.closed = True, False, False
        try:
            found = []
            for seg in _until_last_word(self._model.transcribe(samples, **options)[0]):
                found.append(seg)
                if progress is not None:
                    progress(float(seg.end))
            return found
        finally:
            self._tail.on = False

    def quick_text(self, samples: npt.NDArray[np.float32]) -> str | None:
        """What a short clip says, for deciding whether an answer is over: the encoder hears
        the clip and a few seconds of silence instead of Whisper's 30 s, and the decoder
        writes greedily, with no word times, so a few seconds cost about a tenth of a live
        pass (docs/practice.md). ``None`` when the decode loops ("uh, uh, uh …") with and
        without the disfluent prompt; ask a pass instead. The text ends "…" unless Whisper
        was sure of its last full stop (``_open_unless_sure``): it is for the end-of-answer
        rule only, never shown."""
        import ctranslate2
        import numpy as np
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_compression_ratio

        from interviewsense.audio.vad import speech_regions

        if len(samples) < QUICK_MIN_SAMPLES:
            return None
        model = self._model
        if self._tokenizer is None:
            language = self.language if self._multilingual else "en"
            self._tokenizer = Tokenizer(
                model.hf_tokenizer, model.model.is_multilingual, "transcribe", language
            )
        tokenizer = self._tokenizer
        # Only the speech, as a pass's VAD filter gives it: with the silence left in, a clip
        # that stops on "All right, so this is" was read "All right."
        regions = speech_regions(samples, min_silence_ms=QUICK_GAP_MS, pad_ms=QUICK_EDGE_MS)
        if regions:
            samples = np.concatenate(
                [samples[int(a * 16_000) : int(b * 16_000)] for a, b in regions]
            )
        # Whisper was trained on 30 s windows, the end padded with silence; a clip with no
        # silence after it is written over and over ("forced aligner. Montreal, uh, forced
        # aligner. Montreal …"). A few seconds of it are enough for the decoder to stop.
        pad = max(SHORT_PAD_S, SHORT_SPAN_S - len(samples) / 16_000)
        silence = np.zeros(int(pad * 16_000), dtype=np.float32)
        features = model.feature_extractor(np.concatenate([samples, silence]), padding=0)
        features = features[:, : features.shape[-1] // 2 * 2]  # the encoder halves it
        heard = model.model.encode(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None]))
        )
        cap = int(LOOP_TOKENS_PER_S * len(samples) / 16_000) + QUICK_TOKENS_EXTRA
        prompted = self.keep_fillers and self.language == "en"
        # As in a pass: a read that loops with the disfluent prompt is read again without.
        for previous in ([tokenizer.encode(" " + DISFLUENT_PROMPT)] if prompted else []) + [[]]:
            prompt = model.get_prompt(tokenizer, previous, without_timestamps=True)
            result = model.model.generate(
                heard,
                [prompt],
                beam_size=1,
                max_length=len(prompt) + cap,
                return_logits_vocab=True,
            )[0]
            found = result.sequences_ids[0]
            text = _SPACES.sub(" ", tokenizer.decode(found)).strip()
            if not _loops(text.split(), get_compression_ratio(text), len(found), cap, tail=True):
                stop_p = _stop_p(result.logits[0], len(found), self._stop_ids())
                return _open_unless_sure(text, stop_p)
        return None

    def _stop_ids(self) -> list[int]:
        """The tokens that end on a full stop (".", "?", "!", also "%." or ")."; not ".."),
        found once in the model's vocabulary."""
        if self._stops is None:
            vocabulary = self._model.hf_tokenizer.get_vocab()
            self._stops = sorted(
                i for token, i in vocabulary.items() if token.endswith(_STOPS) and ".." not in token
            )
        return self._stops

    def transcribe(
        self, samples: npt.NDArray[np.float32], *, progress: ProgressFn | None = None
    ) -> Transcript:
        found = self._decode(samples, progress, False)
        words = [w for _, seg_words, _ in found for w in seg_words]
        text = _SPACES.sub(" ", " ".join(t for t, _, _ in found if t)).strip()
        return Transcript(
            text=text,
            engine=self.engine,
            model=self.model,
            language=self.language,
            words=words,
            segments=[Segment(t, start, end, len(ws)) for t, ws, (start, end) in found],
        )


Decoded = list[tuple[str, list[Word], tuple[float, float]]]


def _collect(found: Iterable[Any]) -> Decoded:
    """Each faster-whisper segment's text, timed words, and (start, end) in seconds."""
    out: Decoded = []
    for seg in found:
        words = [
            Word(
                w=w.word.strip(),
                start=round(float(w.start), 3),
                end=round(float(w.end), 3),
                p=round(float(w.probability), 3),
            )
            for w in seg.words or []
            if w.word.strip()
        ]
        out.append(
            (seg.text.strip(), words, (round(float(seg.start), 3), round(float(seg.end), 3)))
        )
    return out


def _without_last(decoded: Decoded, n: int) -> Decoded:
    """``decoded`` without its last ``n`` words (and the segments left with none)."""
    left = sum(len(ws) for _, ws, _ in decoded) - n
    if n <= 0:
        return decoded
    out: Decoded = []
    for text, ws, (start, end) in decoded:
        if left <= 0:
            break
        if len(ws) <= left:
            out.append((text, ws, (start, end)))
        else:
            kept = ws[:left]
            out.append((" ".join(w.w for w in kept), kept, (start, kept[-1].end)))
        left -= len(ws)
    return out


def unheard_speech(regions: list[tuple[float, float]], decoded: Decoded) -> float:
    """Seconds of speech (``regions``, from the voice activity detector) with no word within
    ``WORD_REACH_S``: a decode that skipped part of the answer leaves a lot. A word of no
    length that shares its time with two others was placed by a failed alignment, not heard."""
    words = [w for _, ws, _ in decoded for w in ws]
    points = [w.start for w in words if w.end <= w.start]
    stacked = {t for t in points if points.count(t) >= 3}
    heard_words = [w for w in words if w.start not in stacked]
    union: list[list[float]] = []
    for s, e in sorted((w.start - WORD_REACH_S, w.end + WORD_REACH_S) for w in heard_words):
        if union and s <= union[-1][1]:
            union[-1][1] = max(union[-1][1], e)
        else:
            union.append([s, e])
    heard = sum(max(0.0, min(e, end) - max(s, start)) for start, end in regions for s, e in union)
    return sum(e - s for s, e in regions) - heard


def _stop_p(steps: list[Any], n: int, stops: list[int]) -> float:
    """The probability Whisper gave a token that ends on a full stop (``stops``) as the
    ``n``-th and last token of a read, from each step's logits (``steps``); 0 for none."""
    import numpy as np

    if n == 0 or len(steps) < n:
        return 0.0
    logits = np.asarray(steps[n - 1], dtype=np.float64).reshape(-1)
    p = np.exp(logits - logits.max())
    return float(p[stops].sum() / p.sum())


def _open_unless_sure(text: str, stop_p: float) -> str:
    """``text`` as the end-of-answer rule should read it: as written when it ends on a full
    stop Whisper was sure of (``QUICK_END_P``), else ending "…" (audio/endpoint.py
    ``OPEN_MARKS``), since a stop it doubts ("I have a thousand." for "I have a | thousand
    thoughts") or none at all ("And I feel like this") may be the middle of a sentence."""
    if not text or (text.endswith(_STOPS) and not text.endswith("...") and stop_p >= QUICK_END_P):
        return text
    return text.rstrip(".?!,;:-— ") + "…"


class _AfterLastWord(Exception):
    """Raised from the encoder to end a pass before the window after its last word."""


def _left_open(tokens: list[int], timestamp_begin: int) -> bool:
    """Whether faster-whisper drops a window's last segment to decode it again in the next
    window (``_split_segments_by_timestamps``): text after the last pair of timestamps, not
    closed by one. A window with no pair keeps all its text as one segment."""
    stamp = [t >= timestamp_begin for t in tokens]
    pairs = [i for i in range(1, len(tokens)) if stamp[i] and stamp[i - 1]]
    if not pairs or (len(tokens) >= 2 and stamp[-1] and not stamp[-2]):
        return False
    return not all(stamp[pairs[-1] :])


def _until_last_word(found: Iterable[Any]) -> Iterator[Any]:
    """faster-whisper's segments, ending where the encoder raised ``_AfterLastWord``."""
    try:
        yield from found
    except _AfterLastWord:
        return


def _audio_frames(features: Any) -> int:
    """How many of a window's log-mel frames are audio: faster-whisper pads a window to 30 s
    with zero frames, and no frame of audio is all zeros."""
    import numpy as np

    heard = np.flatnonzero(np.any(features != 0, axis=tuple(range(features.ndim - 1))))
    return int(heard[-1]) + 1 if len(heard) else 0


def _shortened(features: Any) -> Any:
    """A window's log-mel features as a live pass's encoder hears them: the audio and
    ``SHORT_PAD_S`` of the silence after it (at least ``SHORT_SPAN_S`` in all), not 30 s."""
    import numpy as np

    audio = _audio_frames(features)
    keep = max(audio + int(SHORT_PAD_S * FRAMES_PER_S), int(SHORT_SPAN_S * FRAMES_PER_S))
    if keep >= features.shape[-1]:
        return features
    return np.ascontiguousarray(features[..., : keep - keep % 2])  # the encoder halves it


def _looped(seg: Any, cap: int) -> bool:
    """A live pass's segment that loops (``_loops``)."""
    words = [w.word for w in seg.words or []]
    return _loops(words, seg.compression_ratio, len(seg.tokens), cap)


def _loops(words: list[str], ratio: float, tokens: int, cap: int, tail: bool = False) -> bool:
    """Whether what a decode wrote loops: it compresses like a repetition (``ratio``), fills
    the token cap, or says one word (or a short phrase) over and over inside ordinary text
    ("so I probably spent like, a, a, a, …", which compresses only to about 2). ``tail``:
    only the last words matter (a quick read), so a repetition that ``QUICK_AFTER_LOOP_WORDS``
    words or more follow does not count."""
    from interviewsense.scoring.text import norm
    from interviewsense.stt.invented import words_after_loop

    if ratio > LOOP_RATIO or tokens >= cap - 2:
        return True
    after = words_after_loop([n for w in words if (n := norm(w))])
    return after is not None and (not tail or after < QUICK_AFTER_LOOP_WORDS)


def _check_compute_type(compute_type: str) -> None:
    """A compute type CTranslate2 can run on this CPU; a typo is not a broken model."""
    import ctranslate2

    known = sorted(ctranslate2.get_supported_compute_types("cpu")) + ["auto", "default"]
    if compute_type not in known:
        raise BadInputError(
            f"whisper_compute_type is {compute_type!r}, which this CPU cannot run",
            hint=f"use one of {', '.join(known)} (INTERVIEWSENSE_WHISPER_COMPUTE_TYPE)",
        )


def _whisper_language(language: str) -> str:
    """The Whisper language code of a settings language ("pt-br" is Whisper's "pt")."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    base = language.split("-")[0]
    if base not in _LANGUAGE_CODES:
        raise BadInputError(
            f"Whisper does not know the language '{language}'",
            hint="use an ISO 639-1 code Whisper knows, such as en, de, es, fr, ja or ko",
        )
    return base


def build_whisper(settings: Settings, reporter: Reporter) -> WhisperTranscriber:
    """The Whisper model the settings name, loaded. An English-only model (``.en``) with
    another language transcribes the answers as English, and the notice says so."""
    from interviewsense.stt.models import find_whisper_model

    base = _whisper_language(settings.language)
    _check_compute_type(settings.whisper_compute_type)
    ref = find_whisper_model(settings)
    if ref.name.endswith(".en") and base != "en":
        reporter.notice(
            f"Whisper {ref.name} knows English only: '{base}' answers will be transcribed "
            "as English; pass --whisper-model with a multilingual model (tiny, base, small "
            "…: 'interviewsense models download tiny' once online)"
        )
    with reporter.status(f"Loading Whisper {ref.name} ({ref.origin})"):
        return WhisperTranscriber(
            ref,
            language=settings.language,
            compute_type=settings.whisper_compute_type,
            threads=settings.whisper_threads,
        )


def build_final(settings: Settings, reporter: Reporter) -> WhisperTranscriber:
    """The ``whisper-final`` entry of stt/registry.py."""
    return build_whisper(settings, reporter)
