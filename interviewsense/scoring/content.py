"""Content from the transcript and the question: structure (STAR or a reasoning outline),
specificity, ownership, relevance and length. Each finding keeps the words that show it."""

from __future__ import annotations

import re
from typing import Any

from interviewsense.domain import Component, Content, StarPart
from interviewsense.scoring.curves import falling, piecewise
from interviewsense.scoring.rubric import Rubric
from interviewsense.scoring.text import SYNONYMS, Sentence, Tok, key_terms, plural, stem

Cues = dict[str, list[str]]

_I = r"\bi\b(?:'ve|'d)?"
STAR: Cues = {
    "situation": [
        r"\b(?:at|in) my (?:last|previous|current|old|first) "
        r"(?:job|company|role|team|position|internship)",
        r"\bwhen i was\b",
        r"\bwhile (?:i was )?working (?:at|on|for)\b",
        r"\b(?:last|this|that) (?:year|month|quarter|semester|summer|spring|autumn|fall|winter)\b",
        r"\b(?:a few|two|three|several) (?:years|months|weeks) ago\b",
        r"\bback in\b",
        r"\bthe situation\b",
        r"\bwe were (?:facing|dealing|struggling|working)\b",
        r"\bour (?:team|company|product|service|system) (?:was|had)\b",
        r"\bthere was a\b",
        r"\bthe (?:problem|issue|context|background) was\b",
        r"\bat the time\b",
        r"\bonce\b",
    ],
    "task": [
        r"\bmy (?:goal|task|job|role|responsibility|assignment|mission) was\b",
        _I + r" was (?:responsible|asked|tasked|in charge|assigned|supposed)\b",
        _I + r" (?:needed|had|wanted) to\b",
        r"\bwe (?:needed|had) to\b",
        r"\bthe (?:goal|task|objective|aim|challenge|deadline) was\b",
        r"\b(?:my (?:manager|boss|lead)|the client|the customer) asked me\b",
        r"\bit was (?:my|up to me)\b",
        r"\bi took (?:on|charge|ownership)\b",
        r"\bi took (?:it|this|that) on\b",
        r"\b(?:nobody|no one) (?:owned|was responsible|took)\b",
        r"\bi was the one\b",
    ],
    "action": [
        _I + r" (?:decided|started|built|created|designed|wrote|led|organi[sz]ed|set up|talked|"
        r"spoke|met|proposed|suggested|implemented|introduced|reached out|scheduled|"
        r"analy[sz]ed|investigated|reviewed|fixed|changed|moved|planned|prioriti[sz]ed|"
        r"negotiated|presented|asked|called|gathered|ran|used|automated|rewrote|refactored|"
        r"migrated|coached|mentored|worked|took|broke|split|tested|measured|documented|"
        r"trained|hired|delegated|escalated|listened|explained|convinced|focused|volunteered|"
        r"looked|checked|added|found|pulled|cut|reworked|contacted|paired|drafted|sketched|"
        r"interviewed|prototyped|replaced|removed|simplified|profiled|monitored|agreed)\b",
        r"\b(?:so|then|first|next|after that|afterwards),? i\b",
        r"\bmy approach was\b",
        r"\bthe first thing i did\b",
        r"\bi made sure\b",
    ],
    "result": [
        r"\bas a result\b",
        r"\bin the end\b",
        r"\bthe (?:result|outcome|impact) was\b",
        r"\b(?:which|that|this) (?:led|resulted) (?:to|in)\b",
        r"\bended up\b",
        r"\b(?:we|it|they|this|that|which) (?:reduced|increased|improved|saved|shipped|launched|"
        r"delivered|finished|completed|grew|doubled|tripled|halved|won|beat|exceeded|"
        r"went from|dropped|stopped|stayed|hasn't|has not|never)\b",
        r"\bi (?:finished|completed|delivered|won|exceeded|beat|got promoted|was promoted)\b",
        r"\bwent (?:up|down) from\b",
        r"\b(?:reduc|increas|improv|cut|sav|grew|grow|decreas|drop)\w* .{0,40}\bby\b",
        r"\d+(?:\.\d+)? ?(?:%|percent)",
        r"\bi learned\b",
        r"\bfrom then on\b",
        r"\bsince then\b",
        r"\bon time\b",
        r"\bit worked\b",
        r"\bthe feedback was\b",
        r"\bwas promoted\b",
    ],
}
REASONING: Cues = {
    "clarify": [
        r"\bclarif",
        r"\brequirements?\b",
        r"\bassum",
        r"\bit depends\b",
        r"\bconstraints?\b",
        r"\bscale\b",
        r"\busers?\b",
    ],
    "approach": [
        _I + r" would\b",
        r"\bmy approach\b",
        r"\b(?:start|begin) (?:by|with)\b",
        r"\bfirst,? ",
        r"\bthe way i\b",
        r"\bstep\b",
        r"\bi'd\b",
    ],
    "reasoning": [
        r"\bbecause\b",
        r"\btrade-?offs?\b",
        r"\bsince\b",
        r"\bthe reason\b",
        r"\bpros and cons\b",
        r"\bon the other hand\b",
        r"\binstead of\b",
        r"\bcompared (?:to|with)\b",
        r"\bdownside\b",
        r"\bcost\b",
        r"\blatency\b",
        r"\bso that\b",
    ],
    "example": [
        r"\bfor (?:example|instance)\b",
        r"\bin my (?:last|previous|current)\b",
        r"\bat my\b",
        r"\bwhen i\b",
        r"\bsuch as\b",
        r"\blike when\b",
    ],
    "summary": [
        r"\bin summary\b",
        r"\bto summari[sz]e\b",
        r"\boverall\b",
        r"\bin short\b",
        r"\bthat way\b",
        r"\bto sum up\b",
        r"\bso in the end\b",
        r"\bin conclusion\b",
    ],
}
PREP: Cues = {
    "point": [
        r"\bi (?:am|'m|want|believe|see myself|would say)\b",
        r"\bmy (?:main|biggest|key)\b",
        r"\bi'm\b",
    ],
    "reason": [
        r"\bbecause\b",
        r"\bthe reason\b",
        r"\bsince\b",
        r"\bthat's why\b",
        r"\bwhich is why\b",
    ],
    "example": REASONING["example"] + [r"\bonce\b", r"\blast year\b"],
    "close": [
        r"\bso\b.{0,40}\b(?:that's|this is|i'm|i am)\b",
        r"\bthat's why\b",
        r"\boverall\b",
        r"\bin short\b",
        r"\bwhich is why\b",
        r"\blooking forward\b",
    ],
}
STRUCTURES: dict[str, tuple[str, Cues]] = {
    "behavioral": ("star", STAR),
    "technical": ("reasoning", REASONING),
    "system_design": ("reasoning", REASONING),
    "product": ("reasoning", REASONING),
    "general": ("prep", PREP),
}
_COMPILED: dict[str, list[re.Pattern[str]]] = {}

NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty
    fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions
    billion twice half third quarter dozen dozens""".split()
)
UNIT_WORDS = frozenset(
    "percent % times x weeks days months hours minutes seconds years users customers people "
    "engineers teams requests ms dollars euros k million".split()
)
UNITS = re.compile(r"^\$?\d[\d,.]*(?:%|k|m|x|ms|s|h|gb|tb|mb)?$|^\d+(?:st|nd|rd|th)$")
TECH = frozenset(
    """python java javascript typescript go golang rust c++ c# sql nosql postgres postgresql mysql
    sqlite mongodb redis kafka rabbitmq spark hadoop airflow dbt snowflake bigquery redshift
    tableau looker excel aws azure gcp kubernetes k8s docker terraform ansible jenkins github
    gitlab jira confluence figma react angular vue node django flask fastapi spring graphql rest
    grpc api apis s3 lambda ec2 linux prometheus grafana datadog splunk elasticsearch swift
    salesforce hubspot sap okr okrs kpi kpis sla slas a/b nps""".split()
)
AMBIGUOUS_TECH = frozenset({"go", "rest", "spring", "excel", "spark", "node", "swift", "sap"})
I_WORDS = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"})
WE_WORDS = frozenset({"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll"})


def _patterns(part: str, cues: list[str]) -> list[re.Pattern[str]]:
    key = f"{part}:{id(cues)}"
    if key not in _COMPILED:
        _COMPILED[key] = [re.compile(c) for c in cues]
    return _COMPILED[key]


def find_structure(sents: list[Sentence], cues: Cues) -> dict[str, StarPart]:
    """For each part, the first sentence that shows it and the cue that matched."""
    out: dict[str, StarPart] = {}
    for part, patterns in cues.items():
        out[part] = StarPart(found=False)
        for s in sents:
            m = next(
                (p.search(s.norm) for p in _patterns(part, patterns) if p.search(s.norm)), None
            )
            if m:
                out[part] = StarPart(found=True, sentence=s.text, cue=m.group(0).strip())
                break
    return out


def find_details(toks: list[Tok]) -> dict[str, list[str]]:
    """Concrete details: numbers and metrics, and named tools or technologies.

    Digits always count ("25 minutes", "40%"); a number word counts with a unit ("three
    weeks", "forty percent") or after by/from/to ("dropped from six"), not in "two of them".
    """
    numbers: list[str] = []
    tools: list[str] = []
    skip = -1
    for k, t in enumerate(toks):
        if k == skip:
            continue
        raw = t.raw.strip(".,;:!?\"'()")
        nxt = toks[k + 1].norm if k + 1 < len(toks) else ""
        prev = toks[k - 1].norm if k else ""
        digits = bool(UNITS.match(t.norm))
        if digits or (
            t.norm in NUMBER_WORDS and (nxt in UNIT_WORDS or prev in ("by", "from", "to"))
        ):
            item = raw
            if nxt in UNIT_WORDS:
                item, skip = f"{raw} {nxt}", k + 1
            if item.lower() not in (n.lower() for n in numbers):
                numbers.append(item)
        elif t.norm in TECH and t.norm not in (x.lower() for x in tools):
            starts_sentence = k == 0 or toks[k - 1].raw.rstrip().endswith((".", "?", "!"))
            if t.norm in AMBIGUOUS_TECH and (not raw[:1].isupper() or starts_sentence):
                continue  # "go wrong", "the rest", "in spring" are not technologies
            tools.append(raw)
    return {"numbers": numbers, "tools": tools}


def ownership(toks: list[Tok]) -> dict[str, float | int | None]:
    i = sum(1 for t in toks if t.norm in I_WORDS)
    we = sum(1 for t in toks if t.norm in WE_WORDS)
    share = round(i / (i + we), 2) if i + we else None
    return {"i": i, "we": we, "i_share": share}


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


def relevance(question: str, toks: list[Tok], keywords: list[str]) -> dict[str, Any]:
    """Which of the question's key terms (and the bank's keywords) the answer uses."""
    by_stem: dict[str, str] = {}
    for term in key_terms(question) + [k.lower() for k in keywords]:
        by_stem.setdefault(stem(term), term)
    terms = list(by_stem.values())
    said = {stem(t.norm) for t in toks}
    hit = [term for s, term in by_stem.items() if _used(s, said)]
    share = round(len(hit) / len(terms), 2) if terms else None
    return {"terms": terms, "matched": hit, "share": share, "method": "key terms"}


def score_content(
    toks: list[Tok],
    sents: list[Sentence],
    question: str,
    qtype: str,
    rubric: Rubric,
    *,
    keywords: list[str] | None = None,
    follow_up_of: str = "",
    padding_words: int = 0,
    spoken_words: int | None = None,
) -> Content:
    """Score content. ``toks`` are the answer's words without fillers; ``padding_words`` of
    the ``spoken_words`` were fillers or hedges (for conciseness). A follow-up answer
    (``follow_up_of`` names the main question) is not held to the whole structure, is judged
    against the main question's terms, and has its own, shorter length band."""
    c = "content"
    kind, cues = STRUCTURES.get(qtype, STRUCTURES["general"])
    star = find_structure(sents, STAR)
    structure = star if kind == "star" else find_structure(sents, cues)
    details = find_details(toks)
    own = ownership(toks)
    rel = relevance(follow_up_of or question, toks, keywords or [])
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
        parts.append(Component("structure", round(full * share, 1), full, why))

    n_details = len(details["numbers"]) + len(details["tools"])
    full = rubric.num(c, "specificity_points")
    need = rubric.num(c, "specificity_full")
    shown = ", ".join((details["numbers"] + details["tools"])[:6]) or "none"
    parts.append(
        Component(
            "specificity",
            round(full * min(1.0, n_details / need), 1),
            full,
            f"{plural(n_details, 'concrete detail')} ({shown}); full points from {need:g}",
        )
    )

    full = rubric.num(c, "ownership_points")
    i_share = own["i_share"]
    target = rubric.num(c, "ownership_full")
    frac = 0.5 if i_share is None else min(1.0, float(i_share) / target) if target else 1.0
    parts.append(
        Component(
            "ownership",
            round(full * frac, 1),
            full,
            f"'I' {plural(int(own['i'] or 0), 'time')}, 'we' {plural(int(own['we'] or 0), 'time')}"
            f"; full points when at least {target:.0%} are 'I'",
        )
    )

    if not follow_up_of:  # a follow-up answers one narrow question; judge the main answer
        full = rubric.num(c, "relevance_points")
        target = rubric.num(c, "relevance_full")
        if rel["share"] is None or len(rel["terms"]) < 2:
            frac, why = 1.0, "the question has too few key terms to check"
        else:
            frac = min(1.0, rel["share"] / target) if target else 1.0
            why = (
                f"uses {len(rel['matched'])} of the question's {len(rel['terms'])} key terms "
                f"({', '.join(rel['terms'][:6])}{', …' if len(rel['terms']) > 6 else ''})"
            )
        parts.append(Component("relevance", round(full * frac, 1), full, why))

    length_type = "follow_up" if follow_up_of else qtype
    lo, ideal_lo, ideal_hi, hi = rubric.length_band(length_type)
    full = rubric.num(c, "length_points")
    band = "short" if words < ideal_lo else "long" if words > ideal_hi else "good"
    curve = [(0.0, 0.0), (lo, 0.5), (ideal_lo, 1.0), (ideal_hi, 1.0), (hi, 0.5), (2 * hi, 0.0)]
    frac = piecewise(words, curve)
    parts.append(
        Component(
            "length",
            round(full * frac, 1),
            full,
            f"{words} words; {ideal_lo:.0f} to {ideal_hi:.0f} is best for "
            f"{qtype.replace('_', ' ')}",
        )
    )

    spoken = spoken_words if spoken_words is not None else words
    padding = padding_words / spoken if spoken else 0.0
    full = rubric.num(c, "conciseness_points")
    ok, high = rubric.num(c, "conciseness_ok"), rubric.num(c, "conciseness_high")
    parts.append(
        Component(
            "conciseness",
            round(full * falling(padding, ok, high), 1),
            full,
            f"{padding_words} of {spoken} words are fillers or hedges ({padding:.0%}); "
            f"full points up to {ok:.0%}, none from {high:.0%}",
        )
    )

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
        word_count=words,
        length_band=band,
        breakdown=parts,
    )
