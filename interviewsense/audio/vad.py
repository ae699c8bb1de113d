"""Where the speech is: Silero VAD (the model faster-whisper ships) over 16 kHz samples.

Used for long pauses (Whisper stretches word times across silences; the VAD does not), the
speaking-time ratio, and voiced stretches that no transcribed word covers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000
Region = tuple[float, float]
CHUNK = SAMPLE_RATE * 60


def speech_regions(
    samples: npt.NDArray[np.float32], *, min_silence_ms: int = 200, pad_ms: int = 30
) -> list[Region]:
    """Speech stretches in seconds, split at silences of at least ``min_silence_ms``."""
    if len(samples) < SAMPLE_RATE // 10:
        return []
    from interviewsense.threads import auto_threads, pin_threads

    pin_threads(auto_threads(), keep=True)  # before faster-whisper loads CTranslate2
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=min_silence_ms,
        speech_pad_ms=pad_ms,
        min_speech_duration_ms=80,
    )
    # Long recordings go through a minute at a time, so memory stays flat; speech cut by
    # a boundary between two pieces is joined again.
    regions: list[Region] = []
    for start in range(0, len(samples), CHUNK):
        piece = samples[start : start + CHUNK]
        if len(piece) < SAMPLE_RATE // 10:
            break
        offset = start / SAMPLE_RATE
        for stamp in get_speech_timestamps(piece, options, sampling_rate=SAMPLE_RATE):
            a = round(offset + stamp["start"] / SAMPLE_RATE, 3)
            b = round(offset + stamp["end"] / SAMPLE_RATE, 3)
            if regions and offset > 0 and a - offset < 0.1 and offset - regions[-1][1] < 0.1:
                regions[-1] = (regions[-1][0], b)
            else:
                regions.append((a, b))
    return regions


WINDOW = 512  # samples Silero looks at per step (32 ms at 16 kHz)
CONTEXT = 64


class SileroStream:
    """Silero VAD as audio arrives: the speech probability of each 32 ms window.

    The same model ``speech_regions`` runs (faster-whisper's copy), carrying its recurrent
    state and 64-sample context from one block to the next, so a live stream gets the
    probabilities a whole-file pass would.
    """

    def __init__(self) -> None:
        import numpy as np

        from interviewsense.threads import auto_threads, pin_threads

        pin_threads(auto_threads(), keep=True)  # before faster-whisper loads CTranslate2
        from faster_whisper.vad import get_vad_model

        self._session = _vad_session(get_vad_model)
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._rest = np.zeros(0, dtype=np.float32)

    def feed(self, samples: npt.NDArray[np.float32]) -> list[float]:
        import numpy as np

        data = np.concatenate([self._rest, samples.astype(np.float32)])
        n = len(data) // WINDOW
        self._rest = data[n * WINDOW :]
        if n == 0:
            return []
        windows = data[: n * WINDOW].reshape(n, WINDOW)
        contexts = np.concatenate([self._context[None, :], windows[:-1, -CONTEXT:]])
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        return [float(v) for v in np.asarray(out).reshape(-1)]


def _vad_session(get_vad_model: Any) -> Any:
    """faster-whisper's ONNX session for Silero, loaded once per process."""
    global _SESSION
    if _SESSION is None:
        _SESSION = get_vad_model().session
    return _SESSION


_SESSION: Any = None
