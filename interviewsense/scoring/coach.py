"""How a coach rated answers that read like this one: a small model learned from coach bands.

The rules (structure, specificity, relevance …) hear an answer's form. This hears the whole
of it at once: a logistic regression on the answer's sentence embeddings (their mean, from
the same all-MiniLM-L6-v2 that judges relevance) and on how close its sentences are to the
question, trained on the coach-banded answers of the tuned evaluation splits
(``tests/data/eval/``, never ``HELD_OUT`` or ``UNREAD``). Its output estimates how likely a
coach is to band the answer good or strong.

It is linear in the mean of the sentence vectors and in the sentences' closeness to the
question, so each sentence's share of the verdict can be read off (``shares``): the evidence
is the sentence that reads most like a weak answer, and the one that reads most like a
strong one. Its output is the model's estimate, not a calibrated probability: on splits it
never saw, it was sure (under 0.1 or over 0.9) about most answers and wrong about a few.
``scripts/train_coach.py`` writes ``coach_model.json``; the file records the splits and their
SHA-256 and the embedding model's, and tests check they are the tuned splits as they are now
and that the file is what the script makes. docs/scoring.md gives what it was measured to do
on splits it never saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from interviewsense.scoring.text import Sentence

MODEL_FILE = Path(__file__).with_name("coach_model.json")
GOOD_BANDS = ("strong", "good")  # the positive class: what a coach calls good or better
L2 = 0.01  # the weight penalty, chosen by cross-split accuracy (docs/scoring.md)
STEPS = 3000  # full-batch gradient steps: deterministic, and converged at this size
RATE = 0.5
DEAD_SD = 1e-4  # a feature whose spread over the training answers is under this is left out


@dataclass(frozen=True)
class CoachModel:
    version: str
    embedding_model: str
    embedding_sha256: str  # the model file whose vectors it learned from (Embedder.identity)
    centre: npt.NDArray[np.float64]  # weights on the mean sentence vector (unit length)
    extra: npt.NDArray[np.float64]  # weights on [centre·q, max sentence·q, mean sentence·q]
    bias: float
    answers: int
    splits: dict[str, str]  # split name -> SHA-256 of its file when trained


@dataclass(frozen=True)
class Rating:
    p: float  # probability a coach bands the answer good or strong
    weakest: str  # the sentence that reads most like a weak answer
    strongest: str  # and the one that reads most like a strong one


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


def rate(
    model: CoachModel,
    per_sentence: npt.NDArray[np.float32],
    q: npt.NDArray[np.float32],
    sents: list[Sentence],
) -> Rating:
    import numpy as np

    centre, extra = features(per_sentence, q)
    logit = float(centre @ model.centre + extra @ model.extra + model.bias)
    p = 1.0 / (1.0 + float(np.exp(-logit)))
    part = shares(model, per_sentence, q)
    return Rating(
        p=p, weakest=sents[int(np.argmin(part))].text, strongest=sents[int(np.argmax(part))].text
    )


def shares(
    model: CoachModel, per_sentence: npt.NDArray[np.float32], q: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    """Each sentence's share of the logit (less the bias). With centre = Σ sᵢ / (n |mean|):
    centre·w and centre·q add sᵢ·(w + e₀q) / (n |mean|) each, the sentences' mean closeness
    adds e₂ (sᵢ·q) / n each, and the closest sentence's closeness, e₁ max(sᵢ·q), is that
    sentence's alone."""
    import numpy as np

    s = per_sentence.astype(np.float64)
    qv = q.astype(np.float64)
    n = len(s)
    norm = max(float(np.linalg.norm(s.mean(axis=0))), 1e-12)
    e0, e1, e2 = (float(v) for v in model.extra)
    sims = s @ qv
    out = s @ (model.centre + e0 * qv) / (n * norm) + e2 * sims / n
    out[int(np.argmax(sims))] += e1 * float(sims.max())
    return np.asarray(out, dtype=np.float64)


def split_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def load_coach(path: Path = MODEL_FILE) -> CoachModel | None:
    """The shipped model, or None when the file is missing (the part is then left out)."""
    import numpy as np

    try:
        raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return CoachModel(
        version=str(raw["version"]),
        embedding_model=str(raw["embedding_model"]),
        embedding_sha256=str(raw["embedding_sha256"]),
        centre=np.array(raw["centre"], dtype=np.float64),
        extra=np.array(raw["extra"], dtype=np.float64),
        bias=float(raw["bias"]),
        answers=int(raw["answers"]),
        splits={str(k): str(v) for k, v in raw["splits"].items()},
    )


def fit(
    rows: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], bool]],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """Logistic regression on standardised features, by full-batch gradient descent with an
    L2 penalty; returns the weights on the raw features (the standardisation folded in)."""
    import numpy as np

    x = np.array([np.concatenate([c, e]) for c, e, _ in rows])
    y = np.array([1.0 if good else 0.0 for _, _, good in rows])
    mu, sd = x.mean(axis=0), x.std(axis=0)
    # A dimension that barely varies (MiniLM has one) would get a huge weight from noise the
    # size of a CPU's rounding: it is left out (weight 0).
    live = sd > DEAD_SD
    z = np.where(live, (x - mu) / np.where(live, sd, 1.0), 0.0)
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        w -= RATE * (z.T @ (p - y) / len(y) + L2 * w)
        b -= RATE * float((p - y).mean())
    raw_w = np.where(live, w / np.where(live, sd, 1.0), 0.0)
    n = rows[0][0].shape[0]
    return raw_w[:n], raw_w[n:], b - float(mu @ raw_w)
