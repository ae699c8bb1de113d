"""How a coach rated answers that read like this one: a small model learned from coach bands.

The rules (structure, specificity, relevance …) hear an answer's form, each by a weight set
by hand. This hears the whole of it at once, and weighs the rules by what coaches did: three
logistic regressions, one for each step up the bands ("at least developing", "at least good",
"strong"), on the answer's sentence embeddings (their mean, from the same all-MiniLM-L6-v2
that judges relevance), on how close its sentences are to the question, and on the rules' own
fractions (structure, specificity …). They are trained on the
coach-banded answers of the tuned evaluation splits (``tests/data/eval/``, never ``HELD_OUT``
or ``UNREAD``). The "at least good" estimate is ``p``, how likely a coach is to band the answer
good or strong; the mean of the three is ``quality``, the expected band on a 0 to 1 scale
(needs work 0, developing ⅓, good ⅔, strong 1), which the content score counts.

Each regression is linear in the mean of the sentence vectors and in the sentences'
closeness to the question, so each sentence's share of the "at least good" verdict can be
read off (``shares``): the evidence is the sentence that reads most like a weak answer, and
the one that reads most like a strong one. The estimates are not calibrated probabilities:
on splits the model never saw, it was sure (under 0.1 or over 0.9) about most answers and
wrong about a few. ``scripts/train_coach.py`` writes ``coach_model.json``; the file records the
splits and their SHA-256 and the embedding model's, and tests check they are the tuned splits
as they are now and that the file is what the script makes. docs/scoring.md gives what it was
measured to do on splits it never saw.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewsense.scoring.cues import TOLD_DONE

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewsense.domain import Component
    from interviewsense.scoring.text import Sentence

MODEL_FILE = Path(__file__).with_name("coach_model.json")
# The bands from the lowest; head k estimates "banded at least LEVELS[k + 1]".
BANDS = ("needs work", "developing", "good", "strong")
LEVELS = BANDS[1:]
WEAKEST_MIN_WORDS = 5  # a shorter sentence is never quoted as the weakest while another can be
P_LEVEL = "good"  # the head whose estimate is ``p``: good or strong
# The rule parts (scoring/content.py) whose fractions the model reads, in this order. Not the
# length: the coaches' strong answers in the splits run longer than their weak ones (their
# writers said so), and a model that learned it marked compact, complete answers down.
RULE_PARTS = ("structure", "specificity", "ownership", "relevance", "substance", "conciseness")
L2 = 0.03  # the weight penalty, chosen by cross-split accuracy (docs/scoring.md)
STEPS = 3000  # full-batch gradient steps: deterministic, and converged at this size
RATE = 0.5
DEAD_SD = 1e-4  # a feature whose spread over the training answers is under this is left out


@dataclass(frozen=True, eq=False)  # arrays: compared by identity
class Head:
    level: str  # estimates "banded at least this"
    centre: npt.NDArray[np.float64]  # weights on the mean sentence vector (unit length)
    extra: npt.NDArray[np.float64]  # weights on [centre·q, max sentence·q, mean sentence·q]
    rules: npt.NDArray[np.float64]  # weights on the RULE_PARTS fractions
    bias: float

    def logit(
        self,
        centre: npt.NDArray[np.float64],
        extra: npt.NDArray[np.float64],
        rules: npt.NDArray[np.float64],
    ) -> float:
        return float(centre @ self.centre + extra @ self.extra + rules @ self.rules + self.bias)


@dataclass(frozen=True, eq=False)
class CoachModel:
    version: str
    embedding_model: str
    embedding_sha256: str  # the model file whose vectors it learned from (Embedder.identity)
    heads: tuple[Head, ...]  # one per LEVELS, in that order
    answers: int
    splits: dict[str, str]  # split name -> SHA-256 of its file when trained

    def head(self, level: str = P_LEVEL) -> Head:
        return next(h for h in self.heads if h.level == level)


@dataclass(frozen=True)
class Rating:
    p: float  # estimate that a coach bands the answer good or strong
    quality: float  # the expected band, needs work 0 to strong 1 (the heads' mean)
    weakest: str  # the sentence that reads most like a weak answer
    strongest: str  # and the one that reads most like a strong one


def band_of(quality: float) -> str:
    """The band nearest an expected band (``Rating.quality``); the JSON keeps it
    (``content.impression.band``) so every report names the same one."""
    return BANDS[min(len(BANDS) - 1, max(0, round(quality * (len(BANDS) - 1))))]


def features(
    per_sentence: npt.NDArray[np.float32], q: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(the unit mean of the sentence vectors, [its cosine to the question, the closest
    sentence's, the sentences' mean])."""
    import numpy as np

    mean = per_sentence.astype(np.float64).mean(axis=0)
    centre = mean / max(float(np.linalg.norm(mean)), 1e-12)
    sims = per_sentence.astype(np.float64) @ q.astype(np.float64)
    return centre, np.array([float(centre @ q), float(sims.max()), float(sims.mean())])


def rule_features(parts: Sequence[Component]) -> npt.NDArray[np.float64]:
    """The fraction of its points each RULE_PARTS part gave (0 when absent)."""
    import numpy as np

    got = {p.name: (p.points / p.max_points if p.max_points else 0.0) for p in parts}
    return np.array([got.get(name, 0.0) for name in RULE_PARTS])


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


