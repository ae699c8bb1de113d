"""Check a split written blind before it is committed (docs/eval-brief.md).

    python scripts/check_split.py /path/to/train27.toml [...]

Prints its band and type counts, its close pairs (adjacent bands) and answer lengths, checks
that every pair is two answers to one question with the better one in the higher band, and
names any question worded like one already in ``tests/data/eval/`` (word overlap of 0.4 or
more), for the docs table to say so. It reads the split's labels only: no scorer runs.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewsense.scoring.coach import BANDS  # noqa: E402  (needs work … strong)
from interviewsense.scoring.evaluation import Case, load_cases  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval"
SIMILAR = 0.4  # word overlap (Jaccard) from which a question is named as worded like another
STOP = set(
    "the a an to of and you your how what in on for did do that at with it is was i me about "
    "tell time would when".split()
)


def content_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower())) - STOP


def problems(cases: list[Case]) -> tuple[list[str], int]:
    """What is wrong with the split's pairs, and how many pairs are close (adjacent bands)."""
    wrong: list[str] = []
    if len({c.id for c in cases}) != len(cases):
        wrong.append("an id is used twice")
    pairs: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        pairs[c.pair].append(c)
    close = 0
    for name, pair in pairs.items():
        if len(pair) != 2:
            wrong.append(f"{name}: {len(pair)} answers, not 2")
            continue
        a, b = pair
        if (a.question, a.type, a.follows) != (b.question, b.type, b.follows):
            wrong.append(f"{name}: the two answers answer different questions")
        if a.better == b.better:
            wrong.append(f"{name}: not exactly one answer is the better")
            continue
        hi, lo = (a, b) if a.better else (b, a)
        gap = BANDS.index(hi.band) - BANDS.index(lo.band)
        if gap < 1:
            wrong.append(f"{name}: the better answer is not in the higher band")
        close += gap == 1
    return wrong, close


def main(paths: list[str]) -> int:
    known = [
        (f.stem, q)
        for f in sorted(EVAL.glob("*.toml"))
        for c in load_cases(f)
        for q in {c.question, c.follows} - {""}
    ]
    failed = False
    for arg in paths:
        path = Path(arg)
        cases = load_cases(path)
        wrong, close = problems(cases)
        lengths = sorted(len(c.text.split()) for c in cases)
        print(f"{path.name}: {len(cases)} answers, {close} close pairs")
        print("  bands:", dict(Counter(c.band for c in cases)))
        print("  types:", dict(Counter(c.type for c in cases)))
        print(f"  words: {lengths[0]} to {lengths[-1]}, median {lengths[len(lengths) // 2]}")
        for line in wrong:
            print("  WRONG:", line)
        failed |= bool(wrong)
        for q in sorted({c.question for c in cases} | {c.follows for c in cases} - {""}):
            words = content_words(q)
            score, split, other = max(
                (len(words & content_words(o)) / max(1, len(words | content_words(o))), s, o)
                for s, o in known
                if s != path.stem
            )
            if score >= SIMILAR:
                print(f"  worded like {split} ({score:.2f}): {q!r}\n    ~ {other!r}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
