"""The 2-4 most useful suggestions for an answer, each pointing at its evidence.

Every scored component that lost points can suggest one fix; they are ranked by the points
they would win back on the overall score, and ties keep a fixed order, so feedback is as
deterministic as the scores.
"""

from __future__ import annotations

import re
from collections import Counter

from interviewsense.domain import Mark, Question, Score, Transcript
from interviewsense.scoring.content import has_figure
from interviewsense.scoring.cues import ASKS_FOR_A_FIGURE, ASKS_YOUR_PART, NAMES_A_METRIC
from interviewsense.scoring.rubric import Rubric
from interviewsense.scoring.substance import (
    ABSOLUTES,
    BLAME_WHY,
    DOUBT_WHY,
    THIN_FIXES,
    thin,
    weakest_signal,
)
from interviewsense.scoring.text import clip, norm, plural

MAX_ITEMS = 4
MIN_ITEMS = 2

# The advice lines. Every threshold a line quotes is a rubric value (``{pace_ideal_low}``
# …, see ``_rubric_values``), so a custom rubric gives advice that matches its own numbers.
ADVICE = {
    "star": "Your answer has no clear {missing}: {fixes}.",
    "no_details": "No numbers or named tools: add one concrete detail, such as {detail}.",
    "few_details": "Only {count} ({shown}): add {detail}.",
    "ownership": "You said 'we' {we} and {i}{acting}: say what you did yourself.",
    # Not a story of what was done ("we would cache it"): the choices, in the first person.
    "ownership_choices": "You said 'we' {we} and {i}{acting}: say which choices are yours "
    "('I would', 'I chose'), so the interviewer hears your own decisions.",
    "off_topic_meaning": "The answer seems to be about something else (similarity to "
    "{compared} {similarity:.2f}; under {off_topic_similarity:.2f} is off topic): answer the "
    "question that was asked, and tie your first and last sentence to it.",
    # Between the off-topic line and full points: near the question, not plainly on it (a
    # review: "only part of the answer addresses it" was said of an answer none of which did).
    "drift_meaning": "The answer stays loosely on the question (similarity to {compared} "
    "{similarity:.2f}; "
    "full points from {similarity_full:.2f}, off topic under {off_topic_similarity:.2f}): tie "
    "your first and last sentence to what was asked, and cut what does not serve it.",
    "drift_terms": "The answer drifts from the question: it never touches {terms}. Tie your "
    "first and last sentence back to what was asked.",
    "substance": "The answer says less than it seems: {why}. {fix}",
    "impression": "Answers that read like this one were mostly rated below good by coaches "
    '({p:.0%} likely good or strong). The sentence that reads weakest is "{quote}": {fix}.',
    "cliche": '"{quote}" is what every candidate says: replace it with something that '
    "really happened to you, and what you did about it.",
    "blame": 'The answer puts the fault on others ("{quote}"): say what you did about it, '
    "and what you would do differently.",
    "unsure": 'The outcome is left in doubt ("{quote}"): say what changed and how you know, or '
    "say plainly that it was not measured and what you would measure next time.",
    "sweeping": 'Sweeping claims in {n} of {total} sentences ("{quote}"): a strong {label} '
    "answer says when each claim holds and what it costs. Check every 'always', 'never' and "
    "'no need' before you say it.",
    # Under the cap's share, one claim is still named (a review: "it's always O of one" went
    # unsaid, and the advice asked for a timing instead).
    "sweeping_one": 'A claim is told as if it always holds ("{quote}"): say when it holds and '
    "where it stops being true.",
    "wrong": "The LLM judge doubts the facts ({reason}): check each claim before the "
    "interview, and say where it stops being true.",
    "short": "At {words} words the answer is short for a {label} question: {fix}.",
    "long": "At {words} words the answer runs long for a {label} question: keep to about "
    "two minutes and lead with the point.",
    "fillers": "You used {count} ({top}){cluster}. Pause silently instead; a short silence "
    "sounds more confident.",
    "pace_fast": "You spoke at {wpm:.0f} words a minute{peak}; aim for "
    "{pace_ideal_low:.0f}–{pace_ideal_high:.0f} and slow down on the key points.",
    "pace_slow": "You spoke at {wpm:.0f} words a minute, slower than the "
    "{pace_ideal_low:.0f}–{pace_ideal_high:.0f} most listeners find easy to follow: prepare "
    "the outline so the words come.",
    "pauses": "You paused {n} for over {threshold:g} s (longest {longest:.1f} s at {at}"
    "{after}). Say 'let me think for a second' so the silence reads as thinking.",
    "hedges": "You hedged {n} ({top}): state what you did and decided plainly.",
    "repeats": "You repeated words {n} ('{first}'{where}): slow down a little and finish "
    "each phrase once.",
    "monotone": "Your pitch barely moved ({sd:.1f} semitones of variation; lively speech is "
    "above {pitch_lively_sd:g}): stress the key words and the result.",
    "speaking_time": "Speech filled only {ratio:.0%} of the time you were answering: fewer, "
    "shorter silences keep the answer moving.",
}
# What an answer of each type is made stronger with: said by the advice on a sentence that reads
# weak ("impression") and on a short answer ("short"), so that a design answer is not told to
# say what it did and what changed (QA).
STRONGER = {
    "behavioral": "say what you did yourself, why, and what changed because of it",
    "technical": "say how it works, why it is built that way, and where it stops working",
    "system_design": "name the part you would build, the trade-off it makes, and the number "
    "that decides it",
    "product": "say who it is for, what you would do first, and how you would measure it",
    "general": "back it with one thing that really happened to you",
    # A follow-up asks one thing (a review: "How did you measure it?" was told to say what
    # you did yourself, and "What did your manager say?" who it is for).
    "follow-up": "answer what the follow-up asked in your first sentence, then back it with "
    "one fact from your own work",
}
# The concrete detail each question type is made stronger with (a coach's review: "add a
# number that shows the scale or the result" was said of a definition and of "why us").
DETAIL_FIXES = {
    "behavioral": "a number that shows the scale or the result",
    "technical": "a size, a timing or the tool you would measure it with",
    "system_design": "the load, the data size or the latency you design for",
    "product": "the metric you would move and by how much",
    "general": "a company, a project or a number from your own work",
    "follow-up": "one number or name that answers it",
}
SHORT_FIXES = {
    "behavioral": "add the context and the outcome",
    "technical": "add how it works and one example",
    "system_design": "add the main components, the data flow and one trade-off",
    "product": "add the user, the metric you would move and one trade-off",
    "general": "add one example from your own work",
    "follow-up": "answer the follow-up with one concrete detail",
}
# ... a story's, by which of its scene and outcome it lacks (a review: a 66-word story that
# had both was told to "add the context and the outcome").
STORY_SHORT_FIXES = {
    frozenset({"situation", "result"}): SHORT_FIXES["behavioral"],
    frozenset({"situation"}): "add the context: where, when and what was at stake",
    frozenset({"result"}): "add the outcome",
    frozenset(): "give the action and the result a sentence more each",
}
# ... when the answer gives its reasons already (the outline's "reasoning" part: a review's
# design answer with an explicit trade-off was told to add one).
SHORT_FIXES_REASONED = {
    "system_design": "add the main components and the data flow",
    "product": "add the user and the metric you would move",
}
# ... when a product answer names the metric it would move already (a review: one that named
# its north star and a guardrail was told to "add the metric you would move").
MEASURED_FIXES = {
    "detail": "a target or a baseline for the metric you name",
    "short": "add the user, and a target or a baseline for the metric you name",
}
# ... and when every part of its outline is there: more of what carries it, not a new part.
WHOLE_FIXES = {
    "star": "every STAR part is there, so give the action and the result a sentence more each",
    "reasoning": "every part of the outline is there, so give the reasoning and the example "
    "a sentence more each",
    "prep": "every part is there, so give the reason and the example a sentence more each",
}
STAR_FIXES = {
    "situation": "set the scene in one sentence (where, when, what was at stake)",
    "task": "say what you had to achieve",
    "action": "say what you did yourself, step by step",
    "result": "end with the result, ideally a number ('complaints fell from 12 a week to 3')",
}
# The parts of the other two outlines (scoring/cues.py REASONING and PREP), as a candidate
# hears them, and the fix for each (QA: one fixed sentence asked a design answer for "an
# outline, a trade-off and a summary" it had, whichever part was missing).
PART_NAMES = {"clarify": "goal and limits", "reasoning": "reasoning", "close": "ending"}
PART_FIXES = {
    "clarify": "start by saying what you take the goal and the limits to be",
    "approach": "outline your approach in two or three steps",
    "reasoning": "give the reason or the trade-off behind each choice",
    "example": "back it with an example or a number",
    "summary": "close with a one-sentence summary",
    "point": "open with your answer in one sentence",
    "reason": "say why, in a sentence or two",
    "close": "end by tying it back to this role",
    **STAR_FIXES,
}
# How much a single sentence of blame, or one sweeping claim, weighs in the advice's order: as
# a tenth of the content score lost, so a gap that costs more points is said first.
NAMED_ALONE = 0.1
EXAMPLE_FIX_WITH_NUMBERS = "back it with one example, told from start to end"
MAX_PART_FIXES = 3