def rate(
    model: CoachModel,
    per_sentence: npt.NDArray[np.float32],
    q: npt.NDArray[np.float32],
    sents: list[Sentence],
    rules: npt.NDArray[np.float64],
) -> Rating:
    import numpy as np

    centre, extra = features(per_sentence, q)
    probs: dict[str, float] = {}
    below = 1.0
    for h in model.heads:  # the heads were fitted apart: a step up is never likelier
        below = probs[h.level] = min(below, _sigmoid(h.logit(centre, extra, rules)))
    part = shares(model, per_sentence, q)
    # Quoted as the weakest: a claim of some length, not what the speaker did, nor "Okay, so
    # leadership." (a review), while there is one.
    long = [k for k, s in enumerate(sents) if len(s.norm.split()) >= WEAKEST_MIN_WORDS]
    claims = [k for k in long if not TOLD_DONE.search(sents[k].norm)] or long or range(len(sents))
    return Rating(
        p=probs[P_LEVEL],
        quality=sum(probs.values()) / len(probs),
        weakest=sents[min(claims, key=lambda k: float(part[k]))].text,
        strongest=sents[int(np.argmax(part))].text,
    )


def shares(
    model: CoachModel, per_sentence: npt.NDArray[np.float32], q: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    """Each sentence's share of the "good or strong" logit, less the bias and the rules' part.
    With centre = Σ sᵢ / (n |mean|): centre·w and centre·q add sᵢ·(w + e₀q) / (n |mean|) each,
    the sentences' mean closeness adds e₂ (sᵢ·q) / n each, and the closest sentence's
    closeness, e₁ max(sᵢ·q), is that sentence's alone."""
    import numpy as np

    head = model.head()
    s = per_sentence.astype(np.float64)
    qv = q.astype(np.float64)
    n = len(s)
    norm = max(float(np.linalg.norm(s.mean(axis=0))), 1e-12)
    e0, e1, e2 = (float(v) for v in head.extra)
    sims = s @ qv
    out = s @ (head.centre + e0 * qv) / (n * norm) + e2 * sims / n
    out[int(np.argmax(sims))] += e1 * float(sims.max())
    return np.asarray(out, dtype=np.float64)


def split_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def load_coach(path: Path = MODEL_FILE) -> CoachModel | None:
    """The shipped model, or None when the file is missing or of an older form (the part is
    then left out)."""
    import numpy as np

    try:
        raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
        if tuple(raw["rule_parts"]) != RULE_PARTS:
            return None  # its rule weights are in another order or for other parts
        heads = tuple(
            Head(
                level=str(h["level"]),
                centre=np.array(h["centre"], dtype=np.float64),
                extra=np.array(h["extra"], dtype=np.float64),
                rules=np.array(h["rules"], dtype=np.float64),
                bias=float(h["bias"]),
            )
            for h in raw["heads"]
        )
        dims = {(len(h.centre), len(h.extra), len(h.rules)) for h in heads}
        if tuple(h.level for h in heads) != LEVELS or dims != {
            (len(heads[0].centre), 3, len(RULE_PARTS))
        }:
            return None  # another shape: its weights would be misread
        return CoachModel(
            version=str(raw["version"]),
            embedding_model=str(raw["embedding_model"]),
            embedding_sha256=str(raw["embedding_sha256"]),
            heads=heads,
            answers=int(raw["answers"]),
            splits={str(k): str(v) for k, v in raw["splits"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


Row = tuple["npt.NDArray[np.float64]", "npt.NDArray[np.float64]", "npt.NDArray[np.float64]", str]


def fit(rows: list[Row]) -> tuple[Head, ...]:
    """One head per LEVELS from (centre, extra, rules, band) rows."""
    import numpy as np

    x = np.array([np.concatenate([c, e, r]) for c, e, r, _ in rows])
    n_c, n_e = len(rows[0][0]), len(rows[0][1])
    heads = []
    # The rules' weights are kept at 0 or more: a better structure, more details … never
    # lower the estimate (unconstrained, collinearity with the vectors gave some a negative
    # weight, and adding fillers raised a score).
    monotone = np.zeros(x.shape[1], dtype=bool)
    monotone[n_c + n_e :] = True
    for level in LEVELS:
        y = np.array([BANDS.index(band) >= BANDS.index(level) for *_, band in rows], dtype=float)
        w, b = _logistic(x, y, monotone)
        heads.append(Head(level, w[:n_c], w[n_c : n_c + n_e], w[n_c + n_e :], b))
    return tuple(heads)


def _logistic(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], monotone: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.float64], float]:
    """Logistic regression on standardised features, by full-batch gradient descent with an
    L2 penalty, the ``monotone`` features' weights held at 0 or more (projected after each
    step); returns the weights on the raw features (the standardisation folded in)."""
    import numpy as np

    mu, sd = x.mean(axis=0), x.std(axis=0)
    # A dimension that barely varies (MiniLM has one) would get a huge weight from noise the
    # size of a CPU's rounding: it is left out (weight 0).
    live = sd > DEAD_SD
    z = np.where(live, (x - mu) / np.where(live, sd, 1.0), 0.0)
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= RATE * (z.T @ (p - y) / len(y) + L2 * w)
        w[monotone] = np.maximum(w[monotone], 0.0)
        b -= RATE * float((p - y).mean())
    raw_w = np.where(live, w / np.where(live, sd, 1.0), 0.0)
    return raw_w, b - float(mu @ raw_w)
