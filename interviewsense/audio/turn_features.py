"""Whisper-style log-mel features for the Smart Turn model, in numpy only.

Vendored from pipecat-ai 1.14.0 (``pipecat/audio/turn/smart_turn/_whisper_features.py``),
which mirrors ``transformers.WhisperFeatureExtractor(chunk_length=8)`` so no ``transformers``
import is needed. Copyright (c) 2024-2026, Daily, BSD 2-Clause License (the notice is in
docs/practice.md and next to the model file); portions derived from Hugging Face
Transformers, Copyright 2022-2023 The HuggingFace Inc. team and the librosa & torchaudio
authors, Apache License 2.0. Modified: typed, shortened.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

N_FFT = 400
HOP = 160
N_MELS = 80
RATE = 16_000
WINDOW_S = 8
MEL_FLOOR = 1e-10


def _hz_to_mel(freq: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    import numpy as np

    mels = 3.0 * freq / 200.0
    log = freq >= 1000.0
    mels[log] = 15.0 + np.log(freq[log] / 1000.0) * (27.0 / np.log(6.4))
    return mels


def _mel_to_hz(mels: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    import numpy as np

    freq = 200.0 * mels / 3.0
    log = mels >= 15.0
    freq[log] = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mels[log] - 15.0))
    return freq


@cache
def _constants() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The periodic Hann window and the Slaney-normalised mel filterbank (bins x mels)."""
    import numpy as np

    window = np.hanning(N_FFT + 1)[:-1]
    edges = _hz_to_mel(np.array([0.0, RATE / 2.0]))
    filter_freqs = _mel_to_hz(np.linspace(edges[0], edges[1], N_MELS + 2))
    fft_freqs = np.linspace(0, RATE // 2, N_FFT // 2 + 1)
    diff = np.diff(filter_freqs)
    slopes = np.expand_dims(filter_freqs, 0) - np.expand_dims(fft_freqs, 1)
    down = -slopes[:, :-2] / diff[:-1]
    up = slopes[:, 2:] / diff[1:]
    filters = np.maximum(np.zeros(1), np.minimum(down, up))
    filters *= np.expand_dims(2.0 / (filter_freqs[2 : N_MELS + 2] - filter_freqs[:N_MELS]), 0)
    return window, filters


def log_mel(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Features of exactly 8 s of 16 kHz audio (padded at the end or cut): shape (80, 800)."""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    n = RATE * WINDOW_S
    x = np.asarray(audio, dtype=np.float32)
    x = np.pad(x, (0, n - x.size)) if x.size < n else x[:n]
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)  # zero mean, unit variance, as Whisper's
    window, filters = _constants()
    padded = np.pad(x.astype(np.float64), (N_FFT // 2, N_FFT // 2), mode="reflect")
    frames = sliding_window_view(padded, N_FFT)[::HOP]
    power = (np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2).T
    spec = np.log10(np.maximum(MEL_FLOOR, filters.T @ power))[:, :-1]
    spec = np.maximum(spec, spec.max() - 8.0)
    out: npt.NDArray[np.float32] = ((spec + 4.0) / 4.0).astype(np.float32)
    return out
