"""Train the coach model (interviewsense/scoring/coach.py) on the tuned evaluation splits.

    python scripts/train_coach.py            # writes interviewsense/scoring/coach_model.json
    python scripts/train_coach.py --check    # trains, and says whether the file matches

Only the splits the scorer is tuned on are used: every split in ``SPLITS`` but ``HELD_OUT``,
and never ``UNREAD``. Each answer goes through the scorer's own pipeline (its words without
fillers, split into sentences, embedded, and the rules' parts) so the model sees what it will
see when scoring. Training is deterministic (full-batch gradient descent from zeros).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewsense.scoring.coach import (  # noqa: E402
    MODEL_FILE,
    RULE_PARTS,
    CoachModel,
    Head,
    Row,
    features,
    fit,
    rule_features,
    split_digest,
)
from interviewsense.scoring.evaluation import (  # noqa: E402
    HELD_OUT,
    SPLITS,
    UNREAD,
    Case,
    load_cases,
)
from interviewsense.scoring.rubric import load_rubric  # noqa: E402

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewsense.scoring.semantic import Embedder

EVAL = ROOT / "tests" / "data" / "eval"
VERSION = load_rubric().version  # the model goes with the rubric it was made for
LOGIT_TOLERANCE = 0.05


def training_splits() -> list[str]:
    return [s for s in SPLITS if s not in HELD_OUT and s not in UNREAD]


def case_rows(cases: list[Case]) -> list[Row]:
    """(centre, extra, rules, band) per case, in order, read by one process per core."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    cores = len(os.sched_getaffinity(0))  # the ones this process may use, not the host's
    workers = max(1, min(cores, 4, len(cases) // 50))
    if workers == 1:
        return _rows(cases)
    size = -(-len(cases) // workers)
    with ProcessPoolExecutor(workers) as pool:
        parts = pool.map(_rows, [cases[i : i + size] for i in range(0, len(cases), size)])
        return [row for part in parts for row in part]


def _rows(cases: list[Case]) -> list[Row]:
    """Each case through the scorer's own pipeline: the answer is scored without the model
    (its words without fillers, split into sentences, embedded, and the rules' parts), so
    the model sees what it will see when scoring."""
    from interviewsense.domain import Question
    from interviewsense.scoring.engine import score_answer
    from interviewsense.scoring.evaluation import case_sentences, typed_case
    from interviewsense.scoring.semantic import load_embedder

    embedder = load_embedder()
    if embedder is None:
        raise SystemExit("the embedding model is not installed (make install)")
    _remember(embedder)
    rows: list[Row] = []
    for case in cases:
        transcript = typed_case(case)
        sents = case_sentences(case)
        q = embedder.embed([case.question])[0]
        centre, extra = features(embedder.embed([s.text for s in sents]), q)
        score, _ = score_answer(
            transcript, Question(text=case.question, type=case.type), embedder=embedder,
            coach=None,
        )  # fmt: skip
        rules = rule_features(score.content.breakdown)
        rows.append((centre, extra, rules, case.band))
    return rows


def _remember(embedder: Embedder) -> None:
    """The scorer embeds the same sentences (and question) the rows just did, in the same
    batches: remember each batch's vectors, which halves the training's time."""
    plain = embedder.embed
    seen: dict[tuple[str, ...], npt.NDArray[np.float32]] = {}

    def embed(texts: list[str]) -> npt.NDArray[np.float32]:
        key = tuple(texts)
        if key not in seen:
            seen[key] = plain(texts)
        return seen[key].copy()

    embedder.embed = embed  # type: ignore[method-assign]


def model_of(
    heads: tuple[Head, ...], answers: int, splits: dict[str, str], version: str = VERSION
) -> CoachModel:
    from interviewsense.scoring.semantic import MODEL_NAME, load_embedder

    embedder = load_embedder()
    assert embedder is not None  # case_rows has said so already when it is missing
    return CoachModel(
        version=version, embedding_model=MODEL_NAME, embedding_sha256=embedder.identity,
        heads=heads, answers=answers, splits=splits,
    )  # fmt: skip


def to_json(model: CoachModel) -> dict[str, object]:
    def nums(v: object) -> list[float]:
        return [round(float(x), 6) for x in v]  # type: ignore[attr-defined]

    return {
        "version": model.version,
        "embedding_model": model.embedding_model,
        "embedding_sha256": model.embedding_sha256,
        "answers": model.answers,
        "splits": model.splits,
        "rule_parts": list(RULE_PARTS),
        "heads": [
            {
                "level": h.level,
                "bias": round(h.bias, 6),
                "rules": nums(h.rules),
                "extra": nums(h.extra),
                "centre": nums(h.centre),
            }  # fmt: skip
            for h in model.heads
        ],
    }


def train(splits: list[str]) -> tuple[CoachModel, list[Row]]:
    """The model, and the rows it learned from."""
    cases = [c for s in splits for c in load_cases(EVAL / f"{s}.toml")]
    rows = case_rows(cases)
    digests = {s: split_digest(EVAL / f"{s}.toml") for s in splits}
    return model_of(fit(rows), len(cases), digests), rows


def logits(model: CoachModel, rows: list[Row]) -> list[float]:
    return [h.logit(c, e, r) for c, e, r, _ in rows for h in model.heads]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = ap.parse_args()
    model, rows = train(training_splits())
    if args.check:
        # Compared by what it says about each answer it learned from, not weight by weight:
        # ONNX Runtime's int8 kernels differ a little between CPUs.
        from interviewsense.scoring.coach import load_coach

        shipped = load_coach()
        if shipped is None:
            print(f"{MODEL_FILE} is missing or unreadable: retrain")
            raise SystemExit(1)
        gap = max(
            abs(a - b) for a, b in zip(logits(shipped, rows), logits(model, rows), strict=True)
        )
        same = shipped.splits == model.splits and gap < LOGIT_TOLERANCE
        print(f"largest difference in a logit: {gap:.4f} (tolerance {LOGIT_TOLERANCE})")
        print("the shipped model matches" if same else "the shipped model differs: retrain")
        raise SystemExit(0 if same else 1)
    MODEL_FILE.write_text(json.dumps(to_json(model), indent=1) + "\n", "utf-8")
    print(f"wrote {MODEL_FILE} ({model.answers} answers from {', '.join(model.splits)})")


if __name__ == "__main__":
    main()
