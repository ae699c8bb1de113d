"""The scoring eval: how often the scorer agrees with a coach, per split and per method.

    make eval                                    # both splits, every method available
    python bench/eval_scoring.py dev --misses    # the dev split, with the pairs it gets wrong

Tune on ``dev``; report ``test`` (docs/scoring.md says why and gives the figures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewsense.scoring.evaluation import Report, evaluate, load_cases, text_scorer  # noqa: E402

EVAL_DIR = ROOT / "tests" / "data" / "eval"


def methods() -> dict[str, dict[str, object]]:
    from interviewsense.scoring.semantic import load_embedder

    out: dict[str, dict[str, object]] = {"lexical": {"embedder": None}}
    embedder = load_embedder()
    if embedder is not None:
        out["embedding"] = {"embedder": embedder}
    return out


def row(r: Report) -> str:
    return (
        f"{r.split:<5} {r.method:<10} {r.n:>3}  {r.pairwise:>8.0%}  {r.strong_good_at_70:>10.0%}"
        f"  {r.weak_under_60:>9.0%}  {r.band_agreement:>6.0%}  {r.spearman:>5.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("splits", nargs="*", default=["dev", "test"])
    ap.add_argument("--misses", action="store_true", help="list each answer's score and misses")
    args = ap.parse_args()
    print("split method       n  pairwise  strong/good  weak<60  bands    rho")
    print("                        (>=10)     >=70")
    reports = []
    for split in args.splits:
        cases = load_cases(EVAL_DIR / f"{split}.toml")
        for name, options in methods().items():
            r = evaluate(cases, text_scorer(**options), split=split, method=name)
            reports.append((r, cases))
            print(row(r))
    if args.misses:
        for r, cases in reports:
            print(
                f"\n{r.split} / {r.method}: pairs under the margin: {', '.join(r.misses) or 'none'}"
            )
            for c in cases:
                flag = "" if (r.scores[c.id] >= 70) == (c.band in ("strong", "good")) else "  <-"
                print(f"  {c.id:<28} {c.band:<10} {r.scores[c.id]:>3}  {c.kind}{flag}")


if __name__ == "__main__":
    main()
