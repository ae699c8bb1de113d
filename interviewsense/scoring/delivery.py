"""Delivery from timed words: pace, fillers, long pauses, hedges and repetitions.

Pure functions of the transcript (and, when there is audio, the VAD's speech regions), so
the same input always gives the same numbers. Thresholds come from the rubric.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from itertools import pairwise

from interviewsense.audio.vad import Region
from interviewsense.domain import Component, CountStat, Delivery, Mark, PaceWindow, Pause
from interviewsense.scoring.cues import NUMBER_WORDS
from interviewsense.scoring.curves import allowance, falling, piecewise, scaled
from interviewsense.scoring.rubric import Rubric
from interviewsense.scoring.text import CLOSERS, Tok, plural

# Sounds that are always fillers.
FILLER_SOUNDS = frozenset("um umm ummm uh uhh uhhh uhm er erm ah ahh hmm hmmm mm mmm eh".split())
# Speech under a transcribed "um" for it to count (or half the word's length, if shorter).
HEARD_MIN_S = 0.08
# A pace needs this much speech: "In my last." in 0.42 s was 429 words a minute, a figure that
# then weighed on history's pace like any answer's (a review).
PACE_MIN_S = 3.0
# Words that are fillers whenever they occur ("weak words").
FILLER_WORDS = frozenset({"basically", "actually", "literally"})
# Multi-word fillers, with the words before or after that make them ordinary speech.
FILLER_PHRASES: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {
    ("you", "know"): (
        frozenset({"do", "did", "don't", "didn't", "if", "would", "could", "whether", "you'd"}),
        frozenset({"how", "where", "when", "why", "whether", "who", "if", "that", "the"}),
    ),
    ("i", "mean"): (frozenset(), frozenset({"to", "that", "it"})),
    ("sort", "of"): (
        frozenset(
            {
                "what",
                "which",
                "this",
                "that",
                "the",
                "a",
                "any",
                "some",
                "same",
                "no",
                "every",
                "different",
                "one",
                "these",
                "those",
                "each",
                "my",
                "our",
                "their",
                "his",
                "her",
                "its",
                "your",
                "right",
                "wrong",
                "new",
                "best",
                "worst",
                "that's",
            }
        ),
        frozenset(),
    ),
}
FILLER_PHRASES[("kind", "of")] = FILLER_PHRASES[("sort", "of")]
# "like" is a filler when set off by commas, at a sentence start, or after these words.
LIKE_FILLER_BEFORE = frozenset({"and", "but", "so", "or"})
# ... and after a comma when one of these follows it (a subject, a number, an intensifier).
LIKE_FILLER_AFTER_COMMA = (
    frozenset(
        {"i", "we", "you", "he", "she", "they", "it", "i'm", "we're", "it's", "there",
         "really", "very", "super", "totally", "so", "one"}
    )
    | NUMBER_WORDS
)  # fmt: skip

HEDGES: tuple[tuple[str, ...], ...] = (
    ("i", "feel", "like"),
    ("i", "think"),
    ("i", "guess"),
    ("i", "suppose"),
    ("i", "believe"),
    ("maybe",),
    ("perhaps",),
    ("probably",),
    ("possibly",),
    ("just",),
    ("hopefully",),
)
HEDGE_NOT_BEFORE: dict[tuple[str, ...], frozenset[str]] = {
    ("i", "think"): frozenset({"about", "of"}),
    ("just",): frozenset({"as", "like", "in"}),  # "just as fast", "just in time"
}
# "not just a fix", "rather than just an objection" (a review) hedge nothing.
HEDGE_NOT_AFTER: dict[tuple[str, ...], frozenset[str]] = {
    ("just",): frozenset(
        {
            "not",
            "than",
            "isn't",
            "wasn't",
            "aren't",
            "weren't",
            "only",
            "didn't",
            "don't",
            "doesn't",
            "won't",
            "wouldn't",
            "can't",
            "couldn't",
            "never",
            "shouldn't",
            "haven't",
            "hasn't",
            "cannot",
            "mustn't",
        }
    )  # "I didn't just say no" (a review) is "not only"
}
LEGIT_DOUBLES = frozenset({"that", "had", "is", "do", "very", "bye", "no", "ha"})


@dataclass
class _Hit:
    text: str
    first: int  # token positions
    last: int


def _match_phrase(toks: list[Tok], i: int, phrase: tuple[str, ...]) -> bool:
    return len(toks) >= i + len(phrase) and all(
        toks[i + k].norm == phrase[k] for k in range(len(phrase))
    )


def find_fillers(toks: list[Tok]) -> list[_Hit]:
    """Filler sounds and words first; then "like" and the phrases, judged by their
    neighbours among the remaining words (so an inserted "um" never changes a verdict)."""
    hits = [
        _Hit(t.norm, i, i)
        for i, t in enumerate(toks)
        if t.norm in FILLER_SOUNDS or t.norm in FILLER_WORDS
    ]
    rest = [i for i, t in enumerate(toks) if t.norm not in FILLER_SOUNDS | FILLER_WORDS]
    sub = [toks[i] for i in rest]
    j = 0
    while j < len(sub):
        prev = sub[j - 1] if j else None
        matched = False
        for phrase, (not_before, not_after) in FILLER_PHRASES.items():
            if not _match_phrase(sub, j, phrase):
                continue
            end = j + len(phrase) - 1
            after = sub[end + 1].norm if end + 1 < len(sub) else ""
            set_off = sub[end].comma_after or (prev is not None and prev.comma_after)
            if (prev and prev.norm in not_before) or (after in not_after and not set_off):
                continue
            hits.append(_Hit(" ".join(phrase), rest[j], rest[end]))
            j = end + 1
            matched = True
            break
        if matched:
            continue
        if sub[j].norm == "like" and _like_is_filler(sub, j):
            hits.append(_Hit("like", rest[j], rest[j]))
        j += 1
    hits.sort(key=lambda h: h.first)
    return hits


def _like_is_filler(toks: list[Tok], i: int) -> bool:
    prev = toks[i - 1] if i else None
    if prev is None or prev.raw.rstrip().endswith((".", "?", "!")):
        return True
    if toks[i].comma_after and prev.comma_after:
        return True
    if prev.norm in LIKE_FILLER_BEFORE:
        return True
    # After a comma alone it is "such as" ("where staleness matters, like prices", a review)
    # unless a clause, a number or an intensifier follows: "Yeah, like we had no tests",
    # "it took, like two weeks", "slow, like really slow".
    nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
    return prev.comma_after and (nxt in LIKE_FILLER_AFTER_COMMA or nxt[:1].isdigit())


def without_fillers(toks: list[Tok], hits: list[_Hit] | None = None) -> list[Tok]:
    """The words of the answer that are not fillers. A filler that ended a sentence ("…
    senior role, you know. Maybe …") hands its full stop to the word before it, so the two
    sentences stay two (a review: they were quoted as one)."""
    hits = find_fillers(toks) if hits is None else hits
    in_filler = {k for h in hits for k in range(h.first, h.last + 1)}
    kept: list[Tok] = []
    for k, t in enumerate(toks):
        if k not in in_filler:
            kept.append(t)
            continue
        # One full stop (with a closing quote): not "...", which trails off mid-sentence
        # ("I was, um... going" is one sentence; a review found it split).
        end = re.search(rf"(?<![.…])[.!?][{re.escape(CLOSERS)}]*$", t.raw.rstrip())
        if end and kept and not _ends_sentence(kept[-1]):
            last = kept[-1]
            kept[-1] = replace(last, raw=last.raw.rstrip().rstrip(",;:—-") + end.group(0))
    return kept


# What an answer may open with that says nothing yet: an acknowledgement of the question
# ("Sure.", "Okay, so", "Good question."; "yeah" is never read, ``ASIDES``). The answer reader
# took "Sure, so" before a strong story for a weak answer (98 -> 63, a review), so content is
# read from the first word after them; delivery still hears them. Not "honestly" or "to be
# honest", which take a stance ("To be honest, the owners are impossible"): on the tuned
# splits they opened weak answers.
OPENERS: tuple[tuple[str, ...], ...] = (
    ("sure",), ("okay",), ("ok",), ("alright",), ("oh",), ("hi",), ("thanks",),
    ("thanks", "for", "asking"), ("that's", "a", "good", "question"),
    ("that's", "a", "great", "question"),
)  # fmt: skip
# ... but not before these: "Sure enough", "Thanks to the new pipeline", "Alright then"
# (the review of this change).
OPENER_NOT_BEFORE = {
    "sure": frozenset({"enough", "thing"}),
    "thanks": frozenset({"to"}),
    "alright": frozenset({"then"}),
}
# ... and these only when a comma or a full stop sets them off: "So far", "So I mapped",
# "Right now", "Well designed", "Absolutely nothing", "Of course the cache", "Yes and no", "Good
# question design" are content.
OPENERS_SET_OFF: tuple[tuple[str, ...], ...] = (
    ("so",), ("right",), ("well",), ("absolutely",), ("definitely",), ("certainly",),
    ("totally",), ("yes",), ("of", "course"), ("good", "question"), ("great", "question"),
)  # fmt: skip
_OPENER_PHRASES = sorted(OPENERS + OPENERS_SET_OFF, key=len, reverse=True)  # longest first


def without_opener(toks: list[Tok]) -> list[Tok]:
    """``toks`` from the first word after the acknowledgements they open with (``OPENERS``);
    all of them when nothing else was said ("Yes." is the answer)."""
    i = 0
    while i < len(toks):
        for phrase in _OPENER_PHRASES:
            if not _match_phrase(toks, i, phrase):
                continue
            last = toks[i + len(phrase) - 1]
            set_off = last.comma_after or _ends_sentence(last)
            if phrase in OPENERS_SET_OFF and not set_off:
                continue
            after = toks[i + len(phrase)].norm if i + len(phrase) < len(toks) else ""
            if not set_off and after in OPENER_NOT_BEFORE.get(" ".join(phrase), ()):
                continue
            i += len(phrase)
            break
        else:
            break
    return toks[i:] if i < len(toks) else toks


# Said anywhere, "yeah" tells the listener nothing, and the answer reader had learned it as a
# weak answer's mark: "So yeah, that was a big win for us." after a strong story took it from
# 98 to 42, a "Yeah," before its second sentence to 74 (session 50). Content never reads it.
ASIDES = frozenset({"yeah", "yep", "yup", "yea"})
# A last sentence of these words alone signs the answer off ("So yeah, that's pretty much it.",
# "So yes.", "Hope that helps."): it says nothing ("So yes." after a strong story took it to 78).
SIGN_OFF_WORDS = frozenset(
    """so yes yeah yep okay ok right anyway well and that's that it is was pretty much all about
    basically hope helps i guess think thanks thank you story""".split()
)


def without_asides(said: list[Tok]) -> list[Tok]:
    """The words of ``said`` (without fillers) a listener hears as the answer: not "yeah"
    (``ASIDES``), the acknowledgements it opens with (``without_opener``), or a sign-off
    sentence at its end (``SIGN_OFF_WORDS``); all of them when nothing else was said."""
    hits = [_Hit(t.norm, k, k) for k, t in enumerate(said) if t.norm in ASIDES]
    kept = without_opener(without_fillers(said, hits) if hits else said)
    ends = [k + 1 for k, t in enumerate(kept[:-1]) if _ends_sentence(t)]
    while ends and all(t.norm in SIGN_OFF_WORDS for t in kept[ends[-1] :]):  # "So. Thanks."
        kept = kept[: ends.pop()]
    if not kept or len(kept) == len(said):
        return kept or said
    first = kept[0]
    if said[0].raw[:1].isupper() and first.raw[:1].islower():  # quoted as a sentence's start
        kept = [replace(first, raw=first.raw[:1].upper() + first.raw[1:]), *kept[1:]]
    return kept


def judged_words(toks: list[Tok]) -> list[Tok]:
    """The words content is judged on: what was said, without the fillers and the asides
    (``without_asides``), the same in scoring and in learning from the evaluation splits."""
    return without_asides(without_fillers(toks))


def find_hedges(toks: list[Tok]) -> list[_Hit]:
    """Hedges, once each: a speaker starting again ("I think, I think we should") hedged once,
    and the restart is a repeat (``find_repetitions``)."""
    hits: list[_Hit] = []
    i = 0
    while i < len(toks):
        for phrase in HEDGES:
            if not _match_phrase(toks, i, phrase):
                continue
            after = toks[i + len(phrase)].norm if i + len(phrase) < len(toks) else ""
            if after in HEDGE_NOT_BEFORE.get(phrase, frozenset()):
                continue
            if i and toks[i - 1].norm in HEDGE_NOT_AFTER.get(phrase, frozenset()):
                continue
            text = " ".join(phrase)
            restart = hits and hits[-1].text == text and hits[-1].last == i - 1
            if restart and not _ends_sentence(toks[i - 1]):  # "I think. I think …" is two
                hits[-1] = _Hit(text, hits[-1].first, i + len(phrase) - 1)
            else:
                hits.append(_Hit(text, i, i + len(phrase) - 1))
            i += len(phrase) - 1
            break
        i += 1
    return hits


def _ends_sentence(tok: Tok) -> bool:
    """A word a full stop, a question or an exclamation mark ends, inside a closing quote or
    bracket too ('"ship it."'); not a trailing "…", after which a speaker starting again
    ("I was... I was") repeats."""
    raw = tok.raw.rstrip().rstrip(CLOSERS)
    return raw.endswith((".", "?", "!")) and not raw.endswith(("...", "…"))


def find_repetitions(toks: list[Tok]) -> list[_Hit]:
    """The same word twice in a row, or a two-word phrase said again at once; never across
    the end of a sentence ("… handles it. It always works": a review found it counted)."""
    hits: list[_Hit] = []
    i = 0
    while i + 1 < len(toks):
        a, b = toks[i], toks[i + 1]
        same = a.norm == b.norm and a.norm not in LEGIT_DOUBLES and not a.norm.isdigit()
        if same and not _ends_sentence(a):
            hits.append(_Hit(f"{a.norm} {b.norm}", i, i + 1))
            i += 2
            continue
        if (
            i + 3 < len(toks)
            and (a.norm, b.norm) == (toks[i + 2].norm, toks[i + 3].norm)
            and not any(_ends_sentence(x) for x in (a, b, toks[i + 2]))  # "I did. I did."
        ):
            hits.append(_Hit(f"{a.norm} {b.norm} {a.norm} {b.norm}", i, i + 3))
            i += 4
            continue
        i += 1
    return hits


def _heard(hit: _Hit, toks: list[Tok], regions: list[Region]) -> bool:
    """A transcribed filler sound counts only with speech under it: Whisper invents "uh"s
    over silence (docs/stt.md), and a filler nobody said must never be reported. Filler
    words ("like", "basically") are ordinary words and always count."""
    first, last = toks[hit.first], toks[hit.last]
    if hit.text not in FILLER_SOUNDS or first.start is None or last.end is None:
        return True
    start, end = first.start, last.end
    overlap = sum(max(0.0, min(end, e) - max(start, s)) for s, e in regions)
    return overlap >= min(HEARD_MIN_S, 0.5 * max(end - start, 0.0))


def _marks(hits: list[_Hit], toks: list[Tok]) -> list[Mark]:
    return [
        Mark(w=h.text, start=toks[h.first].start, end=toks[h.last].end, index=toks[h.first].index)
        for h in hits
    ]


def _stat(marks: list[Mark], words: int, minutes: float | None) -> CountStat:
    count = len(marks)
    top = Counter(m.w for m in marks).most_common()
    top.sort(key=lambda kv: (-kv[1], kv[0]))
    return CountStat(
        count=count,
        per_min=round(count / minutes, 2) if minutes else None,
        per_100_words=round(100 * count / words, 2) if words else None,
        top=top[:5],
        items=marks,
    )


def long_pauses(toks: list[Tok], regions: list[Region] | None, threshold: float) -> list[Pause]:
    """Silences of at least ``threshold`` seconds between the first and the last word.

    With VAD regions the silences come from the audio; otherwise from gaps between words.
    """
    timed = [t for t in toks if t.start is not None and t.end is not None]
    if len(timed) < 2:
        return []
    first, last = timed[0].start or 0.0, timed[-1].end or 0.0
    gaps: list[tuple[float, float]] = []
    if regions:
        inner = sorted(regions)
        for (_, a_end), (b_start, _) in pairwise(inner):
            gaps.append((a_end, b_start))
    else:
        for a, b in pairwise(timed):
            gaps.append((a.end or 0.0, b.start or 0.0))
    out: list[Pause] = []
    for start, end in gaps:
        start, end = max(start, first), min(end, last)
        if end - start >= threshold:
            before = [t for t in timed if (t.start or 0.0) < start]
            out.append(
                Pause(
                    start=round(start, 2),
                    end=round(end, 2),
                    duration=round(end - start, 2),
                    after=before[-1].raw if before else "",
                )
            )
    return out


def pace_windows(toks: list[Tok], pauses: list[Pause], window: float) -> list[PaceWindow]:
    timed = [t for t in toks if t.start is not None and t.end is not None]
    if not timed:
        return []
    t0 = timed[0].start or 0.0
    t_end = timed[-1].end or 0.0
    out: list[PaceWindow] = []
    w_start = t0
    while w_start < t_end:
        w_end = min(w_start + window, t_end)
        n = sum(1 for t in timed if w_start <= ((t.start or 0) + (t.end or 0)) / 2 < w_end)
        paused = sum(max(0.0, min(p.end, w_end) - max(p.start, w_start)) for p in pauses)
        speaking = (w_end - w_start) - paused
        wpm = round(60 * n / speaking, 1) if speaking >= 2.0 else None
        out.append(PaceWindow(round(w_start - t0, 2), round(w_end - t0, 2), n, wpm))
        w_start += window
    return out


def pace_fraction(wpm: float, r: Rubric) -> float:
    d = "delivery"
    keys = (
        "pace_too_slow",
        "pace_slow",
        "pace_ideal_low",
        "pace_ideal_high",
        "pace_fast",
        "pace_too_fast",
    )
    ys = (0.0, 0.5, 1.0, 1.0, 0.5, 0.0)
    return piecewise(wpm, [(r.num(d, k), y) for k, y in zip(keys, ys, strict=True)])


def pace_band(wpm: float | None, r: Rubric) -> str:
    if wpm is None:
        return "unknown"
    if wpm < r.num("delivery", "pace_ideal_low"):
        return "slow"
    if wpm > r.num("delivery", "pace_ideal_high"):
        return "fast"
    return "good"


def score_delivery(
    toks: list[Tok],
    rubric: Rubric,
    *,
    regions: list[Region] | None = None,
    recovered: list[Mark] | None = None,
    pause_threshold: float | None = None,
) -> Delivery:
    """Score delivery. Fillers are found first; every other measure (pace, pauses, hedges,
    repetitions, the per-100-words rates) uses the words that are not fillers, so saying
    more fillers can never improve any of them."""
    d = "delivery"
    threshold = pause_threshold or rubric.num(d, "pause_threshold_s")
    filler_hits = find_fillers(toks)
    core = without_fillers(toks, filler_hits)
    counted, unheard = filler_hits, 0
    if regions is not None:
        counted = [h for h in filler_hits if _heard(h, toks, regions)]
        unheard = len(filler_hits) - len(counted)
    words = len(core)
    timed = bool(toks) and toks[0].start is not None
    hedge_hits = find_hedges(core)
    reps = find_repetitions(core)
    recovered = recovered or []

    pauses = long_pauses(core, regions, threshold) if timed else []
    speaking: float | None = None
    wpm: float | None = None
    windows: list[PaceWindow] = []
    if timed and words >= 2:
        span = (core[-1].end or 0.0) - (core[0].start or 0.0)
        speaking = max(span - sum(p.duration for p in pauses), 0.0)
        if speaking >= PACE_MIN_S:
            wpm = round(60 * words / speaking, 1)
            windows = pace_windows(core, pauses, rubric.num(d, "pace_window_s"))
    minutes = speaking / 60 if speaking else None
    said = [replace(m, source="transcribed") for m in _marks(counted, toks)]
    heard = [replace(m, source="heard") for m in recovered]
    fillers = _stat(sorted(said + heard, key=_mark_key), words, minutes)
    hedges = _stat(_marks(hedge_hits, core), words, minutes)

    parts: list[Component] = []
    missing: list[str] = []
    if wpm is not None:
        full = rubric.num(d, "pace_points")
        frac = pace_fraction(wpm, rubric)
        lo, hi = rubric.num(d, "pace_ideal_low"), rubric.num(d, "pace_ideal_high")
        parts.append(
            scaled(
                "pace",
                full,
                frac,
                f"{wpm:.0f} words a minute; full points from {lo:.0f} to {hi:.0f}",
            )
        )
    else:
        missing += ["wpm", "pace_windows"]
    if words or fillers.count:
        full = rubric.num(d, "filler_points")
        ok, high = rubric.num(d, "filler_ok_per_100"), rubric.num(d, "filler_high_per_100")
        rate = fillers.per_100_words if fillers.per_100_words is not None else high
        # Nothing but fillers: no rate to give (a review found the rubric's "none from" figure
        # shown as if it had been measured).
        measured = (
            "nothing else was said"
            if fillers.per_100_words is None
            else f"{rate:.1f} per 100 words"
        )
        parts.append(
            scaled(
                "fillers",
                full,
                falling(rate, ok, high),
                f"{plural(fillers.count, 'filler')}, {measured}; "
                f"full points up to {ok:g}, none from {high:g}",
            )
        )
    if timed:
        full = rubric.num(d, "pause_points")
        allowed = int(rubric.num(d, "pauses_allowed"))
        parts.append(
            allowance(
                "long pauses",
                full,
                len(pauses),
                allowed,
                rubric.num(d, "pause_penalty"),
                f"{plural(len(pauses), 'pause')} over {threshold:g} s; {allowed} allowed, "
                f"-{rubric.num(d, 'pause_penalty'):g} for each further one",
            )
        )
    else:
        missing.append("long_pauses")
    if words:
        full = rubric.num(d, "hedge_points")
        rate = hedges.per_100_words or 0.0
        ok, high = rubric.num(d, "hedge_ok_per_100"), rubric.num(d, "hedge_high_per_100")
        parts.append(
            scaled(
                "hedges",
                full,
                falling(rate, ok, high),
                f"{plural(hedges.count, 'hedge')}, {rate:.1f} per 100 words; "
                f"full points up to {ok:g}, none from {high:g}",
            )
        )
        full = rubric.num(d, "repetition_points")
        allowed = int(rubric.num(d, "repetitions_allowed"))
        parts.append(
            allowance(
                "repetitions",
                full,
                len(reps),
                allowed,
                rubric.num(d, "repetition_penalty"),
                f"{plural(len(reps), 'repeat')} of a word or phrase; {allowed} allowed",
            )
        )
    return Delivery(
        score=_scale(parts),
        wpm=wpm,
        speaking_time_s=round(speaking, 2) if speaking is not None else None,
        pace_band=pace_band(wpm, rubric),
        pace_windows=windows,
        fillers=fillers,
        recovered_fillers=recovered,
        long_pauses=pauses,
        pause_threshold_s=threshold,
        hedges=hedges,
        repetitions=_marks(reps, core),
        breakdown=parts,
        missing=missing,
        unheard_fillers=unheard,
    )


def _mark_key(m: Mark) -> tuple[float, int]:
    return (m.start if m.start is not None else -1.0, m.index)


def _scale(parts: list[Component]) -> int | None:
    """Points as a 0-100 score over the components that could be measured."""
    total = sum(p.max_points for p in parts)
    if total <= 0:
        return None
    return int(round(100 * sum(p.points for p in parts) / total))
