"""A Piper voice taken apart so that a sentence is heard before it is all made.

A Piper voice is a VITS model in one ONNX graph: the text encoder, the duration predictor
and the flow turn a sentence's phonemes into a latent sequence (one frame per 256 samples),
then the decoder (HiFi-GAN) turns that into the waveform. The decoder is most of the cost,
and it grows with the sentence, so a long sentence was heard only once all of it was made.

Here the graph is cut where the decoder starts (its first convolution), once, when the
voice loads: the first part runs on the whole sentence, so the voice still plans the
sentence as a whole (its stresses, its melody, where it breathes), and the decoder runs on
the latent sequence a piece at a time, the first piece small. Each piece is decoded with
``MARGIN_FRAMES`` of its neighbours on each side, cropped after: the decoder's
convolutions see the context they would have seen in one pass, and the pieces join into
the same waveform (tests/test_tts.py compares them). The same idea as rhasspy/piper#255,
without re-exporting the voice.

Cutting takes the ``onnx`` package (0.6 s to import) and about half a second more, so the
halves are kept in the data folder's cache, named by the voice file's path, size and time,
and the next load reads them as ONNX Runtime reads any model. A voice whose graph has no
such cut (exported some other way) is spoken whole, a sentence at a time, as before
(``split_voice`` says why).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DECODER_START = "/dec/conv_pre/Conv"  # the decoder's first node, as piper's export names it
INPUTS = ("input", "input_lengths", "scales")  # the text side's inputs ("sid" too, if any)
SPEAKER_INPUT = "sid"
FIRST_FRAMES = 24  # the first piece: 0.28 s of a 22 kHz voice, decoded in about 10 ms
MARGIN_FRAMES = 16  # context on each side of a piece (8 already differs by 1e-3)
MOST_FRAMES = 384  # pieces double in length after the first, up to this


@dataclass
class SplitVoice:
    """A voice's two halves, each an ONNX Runtime session."""

    encoder: Any
    decoder: Any
    latent: str  # the tensor between them
    speaker: bool  # whether both take a speaker id
    hop: int = 0  # samples per latent frame, learnt on the first sentence

    def latents(self, feed: dict[str, Any]) -> npt.NDArray[np.float32]:
        """The sentence's latent sequence, shape (1, channels, frames)."""
        out: npt.NDArray[np.float32] = self.encoder.run([self.latent], feed)[0]
        return out

    def speak(self, feed: dict[str, Any]) -> Iterator[npt.NDArray[np.float32]]:
        """A sentence's waveform in pieces, from the whole model's inputs (``feed``)."""
        return self.decode(self.latents(feed), feed.get(SPEAKER_INPUT))

    def decode(self, latents: Any, speaker: Any = None) -> Iterator[npt.NDArray[np.float32]]:
        """The waveform of ``latents`` in pieces, in order: the first ``FIRST_FRAMES``
        long, each next one twice the last, up to ``MOST_FRAMES``."""
        frames = int(latents.shape[2])
        start, size = 0, FIRST_FRAMES
        while start < frames:
            end = min(frames, start + size)
            lo, hi = max(0, start - MARGIN_FRAMES), min(frames, end + MARGIN_FRAMES)
            feed = {self.latent: latents[:, :, lo:hi]}
            if self.speaker:
                feed[SPEAKER_INPUT] = speaker
            audio = self.decoder.run(None, feed)[0].reshape(-1)
            if not self.hop:
                self.hop = audio.size // (hi - lo)
            yield audio[(start - lo) * self.hop : (end - lo) * self.hop]
            start, size = end, min(MOST_FRAMES, size * 2)


def _kept(path: Path, cache: Path) -> tuple[Path, Path, Path]:
    """Where the halves of the voice at ``path`` are kept: the encoder, the decoder, and
    what joins them."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{DECODER_START}"
    stem = cache / "piper" / f"{path.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    return (
        stem.with_name(stem.name + ".encoder.onnx"),
        stem.with_name(stem.name + ".decoder.onnx"),
        stem.with_name(stem.name + ".json"),
    )


def onnx_session(model: bytes | Path, options: Any) -> Any:
    """An ONNX Runtime session on the CPU, from a file or from the model's bytes."""
    import onnxruntime as ort

    source = str(model) if isinstance(model, Path) else model
    return ort.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])


def _from_cache(kept: tuple[Path, Path, Path], options: Any) -> SplitVoice | None:
    encoder, decoder, joint = kept
    if not (encoder.is_file() and decoder.is_file() and joint.is_file()):
        return None
    try:
        meta = json.loads(joint.read_text(encoding="utf-8"))
        return SplitVoice(
            onnx_session(encoder, options),
            onnx_session(decoder, options),
            str(meta["latent"]),
            bool(meta["speaker"]),
        )
    except Exception:  # a damaged or half-written cache: cut the voice again
        return None


def _keep(kept: tuple[Path, Path, Path], halves: list[bytes], split: SplitVoice) -> None:
    """The halves written to the cache, if the disk takes them (else: cut again next time)."""
    from interviewsense.errors import StorageError
    from interviewsense.fsutil import atomic_open

    encoder, decoder, joint = kept
    meta = json.dumps({"latent": split.latent, "speaker": split.speaker}).encode()
    try:
        for path, data in ((encoder, halves[0]), (decoder, halves[1]), (joint, meta)):
            with atomic_open(path) as fh:
                fh.write(data)
    except (OSError, StorageError):
        pass


def split_voice(
    path: Path, options: Any, cache: Path | None = None
) -> tuple[SplitVoice | None, str]:
    """The voice at ``path`` cut in two (sessions made with ``options``), or None and why
    not; from ``cache`` when the halves are kept there, else cut now and kept there."""
    kept = _kept(path, cache) if cache is not None else None
    if kept is not None:
        found = _from_cache(kept, options)
        if found is not None:
            return found, ""
    try:
        import onnx
        from onnx.utils import Extractor
    except ImportError:
        return None, "the onnx package is not installed"

    try:
        model = onnx.load(str(path))
    except Exception as exc:  # a protobuf DecodeError and friends: the voice is damaged
        return None, f"its model does not read ({type(exc).__name__})"
    start = next((n for n in model.graph.node if n.name == DECODER_START), None)
    names = {i.name for i in model.graph.input}
    if start is None or not set(INPUTS) <= names:
        return None, "its model was not exported the way Piper's are"
    speaker = SPEAKER_INPUT in names
    latent = start.input[0]
    extra = [SPEAKER_INPUT] if speaker else []
    try:
        cut = Extractor(model)
        encoder = cut.extract_model([*INPUTS, *extra], [latent])
        decoder = cut.extract_model([latent, *extra], [model.graph.output[0].name])
        del model, cut
        halves = [part.SerializeToString() for part in (encoder, decoder)]
        split = SplitVoice(
            onnx_session(halves[0], options), onnx_session(halves[1], options), latent, speaker
        )
    except Exception as exc:  # onnx's checker or ONNX Runtime refusing the halves
        return None, f"its model does not split ({type(exc).__name__}: {str(exc)[:80]})"
    if kept is not None:
        _keep(kept, halves, split)
    return split, ""
