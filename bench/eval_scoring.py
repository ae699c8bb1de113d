"""The scoring eval: how often the scorer agrees with a coach, per split and per method.

    make eval                                    # every split, every method available
    python bench/eval_scoring.py dev --misses    # the dev split, with the pairs it gets wrong

Tune on ``dev`` and ``test``; report ``HELD_OUT``, and ``FOLLOW_UP_HELD_OUT`` for answers to
follow-up questions (each pooled, a row of its own when all its splits are asked for;
docs/scoring.md says why and gives the figures). The ``llm`` method runs when an LLM judge
is configured (the usual settings: INTERVIEWSENSE_LLM_BASE_URL and friends, ``llm_judge`` on).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewsense.scoring.evaluation import (  # noqa: E402
    FOLLOW_UP_HELD_OUT,
    FOLLOW_UP_SPLITS,
    HELD_OUT,
    SPLITS,
    Report,
    evaluate,
    load_cases,
    off_topic_swaps,
    text_scorer,
)

EVAL_DIR = ROOT / "tests" / "data" / "eval"


def methods() -> dict[str, dict[str, object]]:
    """lexical: the rules by key terms; embedding: the rules by meaning; coach-alone: those and
    the coach model; coach: and the answer reader (the scorer as shipped); llm: with an LLM
    judge as well."""
    from interviewsense.config import load_settings
    from interviewsense.scoring.coach import load_coach
    from interviewsense.scoring.judge import judge_for
    from interviewsense.scoring.rubric import load_rubric
    from interviewsense.scoring.semantic import load_embedder

    settings = load_settings()
    out: dict[str, dict[str, object]] = {"lexical": {"embedder": None, "coach": None}}
    embedder = load_embedder(settings.embedding_model)
    if embedder is not None:
        out["embedding"] = {"embedder": embedder, "coach": None}
        alone = load_rubric().with_content(impression_reader_weight=0.0)
        out["coach-alone"] = {"embedder": embedder, "coach": load_coach(), "rubric": alone}
        out["coach"] = {"embedder": embedder, "coach": load_coach()}
    judge = judge_for(settings)
    if judge is not None:
        out["llm"] = {"embedder": embedder, "judge": judge}
    return out


def fold_models(splits: list[str]) -> dict[str, object]:
    """For each tuned split among ``splits``, a coach model trained on the other tuned
    splits: the shipped model learned from every tuned split, so on those its figures are
    in-sample; these are not. Held-out splits keep the shipped model."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_coach

    from interviewsense.scoring.coach import fit

    tuned = train_coach.training_splits()
    rows = {s: train_coach.case_rows(load_cases(EVAL_DIR / f"{s}.toml")) for s in tuned}
    out: dict[str, object] = {}
    for split in (s for s in splits if s in tuned):
        others = [r for s in tuned if s != split for r in rows[s]]
        out[split] = train_coach.model_of(fit(others), len(others), {}, f"without-{split}")
    return out


def row(r: Report) -> str:
    return (
        f"{r.split:<7} {r.method:<10} {r.n:>3}  {r.pairwise:>8.0%}  {r.strong_good_at_70:>10.0%}"
        f"  {r.weak_under_60:>9.0%}  {r.band_agreement:>6.0%}  {r.spearman:>5.2f}"
    )


def swaps_table(splits: list[str]) -> None:
    """The off-topic cap on each answer with its own question, and given to the split's other
    questions (docs/scoring.md)."""
    from interviewsense.config import load_settings
    from interviewsense.scoring.rubric import load_rubric
    from interviewsense.scoring.semantic import load_embedder

    embedder = load_embedder(load_settings().embedding_model)
    if embedder is None:
        print("\noff topic: no embedding model, so no table (the lexical rule has no similarity)")
        return
    rubric = load_rubric()
    line = rubric.num("content", "off_topic_similarity")
    print(f"\noff topic (closest sentence under {line:.2f}): answers with their own question,")
    print("and given to the split's questions of another type / of their own type")
    print("split      own  strong/good   another type  own type")
    for split in splits:
        s = off_topic_swaps(load_cases(EVAL_DIR / f"{split}.toml"), embedder, rubric, split=split)
        if s.answers:
            print(
                f"{split:<9} {len(s.own_flagged):>2}/{s.answers:<3} {len(s.top_flagged):>6}"
                f"       {s.caught:>8.0%}  {s.same_type_caught:>8.0%}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("splits", nargs="*", default=[*SPLITS, *FOLLOW_UP_SPLITS])
    ap.add_argument("--misses", action="store_true", help="list each answer's score and misses")
    ap.add_argument(
        "--cross-split",
        action="store_true",
        help="on a tuned split, score with a coach model trained without it (slower; the "
        "answer reader stays the shipped one, which learned from every tuned split)",
    )
    ap.add_argument(
        "--no-swaps",
        action="store_true",
        help="skip the off-topic table (each answer given to its split's other questions)",
    )
    args = ap.parse_args()
    folds = fold_models(args.splits) if args.cross_split else {}
    print("split   method       n  pairwise  strong/good  weak<60  bands    rho")
    print("                          (>=10)     >=70")
    reports = []
    for split in args.splits:
        cases = load_cases(EVAL_DIR / f"{split}.toml")
        for name, options in methods().items():
            if name == "coach" and split in folds:
                options = {**options, "coach": folds[split]}
                name = "coach-cv"
            r = evaluate(cases, text_scorer(**options), split=split, method=name)
            reports.append((r, cases))
            print(row(r))
    for held in (HELD_OUT, FOLLOW_UP_HELD_OUT):
        if set(held) <= set(args.splits):
            # The held-out splits are judged as one pool (the figures of their floor).
            pooled = [c for s in held for c in load_cases(EVAL_DIR / f"{s}.toml")]
            name = "+".join(held)
            for method, options in methods().items():
                print(row(evaluate(pooled, text_scorer(**options), split=name, method=method)))
    if not args.no_swaps:
        swaps_table(args.splits)
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
