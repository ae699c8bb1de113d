"""Train the coach model (interviewsense/scoring/coach.py) on the tuned evaluation splits.

    python scripts/train_coach.py            # writes interviewsense/scoring/coach_model.json
    python scripts/train_coach.py --check    # trains, and says whether the file matches

Only the splits the scorer is tuned on are used: every split in ``SPLITS`` but ``HELD_OUT``,
and never ``UNREAD``. Each answer goes through the scorer's own text pipeline (its words
without fillers, split into sentences, embedded) so the model sees what it will see when
scoring. Training is deterministic (full-batch gradient descent from zeros).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewsense.scoring.coach import (  # noqa: E402
    GOOD_BANDS,
    MODEL_FILE,
    features,
    fit,
    split_digest,
)
from interviewsense.scoring.evaluation import (  # noqa: E402
    HELD_OUT,
    SPLITS,
    UNREAD,
    Case,
    load_cases,
)

EVAL = ROOT / "tests" / "data" / "eval"
VERSION = "2026.12.2"
LOGIT_TOLERANCE = 0.05


def training_splits() -> list[str]:
    return [s for s in SPLITS if s != HELD_OUT and s not in UNREAD]


def case_rows(cases: list[Case]) -> list[tuple[object, object, bool]]:
    """(centre, extra, is good) per case, through the scorer's own text pipeline."""
    from interviewsense.domain import Transcript
    from interviewsense.scoring.delivery import without_fillers
    from interviewsense.scoring.semantic import load_embedder
    from interviewsense.scoring.text import sentences, tokens, words_from_text

    embedder = load_embedder()
    if embedder is None:
        raise SystemExit("the embedding model is not installed (make install)")
    rows: list[tuple[object, object, bool]] = []
    for case in cases:
        text = " ".join(case.text.split())
        toks = tokens(Transcript(text=text, engine="text", words=words_from_text(text)))
        sents = sentences(without_fillers(toks))
        q = embedder.embed([case.question])[0]
        centre, extra = features(embedder.embed([s.text for s in sents]), q)
        rows.append((centre, extra, case.band in GOOD_BANDS))
    return rows


def train(splits: list[str]) -> tuple[dict[str, object], list[tuple[object, object, bool]]]:
    """The model file's content, and the rows it learned from."""
    from interviewsense.scoring.semantic import MODEL_NAME, load_embedder

    embedder = load_embedder()
    assert embedder is not None  # case_rows has said so already when it is missing
    cases = [c for s in splits for c in load_cases(EVAL / f"{s}.toml")]
    rows = case_rows(cases)
    centre, extra, bias = fit(rows)  # type: ignore[arg-type]
    return {
        "version": VERSION,
        "embedding_model": MODEL_NAME,
        "embedding_sha256": embedder.identity,
        "answers": len(cases),
        "splits": {s: split_digest(EVAL / f"{s}.toml") for s in splits},
        "bias": round(bias, 6),
        "extra": [round(float(v), 6) for v in extra],
        "centre": [round(float(v), 6) for v in centre],
    }, rows


def logits(model: dict[str, object], rows: list[tuple[object, object, bool]]) -> list[float]:
    import numpy as np

    w = np.array(model["centre"])
    e = np.array(model["extra"])
    b = float(model["bias"])  # type: ignore[arg-type]
    return [float(np.asarray(c) @ w + np.asarray(x) @ e + b) for c, x, _ in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = ap.parse_args()
    model, rows = train(training_splits())
    text = json.dumps(model, indent=1) + "\n"
    if args.check:
        # Compared by what it says about each answer it learned from, not weight by weight:
        # ONNX Runtime's int8 kernels differ a little between CPUs.
        shipped = json.loads(MODEL_FILE.read_text("utf-8"))
        gap = max(
            abs(a - b) for a, b in zip(logits(shipped, rows), logits(model, rows), strict=True)
        )
        same = shipped["splits"] == model["splits"] and gap < LOGIT_TOLERANCE
        print(f"largest difference in a logit: {gap:.4f} (tolerance {LOGIT_TOLERANCE})")
        print("the shipped model matches" if same else "the shipped model differs: retrain")
        raise SystemExit(0 if same else 1)
    MODEL_FILE.write_text(text, "utf-8")
    print(f"wrote {MODEL_FILE} ({model['answers']} answers from {', '.join(model['splits'])})")


if __name__ == "__main__":
    main()
