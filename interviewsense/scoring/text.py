"""Text helpers the scorers share: word normalisation, sentences, key terms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewsense.domain import ESCAPES as ESCAPES
from interviewsense.domain import Transcript, Word
from interviewsense.domain import clean_text as clean_text

_EDGE = re.compile(r"^[^\w']+|[^\w'%$]+$", re.UNICODE)
CLOSERS = "\"')]\u201d\u2019"  # what may follow a sentence's full stop: a quote or bracket
SENTENCE_END = re.compile(rf"[.!?]+[{re.escape(CLOSERS)}]*$")
LIST_MARKER = re.compile(r"^\(?(\d{1,2})[.)]$")  # "1.", "2)", "(3)": an item's number
# A STAR part named as the answer tells it: "Situation: …" (a review: labelled answers were
# told they had no situation or task). The word alone names nothing ("Results matter more to
# me than process"), so it is read on the raw text, with its colon; a label with a capital
# ("Task:", "TASK:", "**Task:**") opens a sentence even where the line before it has no full
# stop ("… ship on time Action: …"), unless it runs on from a name ("the Jira Task:") or is
# no label ("That was the task: one plan").
STAR_LABEL = re.compile(  # a sentence's text, after a list item's number ("2. Task: …")
    r"^\W*(?:\d{1,2}[.)]\s+\W*)?(situation|task|action|result)s?:", re.IGNORECASE
)
LABEL_WORD = re.compile(r"^\W*(?:Situation|Task|Action|Result)s?:\W*$", re.IGNORECASE)


def _opens_label(toks: list[Tok], k: int) -> bool:
    """Whether word ``k`` is a STAR label that opens a sentence."""
    raw = toks[k].raw
    word = raw.lstrip("*_#>([")
    before = toks[k - 1].raw if k else ""
    runs_on = before[:1].isupper() and not SENTENCE_END.search(before)  # "Jira Task:"
    return bool(LABEL_WORD.match(raw)) and word[:1].isupper() and not runs_on


def list_markers(toks: list[Tok]) -> set[int]:
    """The tokens that number a list's items: "1." then "2." (and on) in order, a run of two
    or more; never one number alone ("Team size: 12." is a size, a review found it taken
    for an item's number)."""
    found: set[int] = set()
    run: list[int] = []
    for k, t in enumerate(toks):
        m = LIST_MARKER.match(t.raw.strip())
        if m is None:
            continue
        n = int(m.group(1))
        if n == 1:
            if len(run) >= 2:
                found.update(run)
            run = [k]
        elif run and n == len(run) + 1:
            run.append(k)
    if len(run) >= 2:
        found.update(run)
    return found


_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Tok:
    """A word of the answer: its normal form, the text as recognised, its times."""

    norm: str
    raw: str
    index: int
    start: float | None
    end: float | None

    @property
    def comma_after(self) -> bool:
        return self.raw.rstrip().endswith((",", ";", ":", "—", "-", "…", "..."))


# Contractions typed without their apostrophe ("dont", "im", "didnt"), read as the contraction
# so that cues and the 'I' count hear them (a review: "im" was no 'I'). Only those that are no
# other word: "its", "were", "well", "ill", "id", "lets", "wed", "hell", "shell", "wont" and
# "cant" stay as typed, and so does "IM" in capitals (instant messaging).
_APOSTROPHE_LESS = {
    c.replace("'", ""): c
    for c in """i'm i've don't doesn't didn't isn't aren't wasn't weren't haven't hasn't
    hadn't wouldn't couldn't shouldn't mustn't needn't you're you've you'd you'll
    they're they've they'd they'll we've he's she's that's what's there's here's who's
    that'll it'll would've could've should've ain't""".split()
}


def norm(token: str) -> str:
    """Lower case, curly quotes straightened, punctuation at the edges removed; a lone
    "%" (Whisper writes "40 %" as two words) reads as "percent", and a contraction typed
    without its apostrophe as the contraction."""
    t = token.replace("\u2019", "'").replace("\u2018", "'").lower()
    if t.strip(".,;:!?") == "%":
        return "percent"
    t = _EDGE.sub("", t).strip("'")
    return t if t == "im" and token.isupper() else _APOSTROPHE_LESS.get(t, t)


def words_from_text(text: str) -> list[Word]:
    """Untimed words for a typed or manifest transcript (times are 0 and unused)."""
    return [Word(w=m.group(0), start=0.0, end=0.0, p=1.0) for m in _TOKEN.finditer(text)]


MAX_TYPED_CHARS = 20_000  # a typed answer or transcript: about 3,000 words, 20 minutes spoken


def has_words(text: str) -> bool:
    """Whether a typed or sent answer says anything: a letter or digit once ``clean_text``
    has dropped control and invisible characters ("\u200b", "\x1b[2J", "..." say nothing)."""
    return any(ch.isalnum() for ch in clean_text(text))


def clip(text: str, limit: int = 90) -> str:
    """A quote cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tokens(transcript: Transcript) -> list[Tok]:
    words = transcript.words or words_from_text(transcript.text)
    timed = transcript.timed
    out: list[Tok] = []
    for i, w in enumerate(words):
        n = norm(w.w)
        if n:
            out.append(Tok(n, w.w, i, w.start if timed else None, w.end if timed else None))
    return out


@dataclass(frozen=True)
class Sentence:
    text: str
    norm: str  # the words' normal forms, space-separated: what cues are matched against
    start: float | None
    first: int  # index into the token list
    last: int


# Words in a spoken sentence, about: what counts as a sentence in an unpunctuated transcript
# when a rate is per sentence (its pieces for quoting run up to ``RUN_ON_WORDS``).
SPOKEN_SENTENCE_WORDS = 15
RUN_ON_WORDS = 30  # an unpunctuated transcript is cut in pieces this long, for quoting


def punctuated(toks: list[Tok]) -> bool:
    """Whether the text marks its sentences (typed, or Whisper), unlike a live transcript."""
    return any(SENTENCE_END.search(t.raw) for t in toks)


def sentence_count(toks: list[Tok], sents: list[Sentence]) -> float:
    """How many sentences a rate per sentence counts: in an unpunctuated transcript, or one
    whose sentences run over 30 words on average (one full stop at the end), at least one
    per ``SPOKEN_SENTENCE_WORDS`` (a review: 30-word pieces made 4 hedges in 88 words
    "hedges every sentence", and the same words punctuated had neither cap)."""
    if punctuated(toks) and len(toks) <= RUN_ON_WORDS * len(sents):
        return float(len(sents))
    return max(float(len(sents)), len(toks) / SPOKEN_SENTENCE_WORDS)


def sentences(
    toks: list[Tok], *, max_words: int = RUN_ON_WORDS, gap_s: float = 0.7
) -> list[Sentence]:
    """Split at sentence punctuation; unpunctuated live text splits at pauses or every
    ``max_words`` words, so evidence can still be quoted."""
    out: list[Sentence] = []
    start = 0
    marked = punctuated(toks)
    markers = list_markers(toks)  # "2." numbers an item; it ends no sentence
    for i, t in enumerate(toks):
        # "2." opening a sentence numbers a list: the item is the sentence (a review: "2." was
        # quoted as an answer's strongest sentence).
        end_here = bool(SENTENCE_END.search(t.raw)) and i not in markers
        if i not in markers and i + 1 < len(toks) and _opens_label(toks, i + 1):
            end_here = True  # "… ship on time Action: I cut scope", not "1." of "1. Task:"
        if not marked and i + 1 < len(toks):
            nxt = toks[i + 1]
            if t.end is not None and nxt.start is not None and nxt.start - t.end >= gap_s:
                end_here = True
        if i - start + 1 >= max_words and not marked:
            end_here = True
        if end_here or i == len(toks) - 1:
            part = toks[start : i + 1]
            out.append(
                Sentence(
                    " ".join(p.raw for p in part),
                    " ".join(p.norm for p in part),
                    part[0].start,
                    start,
                    i,
                )
            )
            start = i + 1
    return out


STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    tell time describe give example share walk talk explain please can could would us let's
    one ever something someone anything thing things way ways get got make made like also
    really well yes okay think know want go going say said situation""".split()
)


