"""Has the speaker finished? Smart Turn v3.2 (pipecat-ai, BSD 2-Clause) on the last 8 s.

The model hears intonation, pace and grammar as spoken, and gives the probability that the
turn is complete. It is an 8.7 MB ONNX file run with ONNX Runtime (already installed for
faster-whisper); features are Whisper log-mels computed in numpy (audio/turn_features.py).
It is found, in this order, in the folder (or file) the ``turn_model`` setting names, in
``models/smart-turn/``, and in ``sys.prefix/share/interviewsense/smart-turn/``, where
``make install`` puts it (scripts/smart_turn.py takes it out of the pipecat-ai wheel on
PyPI without installing that framework). Loading is lazy and happens once per process;
without the model, end of answer falls back to the VAD-and-silence rule and says so.
"""

from __future__ import annotations

import sys
import threading
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
MODEL_NAME = "smart-turn-v3.2"
OFF = ("off", "none")
RATE = 16_000
WINDOW_S = 8


def model_folders(setting: str = "") -> list[Path]:
    folders = [Path(setting).expanduser()] if setting else []
    folders.append(Path.cwd() / "models" / "smart-turn")
    folders.append(Path(sys.prefix) / "share" / "interviewsense" / "smart-turn")
    return folders


def find_turn_model(setting: str = "") -> Path | None:
    """The model file, or None (``setting`` "off" turns the model off)."""
    if setting.strip().lower() in OFF:
        return None
    if setting and Path(setting).expanduser().is_file():
        return Path(setting).expanduser()
    for folder in model_folders(setting):
        if (folder / MODEL_FILE).is_file():
            return folder / MODEL_FILE
    return None


class TurnModel:
    """Probability that the speech heard so far is a finished turn."""

    name = MODEL_NAME

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        self.path = path
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One thread: it runs beside the live recogniser on the same cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()
        self.calls = 0
        self.cpu_s = 0.0  # CPU time of the calling thread in predict, for the bench

    def predict(self, samples: npt.NDArray[np.float32]) -> float:
        """P(complete) for 16 kHz float samples; only the last 8 s count (zeros before)."""
        import numpy as np

        from interviewsense.audio.turn_features import log_mel

        n = RATE * WINDOW_S
        x = np.asarray(samples[-n:], dtype=np.float32)
        if x.size < n:
            x = np.pad(x, (n - x.size, 0))
        started = time.thread_time()
        features = np.expand_dims(log_mel(x), axis=0)
        with self._lock:
            out = self._session.run(None, {"input_features": features})
        self.calls += 1
        self.cpu_s += time.thread_time() - started
        return float(np.asarray(out[0]).reshape(-1)[0])


_LOAD_LOCK = threading.Lock()


@cache
def _load(path: Path) -> TurnModel:
    return TurnModel(path)


def load_turn_model(setting: str = "") -> TurnModel | None:
    """The model for a setting, loaded once per process; None when there is none or it does
    not load (end of answer then uses the VAD and a fixed silence)."""
    path = find_turn_model(setting)
    if path is None:
        return None
    with _LOAD_LOCK:
        try:
            return _load(path)
        except Exception:  # a broken or partial file: fall back, doctor says why
            return None
