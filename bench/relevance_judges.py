"""Which offline model tells an answer about something else from an answer in other words?

Scratch measurement for issue 14 (docs/scoring.md, "What was tried for relevance"). Runs on
the ``dev`` and ``test`` splits only (never a held-out split):

    python bench/relevance_judges.py minilm
    python bench/relevance_judges.py upr:/path/model.gguf yesno:/path/model.gguf

Items, per split:
- ``real``: every answer with its own question; the off-topic anecdotes are the positives
  of "off topic", every other answer (weak ones too: they address the question, badly) the
  negatives.
- ``swap``: each better answer paired with up to ``SWAPS`` other questions of the same
  interview type (fluent, specific, about something else: the hard case) against the same
  answer with its own question.

Figures: AUC of the relevance score, on-topic over off-topic, for real off-topic answers, for
swaps, and for both pooled (one threshold for every question, as a cap needs); "own best" is
the share of better answers whose own question scores above every swapped one. Cost: ms per
answer (warm, mean) and the process's peak RSS.

Methods:
- ``minilm``: the shipped relevance (all-MiniLM-L6-v2 int8): cosine of the closest sentence;
  ``minilm-mean`` the whole answer's.
- ``upr:GGUF``: question likelihood given the answer (UPR, Sachan et al. 2022) with a small
  causal LM on llama.cpp, as pointwise mutual information: mean log p(question | answer)
  minus mean log p(question | no answer), per question token.
- ``yesno:GGUF``: an instruction model asked whether the answer addresses the question;
  the score is logit(Yes) - logit(No) of its first reply token.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interviewsense.scoring.evaluation import HELD_OUT, SPLITS, Case, load_cases  # noqa: E402

TUNED = tuple(s for s in SPLITS if s != HELD_OUT)  # never the held-out split
SWAPS = 4
OFF = "off-topic-anecdote"


def load(split: str) -> list[Case]:
    cases = load_cases(ROOT / "tests" / "data" / "eval" / f"{split}.toml")
    return [replace(c, text=" ".join(c.text.split())) for c in cases]


def items(cases: list[Case], swaps: int = SWAPS) -> list[tuple[str, str, str, str]]:
    """(set, question, answer, label) with label "on" or "off"."""
    out = [("real", c.question, c.text, "off" if c.kind == OFF else "on") for c in cases]
    questions: dict[str, list[str]] = {}
    for c in cases:
        qs = questions.setdefault(c.type, [])
        if c.question not in qs:
            qs.append(c.question)
    for c in cases:
        if not c.better:
            continue
        others = [q for q in questions[c.type] if q != c.question]
        for q in others[:swaps]:
            out.append(("swap", q, c.text, "off"))
    return out


def auc(on: list[float], off: list[float]) -> float:
    """P(on-topic scores above off-topic), ties count half."""
    if not on or not off:
        return float("nan")
    wins = sum((a > b) + 0.5 * (a == b) for a in on for b in off)
    return wins / (len(on) * len(off))


# ---------------------------------------------------------------- methods


def minilm(mean: bool = False) -> Callable[[str, str], float]:
    import numpy as np

    from interviewsense.domain import Transcript
    from interviewsense.scoring.semantic import load_embedder
    from interviewsense.scoring.text import sentences, tokens, words_from_text

    emb = load_embedder()
    assert emb is not None, "no embedding model installed"

    def score(question: str, answer: str) -> float:
        tr = Transcript(text=answer, engine="text", words=words_from_text(answer))
        sents = [s.text for s in sentences(tokens(tr))] or [answer]
        q = emb.embed([question])[0]
        vecs = emb.embed(sents)
        if mean:
            centre = vecs.mean(axis=0)
            return float(centre @ q / max(float(np.linalg.norm(centre)), 1e-12))
        return float((vecs @ q).max())

    return score


class LM:
    """A llama.cpp model with per-token log-probabilities of a continuation."""

    def __init__(self, path: str, n_ctx: int = 1536, logits_all: bool = True) -> None:
        from llama_cpp import Llama

        self.llm = Llama(
            model_path=path,
            n_ctx=n_ctx,
            n_threads=2,
            n_batch=512,
            logits_all=logits_all,
            verbose=False,
        )
        self.n_ctx = n_ctx

    def tok(self, text: str, bos: bool = False) -> list[int]:
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=bos, special=True))

    def logprobs(self, prefix: list[int], cont: list[int]) -> list[float]:
        import numpy as np

        room = self.n_ctx - len(cont) - 1
        if len(prefix) > room:  # keep the start (BOS, template) and the end of the answer
            prefix = prefix[:8] + prefix[len(prefix) - room + 8 :]
        self.llm.reset()
        self.llm.eval(prefix + cont)
        rows = np.asarray(self.llm.scores[len(prefix) - 1 : len(prefix) - 1 + len(cont)])
        rows = rows - rows.max(axis=1, keepdims=True)
        logz = np.log(np.exp(rows).sum(axis=1))
        return [float(rows[i, t] - logz[i]) for i, t in enumerate(cont)]

    def next_logits(self, prompt: list[int]) -> Any:
        room = self.n_ctx - 1
        if len(prompt) > room:
            prompt = prompt[:8] + prompt[len(prompt) - room + 8 :]
        self.llm.reset()
        self.llm.eval(prompt)
        import numpy as np

        if self.llm._logits_all:
            return self.llm.scores[len(prompt) - 1]
        ptr = self.llm._ctx.get_logits()  # the last token's, without logits_all
        return np.ctypeslib.as_array(ptr, shape=(self.llm.n_vocab(),)).copy()


def upr(path: str) -> Callable[[str, str], float]:
    lm = LM(path)
    base: dict[str, float] = {}

    def mean_lp(answer: str, question: str) -> float:
        prefix = lm.tok(f"Interview answer: {answer}\n\nThe interviewer's question was:", bos=True)
        cont = lm.tok(f" {question}")
        lps = lm.logprobs(prefix, cont)
        return sum(lps) / len(lps)

    def score(question: str, answer: str) -> float:
        if question not in base:
            base[question] = mean_lp("(no answer given)", question)
        return mean_lp(answer, question) - base[question]

    return score


def yesno(path: str) -> Callable[[str, str], float]:
    lm = LM(path, logits_all=False)
    yes = lm.tok("Yes")[0]
    no = lm.tok("No")[0]
    meta = lm.llm.metadata.get("tokenizer.chat_template", "")
    chatml = "<|im_start|>" in meta
    gemma = "<start_of_turn>" in meta

    def score(question: str, answer: str) -> float:
        ask = (
            f"An interviewer asked: {question}\n\nThe candidate answered: {answer}\n\n"
            "Does the candidate's answer address what the interviewer asked, rather than "
            "talk about something else? Reply with Yes or No."
        )
        if chatml:
            text = f"<|im_start|>user\n{ask}<|im_end|>\n<|im_start|>assistant\n"
        elif gemma:
            text = f"<start_of_turn>user\n{ask}<end_of_turn>\n<start_of_turn>model\n"
        else:
            text = f"{ask}\nAnswer:"
        logits = lm.next_logits(lm.tok(text, bos=True))
        return float(logits[yes] - logits[no])

    return score


def method(spec: str) -> Callable[[str, str], float]:
    if spec == "minilm":
        return minilm()
    if spec == "minilm-mean":
        return minilm(mean=True)
    kind, _, path = spec.partition(":")
    return {"upr": upr, "yesno": yesno}[kind](path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("methods", nargs="+")
    ap.add_argument("--swaps", type=int, default=SWAPS, help="other questions per answer")
    ap.add_argument("--show", action="store_true", help="print each real item's score")
    args = ap.parse_args()
    print("method                     split  AUC real  AUC swap  AUC pooled  own best    ms")
    for spec in args.methods:
        t0 = time.perf_counter()
        score = method(spec)
        load_s = time.perf_counter() - t0
        for split in TUNED:
            cases = load(split)
            rows = items(cases, args.swaps)
            score(rows[0][1], rows[0][2])  # warm
            t0 = time.perf_counter()
            got = [(s, q, a, lab, score(q, a)) for s, q, a, lab in rows]
            ms = 1000 * (time.perf_counter() - t0) / len(got)
            on = [x[4] for x in got if x[0] == "real" and x[3] == "on"]
            real_off = [x[4] for x in got if x[0] == "real" and x[3] == "off"]
            swap_off = [x[4] for x in got if x[0] == "swap"]
            own = {(q, a): v for s, q, a, lab, v in got if s == "real"}
            better = [c for c in cases if c.better]
            best = sum(
                all(
                    own[(c.question, c.text)] > v
                    for s, q, a, lab, v in got
                    if s == "swap" and a == c.text
                )
                for c in better
            )
            on_better = [own[(c.question, c.text)] for c in better]
            print(
                f"{spec[-26:]:<26} {split:<6} {auc(on, real_off):>8.2f}  "
                f"{auc(on_better, swap_off):>8.2f}  {auc(on, real_off + swap_off):>10.2f}  "
                f"{best:>3}/{len(better):<4} {ms:>5.0f}"
            )
            if args.show:
                for c in cases:
                    v = own[(c.question, c.text)]
                    print(f"    {c.id:<28} {c.kind:<30} {v:7.3f}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'':26} load {load_s:.1f} s, peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