def stem(word: str) -> str:
    """A light suffix stripper: enough to match "deadline" with "deadlines"."""
    w = word.lower()
    for suffix in ("ingly", "edly", "ing", "ies", "ied", "ed", "es", "ly", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            base = w[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return w


def key_terms(text: str) -> list[str]:
    """Content words of a question, as written, one per stem, in order of appearance."""
    seen: dict[str, str] = {}
    for m in _TOKEN.finditer(text):
        n = norm(m.group(0))
        if len(n) < 3 or n in STOPWORDS or not n.replace("-", "").isalpha():
            continue
        seen.setdefault(stem(n), n)
    return list(seen.values())


# Words an answer may use for a question's key term. Keys are stems (see ``stem``).
_SYNONYM_GROUPS = (
    "conflict disagree disagreement argument argue tension clash friction dispute",
    "teammate colleague coworker peer team partner",
    "deadline date due schedule launch urgent time pressure rush",
    "fail failure mistake error wrong setback problem",
    "feedback criticism review critique comment",
    "lead led leader manage managed own owned ownership responsible charge",
    "project initiative program launch product feature",
    "customer client user stakeholder",
    "improve improved better faster optimize optimise speed",
    "process workflow pipeline procedure routine",
    "learn learned lesson realize realise",
    "prioritize prioritise priority important urgent first",
    "data metric metrics number numbers measure measured analysis dashboard",
    "decide decision chose choose choice",
    "convince persuade influence buy-in agree",
    "manager boss lead supervisor",
    "deliver delivered ship shipped launch released finish finished",
    "mentor coach teach taught helped grow",
    "risk bet gamble uncertain",
    "ambiguity unclear ambiguous vague uncertain",
)
SYNONYMS: dict[str, tuple[str, ...]] = {}
for _group in _SYNONYM_GROUPS:
    _words = _group.split()
    for _w in _words:
        SYNONYMS.setdefault(stem(_w), tuple(x for x in _words if x != _w))


def plural(count: int, noun: str) -> str:
    """'1 filler', '3 fillers': evidence reads as a sentence."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
