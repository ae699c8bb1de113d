"""Content from the transcript and the question: structure (STAR or a reasoning outline),
specificity, ownership, relevance, substance and length. Each finding keeps the words that
show it."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from interviewsense.domain import Component, Content, InterviewType, StarPart
from interviewsense.scoring.coach import band_of, rate, rule_features
from interviewsense.scoring.cues import (
    AMBIGUOUS_TECH,
    CARDINALS,
    CLOSING_PARTS,
    COUNTED_UNITS,
    HYPHEN_NAMES,
    I_SOFTENERS,
    I_SUBJECTS,
    I_WORDS,
    NUMBER_WORDS,
    OPINION_VERBS,
    SAID_TO_LISTENER,
    STAR,
    TECH,
    UNIT_WORDS,
    UNITS,
    VAGUE_PLURALS,
    WE_WORDS,
    Cues,
    asks_to_explain,
    outline_for,
)
from interviewsense.scoring.curves import falling, piecewise, scaled
from interviewsense.scoring.rubric import Rubric, load_rubric
from interviewsense.scoring.substance import STRONG_QUOTE_FROM, meaning, substance
from interviewsense.scoring.text import (
    LABEL_WORD,
    SENTENCE_END,
    STAR_LABEL,
    STOPWORDS,
    SYNONYMS,
    Sentence,
    Tok,
    clip,
    key_terms,
    list_markers,
    norm,
    plural,
    stem,
)

if TYPE_CHECKING:
    from interviewsense.scoring.coach import CoachModel, Rating
    from interviewsense.scoring.semantic import Embedder
    from interviewsense.scoring.substance import Vectors

_COMPILED: dict[str, list[re.Pattern[str]]] = {}


def _patterns(part: str, cues: list[str]) -> list[re.Pattern[str]]:
    key = f"{part}:{id(cues)}"
    if key not in _COMPILED:
        _COMPILED[key] = [re.compile(c) for c in cues]
    return _COMPILED[key]


def find_structure(
    sents: list[Sentence], cues: Cues, *, after: tuple[str, str] | None = None
) -> dict[str, StarPart]:
    """For each part, whether a sentence shows it, and the sentence and cue that do.

    ``after`` = (later, earlier) makes a part count only from the first sentence of another:
    a result is what came of the actions, so "deploys took two hours" told before anything
    was done is the situation, not the result.

    Whether a part is there is decided by its cues alone. Which sentence is quoted for it
    is then chosen: first a closing part's (``CLOSING_PARTS``), in the answer's latter half
    if one there shows it, the sentence with its strongest cue (the first in its list), the
    last of those; then in the parts' order (situation, task, action, result), the first
    that shows the part and that no part before quotes (the result: after the action's, if
    one is, and the last of those with a figure if one has). A part whose every sentence is
    taken quotes its first. A coach's review found the first sentence quoted for everything:
    the task sentence ("… within two quarters") as the result, the situation ("our bill had
    doubled") as the action and the result, and a trade-off as the summary though "To
    summarise: …" came after it."""
    # Per part: (sentence index, cue, the rank of the cue's pattern in the part's list).
    matches: dict[str, list[tuple[int, str, int]]] = {}
    first: dict[str, int] = {}
    for part, patterns in cues.items():
        start = first.get(after[1], 0) if after and part == after[0] else 0
        matches[part] = []
        for k, s in enumerate(sents[start:], start):
            label = STAR_LABEL.match(s.text)
            if label and label.group(1).lower() == part:
                matches[part].append((k, label.group(1).lower(), 0))
                continue
            hit = next(
                (
                    (r, m)
                    for r, p in enumerate(_patterns(part, patterns))
                    if (m := p.search(s.norm))
                ),
                None,
            )
            if hit:
                matches[part].append((k, hit[1].group(0).strip(), hit[0]))
        if matches[part]:
            first[part] = matches[part][0][0]
    out: dict[str, StarPart] = {}
    quoted: dict[str, int] = {}
    # A closing part chooses first: "So overall, that's why I'm applying" closes an answer
    # more than it gives a reason.
    order = sorted(matches, key=lambda part: part not in CLOSING_PARTS)
    for part in order:
        found = matches[part]
        if not found:
            out[part] = StarPart(found=False)
            continue
        free = [m for m in found if m[0] not in quoted.values()]
        if after and part == after[0] and after[1] in quoted:
            free = [m for m in free if m[0] > quoted[after[1]]] or free
        if not free:
            k, cue, _ = found[0]
        elif part in CLOSING_PARTS:  # where an answer closes: in its latter half if it can
            late = [m for m in free if 2 * m[0] >= len(sents) - 1] or free
            k, cue, _ = min(late, key=lambda m: (m[2], -m[0]))
        elif after and part == after[0]:
            # The last result told with a figure, else the first: "In the first run, 14%
            # differed" mid-story is not the result the story ends on (two reviews).
            sized = [m for m in free if has_figure(sents[m[0]].norm)]
            k, cue, _ = sized[-1] if sized else free[0]
        else:
            k, cue, _ = free[0]
        out[part] = StarPart(found=True, sentence=sents[k].text, cue=cue)
        quoted[part] = k
    return {part: out[part] for part in cues}


# What puts a figure on a result: a count or a measure ("2000 users", "cut in half"), not a
# year, a quarter ("Q3"), an ordinal or a share told in words ("through 2023", "my third
# year", "half the team"; a review).
_YEAR = re.compile(r"(?:19|20)\d\d")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def has_figure(norm: str) -> bool:
    """Whether a sentence puts a figure on something ("from two hours to ten minutes")."""
    words = norm.split()
    for k, w in enumerate(words):
        after = words[k + 1] if k + 1 < len(words) else ""
        before = words[k - 1] if k else ""
        if w in CARDINALS or (w == "half" and before in ("in", "by")):
            return True
        if UNITS.match(w) and not _ORDINAL.fullmatch(w):
            if not _YEAR.fullmatch(w) or after in UNIT_WORDS:
                return True
    return False


def _number_word(word: str) -> bool:
    """A number in words: "sixty", "thousand", "zero", or one joined with hyphens
    ("thirty-five"). Not "one", which is seldom a number alone."""
    parts = word.split("-")
    return word in NUMBER_WORDS or (
        len(parts) > 1 and all(p in NUMBER_WORDS or p in UNITS_IN_WORDS for p in parts)
    )


def _starts_number(toks: list[Tok], k: int) -> bool:
    """Whether a number in words starts at word ``k``: "one" only before a magnitude or a
    decimal's digits ("one point two"; not "from one point of view")."""
    if _number_word(toks[k].norm):
        return True
    if toks[k].norm != "one" or k + 1 >= len(toks):
        return False
    after = toks[k + 1].norm
    return after in MAGNITUDES or (after == "point" and _decimal_digit(toks, k + 2))


def _decimal_digit(toks: list[Tok], k: int) -> bool:
    """Whether word ``k`` is a digit said after "point" ("five", "zero", "oh"), and not one
    that counts what follows it: "at one point two people left" (a review)."""
    if k >= len(toks) or toks[k].norm not in UNITS_IN_WORDS | {"zero", "oh"}:
        return False
    then = toks[k + 1].norm if k + 1 < len(toks) else ""
    if then in COUNTED_UNITS or then in _PEOPLE_NOUNS:
        return False
    return then in UNIT_WORDS or not _is_counted(then)


def _number_end(toks: list[Tok], k: int) -> int:
    """The last word of the number in words that starts at ``k``: "one hundred and twenty",
    "sixty thousand", "two point five"; "by half. Twenty people" is two, as is "five, six"."""
    last = k
    while last + 1 < len(toks) and not toks[last].comma_after:
        if SENTENCE_END.search(toks[last].raw):
            break
        after = toks[last + 1].norm
        if _number_word(after) or (after in UNITS_IN_WORDS and toks[last].norm in MAGNITUDES):
            last += 1
        elif (
            after == "point"
            and _decimal_digit(toks, last + 2)
            and not toks[last + 1].comma_after
            and not SENTENCE_END.search(toks[last + 1].raw)  # "down to one point. Three …"
        ):
            last += 2  # a decimal said: "two point five", "ninety nine point nine"
        elif (
            after == "and"
            and toks[last].norm in MAGNITUDES
            and last + 2 < len(toks)
            and (_number_word(toks[last + 2].norm) or toks[last + 2].norm in UNITS_IN_WORDS)
        ):
            last += 2
        else:
            break
    return last


OPENING_QUOTES = ('"', "\u201c", "'", "\u2018")
CLOSING_QUOTES = ('"', "\u201d", "'", "\u2019")
EDGE_MARKS = ".,;:!?\"'()\u201c\u201d\u2018\u2019"
SPEECH_VERBS = frozenset(
    {"said", "says", "asked", "asks", "told", "tells", "replied", "answered", "wrote", "added"}
)


def _opens_speech(toks: list[Tok], k: int) -> bool:
    """Whether word ``k`` opens quoted speech, so it starts a sentence: after a verb of
    saying ("she said, "Ask Dana."") unless the quote closes on that word ('we wrote "Atlas"
    on the board'), or after a comma unless it closes within two words (a name in quotes:
    "Jira, "Linear" and Notion", "it, "Project Atlas" internally")."""
    if not toks[k].raw.startswith(OPENING_QUOTES) or k == 0:
        return False

    def closed_within(n: int) -> bool:
        return any(t.raw.rstrip(".,;:!?").endswith(CLOSING_QUOTES) for t in toks[k : k + n])

    if any(t.norm in SPEECH_VERBS for t in toks[max(0, k - 3) : k]):
        return not closed_within(1)  # 'she said, "Ask them."', not 'we wrote "Atlas" on it'
    return toks[k - 1].raw.rstrip().endswith(",") and not closed_within(2)


MAGNITUDES = frozenset({"hundred", "thousand", "million", "billion"})


def _sized(run: list[Tok]) -> bool:
    """A number in words that names a size: it has a magnitude ("three hundred")."""
    return any(t.norm in MAGNITUDES for t in run)


# Nouns of people that take no "s": "twenty staff", "thirty children".
_PEOPLE_NOUNS = frozenset("children staff men women crew personnel".split())


def _counts_nouns(toks: list[Tok], k: int, last: int) -> int:
    """How many words after the number in words at ``k``..``last`` name what it counts: 1 for
    "eight machines", 2 for "eight new nurses", 0 for "two things", "a million reasons", "two of
    them", or a list announced ("three teams: …"). A magnitude alone, with "a" before it, is a
    manner of speaking ("a thousand users")."""
    if k and toks[k - 1].norm == "a" and all(t.norm in MAGNITUDES for t in toks[k : last + 1]):
        return 0
    for step in (1, 2):
        at = last + step
        before = toks[at - 1]
        if at >= len(toks) or SENTENCE_END.search(before.raw) or before.comma_after:
            return 0
        noun = toks[at].norm
        if _is_counted(noun):
            ends = toks[at].raw.rstrip().endswith(":")
            return 0 if ends or noun in VAGUE_PLURALS else step
        if not noun.isalpha() or noun in STOPWORDS or noun in VAGUE_PLURALS:
            return 0
    return 0


def _is_counted(noun: str) -> bool:
    """A plural noun a number can count: "machines", "nurses", "staff"."""
    if noun in _PEOPLE_NOUNS:
        return True
    return (
        len(noun) >= 4
        and noun.endswith("s")
        and not noun.endswith("ss")
        and noun.isalpha()
        and noun not in STOPWORDS
    )


def _hyphened_count(word: str) -> bool:
    """A number in words hyphened to what it counts: a "six-month" plan, a "two-week" trial;
    not a compound's name ("two-way", "three-tier")."""
    head, _, tail = word.partition("-")
    return (
        head in CARDINALS
        and tail.isalpha()
        and len(tail) >= 3
        and not re.fullmatch(HYPHEN_NAMES, tail)
        and not _number_word(word)
    )


UNITS_IN_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine"})


def find_details(toks: list[Tok], *, asked: str = "") -> dict[str, list[str]]:
    """Concrete details: numbers and metrics, named tools or technologies, and other names
    (a capitalised word that does not start a sentence or open quoted speech: a product, a
    place, a person).

    Digits always count ("25 minutes", "40%"); a number word counts with a unit ("three
    weeks", "forty percent"), after by/from/to ("dropped from six", "down to zero"), or with
    a magnitude ("three hundred charges", "one hundred and ten"); not in "two of them", "a
    million things" or "a thousand questions".

    Not details (a review): what the question ``asked`` already says ("in five years"), a
    word said to the listener ("OK", "Yeah"), and a tool counted already in the singular or
    plural ("API", "APIs"). A unit after digits is part of them ("40 GB").
    """
    given = " " + " ".join(norm(w) for w in asked.split()) + " "
    numbers: list[str] = []
    tools: list[str] = []
    markers = list_markers(toks)
    skip = last_named = -1
    for k, t in enumerate(toks):
        if k <= skip:
            continue
        raw = t.raw.strip(EDGE_MARKS)
        # A number in words is all of it: "sixty thousand dollars", "thirty-five thousand",
        # "one hundred and twenty", not "thousand dollars" (a review).
        in_words = _starts_number(toks, k)
        last = _number_end(toks, k) if in_words else k
        if last > k:
            raw = " ".join(x.raw.strip(EDGE_MARKS) for x in toks[k : last + 1])
        nxt = toks[last + 1].norm if last + 1 < len(toks) else ""
        prev = toks[k - 1].norm if k else ""
        # "fifty grand" is money, "two grand ideas" is not (a review).
        then = toks[last + 2].norm if last + 2 < len(toks) else ""
        unit = nxt in UNIT_WORDS or (nxt == "grand" and not _is_counted(then))
        if k in markers or LABEL_WORD.match(t.raw):
            continue  # "1." numbers a list item, "Task:" names a part: no detail of the answer
        digits = bool(UNITS.match(t.norm)) or t.norm.startswith("o(")
        # A count of something named: "eight machines", "twelve nurses", a "six-month" plan
        # (a review: only units of software counted, so "eight machines" was no detail).
        named = _counts_nouns(toks, k, last) if in_words else 0  # read once, used twice
        counted = unit or prev in ("by", "from", "to") or named > 0
        digits = digits or _hyphened_count(t.norm)
        # A size in words is exact enough alone: "three hundred duplicate charges" (a review:
        # a recogniser writes numbers as words); not "hundreds of", nor "a thousand questions".
        sized = last > k and nxt != "of" and _sized(toks[k : last + 1])
        if in_words:
            skip = last  # the run's other words are read with it, not again one by one
        if digits or (in_words and (counted or sized)):
            item, skip = raw, last
            with_nouns = 0 if unit else named
            if unit or with_nouns:
                upto = last + max(with_nouns, 1)
                said_with = " ".join(x.raw.strip(EDGE_MARKS) for x in toks[last + 1 : upto + 1])
                item, skip = f"{raw} {said_with}", upto
            said = " " + " ".join(norm(w) for w in item.split()) + " "
            if item.lower() not in (n.lower() for n in numbers) and said not in given:
                numbers.append(item)
        elif t.norm in SAID_TO_LISTENER or f" {t.norm} " in given:
            continue
        elif t.norm.rstrip("s") not in (x.lower().rstrip("s") for x in tools):
            before = toks[k - 1].raw.rstrip() if k else ""
            starts_sentence = (
                not before
                or bool(SENTENCE_END.search(before))
                or before.endswith(":")
                or _opens_speech(toks, k)
            )
            named = raw[:1].isupper() and not starts_sentence and t.norm not in I_WORDS
            if t.norm in TECH:
                if t.norm in AMBIGUOUS_TECH and not named:
                    continue  # "go wrong", "the rest", "in spring" are not technologies
                tools.append(raw)
            elif named and len(raw) >= 2:
                # A name in the middle of a sentence (Stripe, PCI, Lisbon); one that runs on
                # from the word before is one name (Apple Pay, Internet Explorer).
                if tools and last_named == k - 1 and not toks[k - 1].raw.endswith((",", ";")):
                    tools[-1] = f"{tools[-1]} {raw}"
                else:
                    tools.append(raw)
                last_named = k
    return {"numbers": numbers, "tools": tools}


def acting_i(words: list[str]) -> int:
    """How often "I" is the one acting: "I rewrote", "I'd split", not "I think", "I'd say"."""
    count = 0
    for k, word in enumerate(words):
        if word not in I_SUBJECTS:
            continue
        j = k + 1
        while j < len(words) and words[j] in I_SOFTENERS:
            j += 1
        if j < len(words) and words[j] in OPINION_VERBS:
            continue
        count += 1
    return count


def ownership(toks: list[Tok]) -> dict[str, float | int | None]:
    i = sum(1 for t in toks if t.norm in I_WORDS)
    we = sum(1 for t in toks if t.norm in WE_WORDS)
    share = round(i / (i + we), 2) if i + we else None
    return {"i": i, "we": we, "i_share": share, "i_acting": acting_i([t.norm for t in toks])}


def _used(term_stem: str, said: set[str]) -> bool:
    """The answer uses a term: the same stem, a longer or shorter form of it ("deliver",
    "delivery"), or one of its listed synonyms."""
    options = {term_stem} | {stem(w) for w in SYNONYMS.get(term_stem, ())}
    for option in options:
        if option in said:
            return True
        if len(option) >= 5 and any(
            w.startswith(option) or option.startswith(w) for w in said if len(w) >= 5
        ):
            return True
    return False


# An answer scored with no question (``finalize FILE`` without ``-q``): nothing to be on or
# off topic of, so relevance keeps its points and no "off topic" cap can fire.
NO_QUESTION = "no question given: relevance not judged"


def relevance(question: str, toks: list[Tok], keywords: list[str]) -> dict[str, Any]:
    """Which of the question's key terms (and the bank's keywords) the answer uses."""
    by_stem: dict[str, str] = {}
    for term in key_terms(question) + [k.lower() for k in keywords]:
        by_stem.setdefault(stem(term), term)
    terms = list(by_stem.values())
    said = {stem(t.norm) for t in toks}
    hit = [term for s, term in by_stem.items() if _used(s, said)]
    share = round(len(hit) / len(terms), 2) if terms else None
    return {"terms": terms, "matched": hit, "share": share, "method": "lexical"}


SUBSTANCE_SIGNALS = ("distinct", "repeats", "echo", "hedges")  # substance_component's order


def substance_component(dense: dict[str, Any], rubric: Rubric) -> Component:
    """Points for saying something: the mean of four fractions, each with its evidence."""
    c = "content"
    n = rubric.num
    fracs = [
        piecewise(
            dense["distinct_share"], [(n(c, "distinct_low"), 0.0), (n(c, "distinct_ok"), 1.0)]
        ),
        falling(
            dense["repeats_per_100_words"], n(c, "repeats_ok_per_100"), n(c, "repeats_high_per_100")
        ),
        falling(dense["echo_share"], n(c, "echo_ok"), n(c, "echo_high"))
        if dense.get("echo_counted", True)
        else 1.0,
        falling(
            dense["hedges_per_sentence"],
            n(c, "hedges_ok_per_sentence"),
            n(c, "hedges_high_per_sentence"),
        ),
    ]
    frac = sum(fracs) / len(fracs) if dense["content_words"] else 0.0
    dense["fraction"] = round(frac, 3)
    dense["worst"] = round(min(fracs), 3)  # one signal past its limit makes the cap too
    # Which signal is furthest from its full mark: what the cap and the advice name (QA: a
    # hedged answer was told it "circles the question or repeats itself").
    dense["weakest_signal"] = SUBSTANCE_SIGNALS[fracs.index(min(fracs))]
    bits = [f"{dense['distinct_share']:.0%} distinct content words"]
    if dense["repeated_phrases"]:
        top = dense["repeated_phrases"][0]
        bits.append(f"'{top['phrase']}' said {top['count']} times")
    if dense.get("echo_counted", True):
        bits.append(f"{dense['echo_share']:.0%} of content words echo the question")
    else:
        bits.append(
            f"{dense['echo_share']:.0%} of content words are the question's terms, which an "
            "explanation names (not counted)"
        )
    bits.append(f"{dense['hedges_per_sentence']:.1f} hedges a sentence")
    full = n(c, "substance_points")
    return scaled("substance", full, frac, "; ".join(bits))


def with_reader(
    rating: Rating, question: str, sents: list[Sentence], rubric: Rubric
) -> tuple[Rating, dict[str, Any]]:
    """The coach model's rating blended with the answer reader's (scoring/reader.py), which
    reads the question and the answer together: ``impression_reader_weight`` of the estimate
    is the reader's. A follow-up answer is read with its own question: the reader learned
    from answers to follow-up questions too (``FOLLOW_UP_LEARNED``, docs/scoring.md). Without
    the reader's files, the coach model's rating as it is."""
    from interviewsense.scoring.coach import LEVELS, P_LEVEL
    from interviewsense.scoring.reader import answer_text, describe, load_reader

    w = min(1.0, rubric.num("content", "impression_reader_weight"))
    if w == 0:
        return rating, {
            "used": False,
            "note": "impression_reader_weight is 0: the coach model alone",
        }
    reader = load_reader()
    read_as = describe(reader)
    if reader is None:
        return rating, read_as
    est = reader.read(question, answer_text(sents))
    p, quality = est[LEVELS.index(P_LEVEL)], sum(est) / len(est)
    read_as.update(p=round(p, 3), quality=round(quality, 3), band=band_of(quality), weight=w)
    blended = replace(
        rating,
        p=w * p + (1 - w) * rating.p,
        quality=w * quality + (1 - w) * rating.quality,
    )
    return blended, read_as


def impression_component(
    rating: Rating,
    answers: int,
    rubric: Rubric,
    read_as: dict[str, Any] | None = None,
    *,
    follow_up: bool = False,
) -> Component:
    """The coach model's rating (blended with the answer reader's) as points (its expected
    band), its evidence the sentences that weigh most. A follow-up answer earns full points
    from ``impression_full_follow_up``."""
    # Short: a candidate reads it beside "/15" rows; the evidence rows (report/data.py) say
    # more about the two models.
    by = f"learned from {answers} coach-rated answers"
    if read_as and read_as.get("used"):
        by += ", the question and the answer read together"
    why = (
        f"how coaches rated answers like it: {rating.p:.0%} likely good or strong, reads as "
        f"{band_of(rating.quality)} ({by}); "
        f'most like a weak answer: "{clip(rating.weakest)}"'
    )
    if rating.strongest != rating.weakest and rating.p >= STRONG_QUOTE_FROM:
        why += f'; most like a strong one: "{clip(rating.strongest)}"'
    full = "impression_full_follow_up" if follow_up else "impression_full"
    low, high = rubric.num("content", "impression_none"), rubric.num("content", full)
    frac = piecewise(rating.quality, [(low, 0.0), (high, 1.0)])
    return scaled("impression", rubric.num("content", "impression_points"), frac, why)


def _rule_settings(rubric: Rubric) -> dict[str, Any]:
    return {k: v for k, v in rubric.data["content"].items() if not k.startswith("impression")}


def score_content(
    toks: list[Tok],
    sents: list[Sentence],
    question: str,
    qtype: InterviewType,
    rubric: Rubric,
    *,
    keywords: list[str] | None = None,
    follow_up_of: str = "",
    padding_words: int = 0,
    spoken_words: int | None = None,
    hedge_count: int = 0,
    embedder: Embedder | None = None,
    coach: CoachModel | None = None,
    meant: tuple[dict[str, Any], Vectors | None] | None = None,
) -> Content:
    """Score content. ``toks`` are the answer's words without fillers; ``padding_words`` of
    the ``spoken_words`` were fillers or hedges (for conciseness). A follow-up answer
    (``follow_up_of`` names the main question) is not held to the whole structure, is judged
    against the main question's terms, and has its own, shorter length band. ``meant`` is
    what ``meaning`` gave for these sentences and this question, when already known."""
    c = "content"
    kind, cues = outline_for(qtype, question)  # a follow-up's: its own question's
    star = find_structure(sents, STAR, after=("result", "action"))
    structure = star if kind == "star" else find_structure(sents, cues)
    details = find_details(toks, asked=follow_up_of or question)
    own = ownership(toks)
    rel = relevance(follow_up_of or question, toks, keywords or [])
    vectors = None
    if embedder is not None and sents:
        # A follow-up's vectors are read against its own question, for the coach model only.
        by_meaning, vectors = meant or meaning(embedder, question, sents, qtype)
        if not follow_up_of and question.strip():
            rel.update(by_meaning)
        elif not follow_up_of:  # nothing to be near; a stock line is one all the same
            rel.update({k: v for k, v in by_meaning.items() if k.startswith("cliche")})
    elif not follow_up_of and question.strip():
        rel["note"] = "no embedding model: judged by the question's key terms"
    if not question.strip():
        rel["note"] = NO_QUESTION
    explanation = not follow_up_of and asks_to_explain(qtype, question)
    dense = substance(toks, sents, follow_up_of or question, hedge_count, explanation=explanation)
    words = len(toks)
    parts: list[Component] = []

    found = [p for p, v in structure.items() if v.found]
    absent = [p for p, v in structure.items() if not v.found]
    if not follow_up_of:
        full = rubric.num(c, "structure_points")
        label = "STAR" if kind == "star" else kind
        why = f"{label}: {len(found)} of {len(structure)} parts"
        why += f" ({', '.join(found)})" if found else ""
        why += f"; missing {', '.join(absent)}" if absent else ""
        weights = dict(zip(STAR, rubric.data[c]["star_weights"], strict=True))
        if kind != "star":
            weights = dict.fromkeys(structure, 1.0)
        share = sum(weights[p] for p in found) / sum(weights.values())
        parts.append(scaled("structure", full, share, why))

    n_details = len(details["numbers"]) + len(details["tools"])
    full = rubric.num(c, "specificity_points")
    need = rubric.num(c, "specificity_full")
    shown = ", ".join((details["numbers"] + details["tools"])[:6]) or "none"
    parts.append(
        scaled(
            "specificity",
            full,
            min(1.0, n_details / need),
            f"{plural(n_details, 'concrete detail')} ({shown}); full points from {need:g}",
        )
    )

    full = rubric.num(c, "ownership_points")
    i_share = own["i_share"]
    target = rubric.num(c, "ownership_full")
    if i_share is None:  # no story told: only a behavioral answer owes one
        frac = 0.5 if qtype == "behavioral" and not follow_up_of else 1.0
    else:
        frac = min(1.0, float(i_share) / target) if target else 1.0
    rule = f"full points when at least {target:.0%} are 'I'"
    if qtype == "system_design":  # as its cap and its advice: "we" is the designer's voice
        frac, rule = 1.0, "full points for a design, which is told as 'we'"
    parts.append(
        scaled(
            "ownership",
            full,
            frac,
            f"'I' {plural(int(own['i'] or 0), 'time')}, 'we' {plural(int(own['we'] or 0), 'time')}"
            f"; {rule}",
        )
    )

    if not follow_up_of:  # a follow-up answers one narrow question; judge the main answer
        full = rubric.num(c, "relevance_points")
        target = rubric.num(c, "relevance_full")
        if not question.strip():
            frac, why = 1.0, NO_QUESTION
        elif rel["method"] == "embedding":
            low, high = rubric.num(c, "similarity_none"), rubric.num(c, "similarity_full")
            frac = piecewise(rel["similarity"], [(low, 0.0), (high, 1.0)])
            why = (
                f"similarity to {rel.get('compared_with', 'the question')} "
                f"{rel['similarity']:.2f} (by meaning; full points "
                f'from {high:.2f}); closest: "{clip(rel["closest"])}"'
            )
        elif rel["share"] is None or len(rel["terms"]) < 2:
            frac, why = 1.0, "the question has too few key terms to check"
        else:
            frac = min(1.0, rel["share"] / target) if target else 1.0
            why = (
                f"uses {len(rel['matched'])} of the question's {len(rel['terms'])} key terms "
                f"({', '.join(rel['terms'][:6])}{', …' if len(rel['terms']) > 6 else ''})"
            )
        parts.append(scaled("relevance", full, frac, why))

    parts.append(substance_component(dense, rubric))

    lo, ideal_lo, ideal_hi, hi = rubric.length_band("follow_up" if follow_up_of else qtype)
    full = rubric.num(c, "length_points")
    band = "short" if words < ideal_lo else "long" if words > ideal_hi else "good"
    curve = [(0.0, 0.0), (lo, 0.5), (ideal_lo, 1.0), (ideal_hi, 1.0), (hi, 0.5), (2 * hi, 0.0)]
    frac = piecewise(words, curve)
    parts.append(
        scaled(
            "length",
            full,
            frac,
            f"{plural(words, 'word')}; {ideal_lo:.0f} to {ideal_hi:.0f} is best for "
            + ("a follow-up" if follow_up_of else qtype.replace("_", " ")),  # its band's
        )
    )

    spoken = spoken_words if spoken_words is not None else words
    padding = padding_words / spoken if spoken else 0.0
    full = rubric.num(c, "conciseness_points")
    ok, high = rubric.num(c, "conciseness_ok"), rubric.num(c, "conciseness_high")
    padded = "is a filler or hedge" if padding_words == 1 else "are fillers or hedges"
    parts.append(
        scaled(
            "conciseness",
            full,
            falling(padding, ok, high),
            f"{padding_words} of {spoken} words {padded} ({padding:.0%}); "
            f"full points up to {ok:.0%}, none from {high:.0%}",
        )
    )

    impression: dict[str, Any] = {}
    if vectors is not None and coach is not None and words:
        # Last: the model reads the rules' parts as well as the words (scoring/coach.py), as
        # the built-in rubric measures them: a rubric of one's own reweighs the points, not
        # what the model learned to read. It learned from main answers: a follow-up answer
        # is read as one to its own question (structure and relevance measured too, though
        # they earn it no points), which puts it on the main answers' scale (docs/scoring.md);
        # the reader learned from some follow-up answers too.
        builtin = load_rubric()
        read = parts
        if follow_up_of or _rule_settings(rubric) != _rule_settings(builtin):
            read = score_content(
                toks, sents, question, qtype, builtin, keywords=keywords,
                padding_words=padding_words, spoken_words=spoken_words, hedge_count=hedge_count,
                embedder=embedder, meant=(by_meaning, vectors),
            ).breakdown  # fmt: skip
        rating = rate(coach, *vectors, sents, rule_features(read))
        rating, read_as = with_reader(rating, question, sents, rubric)
        impression = {
            "p": round(rating.p, 3),
            "quality": round(rating.quality, 3),
            "band": band_of(rating.quality),
            "model": coach.version,
            "answers": coach.answers,
            "weakest": rating.weakest,
            "strongest": rating.strongest,
            "reader": read_as,
        }
        parts.append(
            impression_component(
                rating, coach.answers, rubric, read_as, follow_up=bool(follow_up_of)
            )
        )

    if not words:  # nothing said: no part of the content is there, whatever its checks say
        parts = [Component(p.name, 0.0, p.max_points, "nothing was said") for p in parts]
    total = sum(p.max_points for p in parts)
    score = int(round(100 * sum(p.points for p in parts) / total)) if total else 0
    return Content(
        score=score,
        star=star,
        structure_kind=kind,
        structure=structure,
        specificity={**details, "count": n_details},
        ownership=own,
        relevance=rel,
        substance=dense,
        word_count=words,
        length_band=band,
        breakdown=parts,
        impression=impression,
    )