def _rubric_values(rubric: Rubric) -> dict[str, float]:
    """Every number of the rubric's delivery, content and voice sections, by key."""
    out: dict[str, float] = {}
    for section in ("delivery", "content", "voice"):
        for key, value in rubric.data[section].items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[key] = float(value)
    return out


def either(words: list[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def times(n: int) -> str:
    return {0: "no times", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _cluster(items: list[Mark], window: float = 30.0) -> tuple[int, float] | None:
    """The most hits in any ``window`` seconds, and where that window starts."""
    times = sorted(m.start for m in items if m.start is not None)
    best: tuple[int, float] | None = None
    for i, t in enumerate(times):
        n = sum(1 for u in times[i:] if u < t + window)
        if best is None or n > best[0]:
            best = (n, t)
    return best


def _quote_counts(marks: list[Mark], limit: int = 3) -> str:
    """The most said, with their counts; "…" when more were said than shown (QA: "10 times
    ('maybe' ×3, 'i think' ×2, 'i guess')" listed 6), and "I" as it is written."""
    counts = Counter(re.sub(r"\bi\b", "I", m.w) for m in marks).most_common()
    counts.sort(key=lambda kv: (-kv[1], kv[0]))
    shown = ", ".join(f"'{w}' ×{n}" if n > 1 else f"'{w}'" for w, n in counts[:limit])
    return shown + (", …" if len(counts) > limit else "")


def feedback(score: Score, question: Question, transcript: Transcript, rubric: Rubric) -> list[str]:
    d, c, v = score.delivery, score.content, score.voice
    nums = _rubric_values(rubric)

    def say(rule: str, **evidence: object) -> str:
        return ADVICE[rule].format(**nums, **evidence)

    if not transcript.text.strip() and transcript.engine == "text":
        return ["No answer was given."]
    if not transcript.text.strip():  # said in the terminal and on the web page alike
        return [
            "No speech was heard. Check that the microphone is on and close enough, "
            "then answer again."
        ]
    w = score.weights
    items: list[tuple[float, int, str]] = []  # (overall points lost, order, text)
    # Whose advice the answer is given: a follow-up's, a story's when the question asks for one
    # (``cues.asks_for_story``: a product decision is told what changed, not which metric it
    # would move), or its type's.
    advised = (
        "follow-up"
        if question.follow_up
        else "behavioral"
        if c.structure_kind == "star"
        else question.type
    )

    capped = {cap.name: cap.points for cap in score.caps}

    def add(weight_key: str, lost_pts: float, max_total: float, text: str, cap: str = "") -> None:
        """A suggestion, ranked by the overall points it would win back; one that lifts a
        cap (docs/scoring.md) always ranks first, the lowest cap (the one that holds the
        score) before the others."""
        if lost_pts <= 0 or max_total <= 0:
            return
        impact = lost_pts / max_total * 100 * w.get(weight_key, 0.0)  # under 100
        if cap in capped:
            impact += 1000.0 + 100.0 * (100.0 - capped[cap])
        items.append((impact, len(items), text))

    dmax = sum(p.max_points for p in d.breakdown)
    cmax = sum(p.max_points for p in c.breakdown)
    vmax = sum(p.max_points for p in v.breakdown)

    # Content first: it weighs most and is what interviewers remember.
    lost_c = {p.name: p.max_points - p.points for p in c.breakdown}
    lost_d = {p.name: p.max_points - p.points for p in d.breakdown}
    lost_v = {p.name: p.max_points - p.points for p in v.breakdown}
    missing = [p for p, s in c.structure.items() if not s.found]
    if c.structure_kind == "star" and "no result" in {cap.name for cap in score.lifted}:
        # The models heard a result the cues did not (the cap yielded, and says so): the
        # advice does not tell the candidate there is none (a review).
        missing = [p for p in missing if p != "result"]
    if missing:
        named = [PART_NAMES.get(m, m) for m in missing]
        # An answer with numbers is asked for an example alone (a review: "back it with an
        # example or a number" beside "Good use of concrete detail").
        numbered = bool(c.specificity.get("numbers"))
        fixes = "; ".join(
            EXAMPLE_FIX_WITH_NUMBERS if m == "example" and numbered else PART_FIXES[m]
            for m in missing[:MAX_PART_FIXES]
        )
        text = say("star", missing=either(named), fixes=fixes)
        lifts = "no result" if c.structure_kind == "star" else ""
        add("content", lost_c.get("structure", 0), cmax, text, cap=lifts)
    spec = c.specificity
    detail = DETAIL_FIXES[advised]
    measured = advised == "product" and bool(NAMES_A_METRIC.search(transcript.text.lower()))
    if measured:
        detail = MEASURED_FIXES["detail"]
    # A follow-up is asked for a figure, and for "I", only when it asked for them.
    figure_asked = not question.follow_up or bool(ASKS_FOR_A_FIGURE.search(question.text))
    part_asked = not question.follow_up or bool(ASKS_YOUR_PART.search(question.text))
    if figure_asked and spec.get("count", 0) == 0:
        text = say("no_details", detail=detail)
        add("content", lost_c.get("specificity", 0), cmax, text, cap="no numbers")
    elif figure_asked:
        shown = ", ".join((spec["numbers"] + spec["tools"])[:3])
        count = plural(spec["count"], "concrete detail")
        text = say("few_details", count=count, shown=shown, detail=detail)
        add("content", lost_c.get("specificity", 0), cmax, text, cap="no numbers")
    own = c.ownership
    if own.get("i_share") is not None and part_asked:
        acting = own.get("i_acting")
        note = "" if acting is None or acting == own["i"] else f" ({acting} as the one acting)"
        i_said = "never 'I'" if own["i"] == 0 else f"'I' {times(own['i'])}"  # not "'I' no times"
        rule = "ownership" if c.structure_kind == "star" else "ownership_choices"
        text = say(rule, we=times(own["we"]), i=i_said, acting=note)
        if question.type != "system_design":  # there "we" is the designer's voice
            add("content", lost_c.get("ownership", 0), cmax, text, cap="no ownership")
    rel = c.relevance
    if "similarity" in rel:  # judged by meaning
        # By the similarity, not only the cap, which a follow-up never gets (a review: one at
        # 0.07 was told it "stays loosely on the question … off topic under 0.15").
        below = rel["similarity"] < rubric.num("content", "off_topic_similarity")
        rule = "off_topic_meaning" if "off topic" in capped or below else "drift_meaning"
        compared = rel.get("compared_with", "the question")
        text = say(rule, similarity=rel["similarity"], compared=compared)
        add("content", lost_c.get("relevance", 0), cmax, text, cap="off topic")
    elif rel.get("terms"):
        terms = ", ".join([t for t in rel["terms"] if t not in rel["matched"]][:4])
        add(
            "content",
            lost_c.get("relevance", 0),
            cmax,
            say("drift_terms", terms=terms),
            "off topic",
        )
    substance = next((p for p in c.breakdown if p.name == "substance"), None)
    if substance is not None:
        fix = THIN_FIXES[weakest_signal(c.substance)]
        text = say("substance", why=thin(c.substance), fix=fix)
        add("content", lost_c["substance"], cmax, text, cap="little substance")
    # On the expected band, as the points are: an answer read as developing loses most of them.
    imp_q = c.impression.get("quality", c.impression.get("p", 1.0)) if c.impression else 1.0
    if c.impression and imp_q < rubric.num("content", "impression_advice_below"):
        text = say(
            "impression",
            p=c.impression["p"],
            quote=clip(c.impression["weakest"]),
            fix=STRONGER[advised],
        )
        add("content", lost_c.get("impression", 0), cmax, text, cap="reads weak")
    blamed = c.substance.get("blame") or []
    if blamed and "blames others" not in capped:
        # One sentence of blame caps nothing (``blame_sentences``), but a coach still names it
        # (a review: a failure story that blamed the product manager was not told so).
        add("content", NAMED_ALONE, 1.0, say("blame", quote=blamed[0]))
    swept = [x for x in c.substance.get("sweeping") or [] if ABSOLUTES.intersection(x["words"])]
    if swept and c.structure_kind == "reasoning" and "sweeping claims" not in capped:
        add("content", NAMED_ALONE, 1.0, say("sweeping_one", quote=clip(swept[0]["sentence"])))
    for cap in score.caps:
        if cap.name == "cliche":
            add("content", 1.0, 1.0, say("cliche", quote=c.relevance.get("cliche", "")), "cliche")
        if cap.name == "blames others":
            judged = (c.judge.get("blame") or {}).get("quote", "")
            ours = cap.why.startswith(BLAME_WHY) and c.substance.get("blame")
            quote = c.substance["blame"][0] if ours else judged
            add("content", 1.0, 1.0, say("blame", quote=quote), "blames others")
        doubts = c.substance.get("unsure") or []
        if cap.name == "hedged" and DOUBT_WHY in cap.why and doubts:
            add("content", 1.0, 1.0, say("unsure", quote=doubts[0]), "hedged")
        if cap.name == "factually wrong":
            reason = c.judge.get("accuracy_reason") or "some claims are not right"
            add("content", 1.0, 1.0, say("wrong", reason=reason.rstrip(".")), "factually wrong")
        if cap.name == "sweeping claims":
            claims = c.substance.get("sweeping") or [{"sentence": ""}]
            text = say(
                "sweeping",
                n=len(claims),
                total=c.substance.get("sentences", len(claims)),
                quote=claims[0]["sentence"],
                label=question.type.replace("_", " "),
            )
            add("content", 1.0, 1.0, text, "sweeping claims")
    if c.length_band != "good":
        label = "follow-up" if question.follow_up else question.type.replace("_", " ")
        rule = "short" if c.length_band == "short" else "long"
        fix = SHORT_FIXES[advised]
        if advised == "behavioral" and c.structure:
            lacks = {
                p
                for p in ("situation", "result")
                if not getattr(c.structure.get(p), "found", False)
            }
            fix = STORY_SHORT_FIXES[frozenset(lacks)]
        reasoned = c.structure.get("reasoning")
        if reasoned is not None and reasoned.found and not question.follow_up:
            fix = SHORT_FIXES_REASONED.get(advised, fix)
        whole = bool(c.structure) and all(p.found for p in c.structure.values())
        if measured and rule == "short":
            fix = MEASURED_FIXES["short"]
        if whole and not question.follow_up:  # it has each part already: more of them
            fix = WHOLE_FIXES.get(c.structure_kind, fix)
        text = say(rule, words=c.word_count, label=label, fix=fix)
        add("content", lost_c.get("length", 0), cmax, text, cap="too short")

    # Delivery.
    if d.fillers.count:
        cluster = _cluster(d.fillers.items)
        where = ""
        if cluster and 3 <= cluster[0] < d.fillers.count:
            n, at = cluster
            where = f", {n} of them between {clock(at)} and {clock(at + 30)}"
        about = "about " if any(m.source == "heard" for m in d.fillers.items) else ""
        text = say(
            "fillers",
            count=about + plural(d.fillers.count, "filler"),
            top=_quote_counts(d.fillers.items),
            cluster=where,
        )
        add("delivery", lost_d.get("fillers", 0), dmax, text, cap="heavy fillers")
    if d.wpm is not None and d.pace_band != "good":
        rated = [p for p in d.pace_windows if p.wpm is not None]
        if d.pace_band == "fast":
            top = max(rated, key=lambda p: p.wpm or 0.0) if rated else None
            peak = ""
            if top and (top.wpm or 0) > d.wpm + 10:
                peak = f", {top.wpm:.0f} at {clock(top.start)}–{clock(top.end)}"
            text = say("pace_fast", wpm=d.wpm, peak=peak)
        else:
            text = say("pace_slow", wpm=d.wpm)
        add("delivery", lost_d.get("pace", 0), dmax, text)
    if d.long_pauses:
        longest = max(d.long_pauses, key=lambda p: p.duration)
        text = say(
            "pauses",
            n=times(len(d.long_pauses)),
            threshold=d.pause_threshold_s,
            longest=longest.duration,
            at=clock(longest.start),
            after=f", after '{longest.after.strip(',.')}'" if longest.after else "",
        )
        add("delivery", lost_d.get("long pauses", 0), dmax, text)
    if d.hedges.count:
        text = say("hedges", n=times(d.hedges.count), top=_quote_counts(d.hedges.items))
        add("delivery", lost_d.get("hedges", 0), dmax, text, cap="hedged")
    if d.repetitions:
        first = d.repetitions[0]
        where = f" at {clock(first.start)}" if first.start is not None else ""
        text = say("repeats", n=times(len(d.repetitions)), first=first.w, where=where)
        add("delivery", lost_d.get("repetitions", 0), dmax, text)

    # Voice.
    if v.available and v.monotone:
        text = say("monotone", sd=v.pitch_sd_semitones)
        add("voice", lost_v.get("pitch variation", 0), vmax, text)
    if v.available and v.speaking_ratio is not None:
        text = say("speaking_time", ratio=v.speaking_ratio)
        add("voice", lost_v.get("speaking time", 0), vmax, text)

    items.sort(key=lambda it: (-round(it[0], 6), it[1]))
    out = [text for impact, _, text in items if impact >= 0.5][:MAX_ITEMS]
    for strength in _strengths(score, rubric):
        if len(out) >= MIN_ITEMS:
            break
        out.append(strength)
    return out


def _strengths(score: Score, rubric: Rubric) -> list[str]:
    d, c = score.delivery, score.content
    out: list[str] = []
    if c.structure_kind == "star" and all(p.found for p in c.star.values()):
        out.append("Keep this structure: situation, task, action and result are all there.")
    # Praised where the specificity gets its full points, never beside advice to add more (a
    # review: "Good use of concrete detail (two people, Monday)" and "Only 2 concrete details").
    if c.specificity.get("count", 0) >= rubric.num("content", "specificity_full"):
        shown = ", ".join((c.specificity["numbers"] + c.specificity["tools"])[:3])
        out.append(f"Good use of concrete detail ({shown}).")
    if d.wpm is not None and d.pace_band == "good":
        out.append(f"Your pace of {d.wpm:.0f} words a minute is easy to follow.")
    if d.fillers.count == 0 and c.word_count >= 20:  # heard, or read in a typed answer
        told = "answer reads as" if d.wpm is None else "delivery sounds"
        out.append(f"No fillers: your {told} composed.")
    if not any(has_figure(norm(n)) for n in c.specificity.get("numbers", [])):  # a year is none
        out.append("Solid answer: to push it further, add one number that shows the impact.")
    else:  # not "add one number" beside the figure it has (a review: "40 percent")
        out.append(
            "Solid answer: to push it further, name one trade-off or what you would do next."
        )
    return out
