"""The 2-4 most useful suggestions for an answer, each pointing at its evidence.

Every scored component that lost points can suggest one fix; they are ranked by the points
they would win back on the overall score, and ties keep a fixed order, so feedback is as
deterministic as the scores.
"""

from __future__ import annotations

from collections import Counter

from interviewsense.domain import Component, Mark, Question, Score, Transcript
from interviewsense.scoring.text import plural

MAX_ITEMS = 4
MIN_ITEMS = 2


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def times(n: int) -> str:
    return {0: "no times", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _lost(parts: list[Component], name: str) -> float:
    for p in parts:
        if p.name == name:
            return p.max_points - p.points
    return 0.0


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
    counts = Counter(m.w for m in marks).most_common()
    counts.sort(key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"'{w}' ×{n}" if n > 1 else f"'{w}'" for w, n in counts[:limit])


def feedback(score: Score, question: Question, transcript: Transcript) -> list[str]:
    d, c, v = score.delivery, score.content, score.voice
    if not transcript.text.strip():
        return [
            "No speech was heard. Check that the microphone is on and close enough, "
            "then answer again: 'interviewsense devices' lists the inputs."
        ]
    w = score.weights
    items: list[tuple[float, int, str]] = []  # (overall points lost, order, text)

    capped = {cap.name for cap in score.caps}

    def add(weight_key: str, lost_pts: float, max_total: float, text: str, cap: str = "") -> None:
        """A suggestion, ranked by the overall points it would win back; one that lifts a
        cap (docs/scoring.md) always ranks first."""
        if lost_pts <= 0 or max_total <= 0:
            return
        impact = lost_pts / max_total * 100 * w.get(weight_key, 0.0)
        if cap in capped:
            impact += 100.0
        items.append((impact, len(items), text))

    dmax = sum(p.max_points for p in d.breakdown)
    cmax = sum(p.max_points for p in c.breakdown)
    vmax = sum(p.max_points for p in v.breakdown)

    # Content first: it weighs most and is what interviewers remember.
    structure = c.structure
    missing = [p for p, s in structure.items() if not s.found]
    if missing and c.structure_kind == "star":
        fixes = {
            "situation": "set the scene in one sentence (where, when, what was at stake)",
            "task": "say what you had to achieve",
            "action": "say what you did yourself, step by step",
            "result": "end with the result, ideally a number ('cut failures by 40%')",
        }
        text = (
            f"Your answer has no clear {' or '.join(missing)}: "
            + "; ".join(fixes[m] for m in missing[:2])
            + "."
        )
        add("content", _lost(c.breakdown, "structure"), cmax, text, cap="no result")
    elif missing:
        add(
            "content",
            _lost(c.breakdown, "structure"),
            cmax,
            f"Your answer is missing a {' and a '.join(missing[:2])} step: "
            "outline the approach, give a reason or trade-off, and close with a summary.",
        )
    if c.specificity.get("count", 0) == 0:
        add(
            "content",
            _lost(c.breakdown, "specificity"),
            cmax,
            "No numbers or named tools: add one concrete detail, such as a metric, a date, "
            "a team size or the technology you used.",
            cap="no numbers",
        )
    elif _lost(c.breakdown, "specificity") > 0:
        shown = ", ".join((c.specificity["numbers"] + c.specificity["tools"])[:3])
        add(
            "content",
            _lost(c.breakdown, "specificity"),
            cmax,
            f"Only {plural(c.specificity['count'], 'concrete detail')} ({shown}): "
            "add a number that shows the scale or the result.",
            cap="no numbers",
        )
    own = c.ownership
    if own.get("i_share") is not None and _lost(c.breakdown, "ownership") > 0:
        add(
            "content",
            _lost(c.breakdown, "ownership"),
            cmax,
            f"You said 'we' {times(own['we'])} and 'I' {times(own['i'])}: say what you did "
            "yourself.",
            cap="no ownership",
        )
    rel = c.relevance
    if _lost(c.breakdown, "relevance") > 0 and rel.get("terms"):
        terms = [t for t in rel["terms"] if t not in rel["matched"]][:4]
        add(
            "content",
            _lost(c.breakdown, "relevance"),
            cmax,
            f"The answer drifts from the question: it never touches {', '.join(terms)}. "
            "Tie your first and last sentence back to what was asked.",
            cap="off topic",
        )
    if c.length_band != "good":
        label = "follow-up" if question.follow_up else question.type.replace("_", " ")
        if c.length_band == "short":
            text = (
                f"At {c.word_count} words the answer is short for a {label} question: "
                "add the context and the outcome."
            )
        else:
            text = (
                f"At {c.word_count} words the answer runs long for a {label} question: "
                "keep to about two minutes and lead with the point."
            )
        add("content", _lost(c.breakdown, "length"), cmax, text, cap="too short")

    # Delivery.
    if d.fillers.count and _lost(d.breakdown, "fillers") > 0:
        top = _quote_counts(d.fillers.items)
        text = f"You used {plural(d.fillers.count, 'filler')} ({top})"
        cluster = _cluster(d.fillers.items)
        if cluster and 3 <= cluster[0] < d.fillers.count:
            n, at = cluster
            text += f", {n} of them between {clock(at)} and {clock(at + 30)}"
        text += ". Pause silently instead; a short silence sounds more confident."
        add("delivery", _lost(d.breakdown, "fillers"), dmax, text, cap="heavy fillers")
    if d.wpm is not None and d.pace_band != "good":
        rated = [p for p in d.pace_windows if p.wpm is not None]
        if d.pace_band == "fast":
            peak = max(rated, key=lambda p: p.wpm or 0.0) if rated else None
            text = f"You spoke at {d.wpm:.0f} words a minute"
            if peak and (peak.wpm or 0) > d.wpm + 10:
                text += f", {peak.wpm:.0f} at {clock(peak.start)}–{clock(peak.end)}"
            text += "; aim for 130–170 and slow down on the key points."
        else:
            text = (
                f"You spoke at {d.wpm:.0f} words a minute, slower than the 130–170 most "
                "listeners find easy to follow: prepare the outline so the words come."
            )
        add("delivery", _lost(d.breakdown, "pace"), dmax, text)
    if d.long_pauses and _lost(d.breakdown, "long pauses") > 0:
        longest = max(d.long_pauses, key=lambda p: p.duration)
        after = f", after '{longest.after.strip(',.')}'" if longest.after else ""
        add(
            "delivery",
            _lost(d.breakdown, "long pauses"),
            dmax,
            f"You paused {times(len(d.long_pauses))} for over {d.pause_threshold_s:g} s "
            f"(longest {longest.duration:.1f} s at {clock(longest.start)}{after}). "
            "Say 'let me think for a second' so the silence reads as thinking.",
        )
    if d.hedges.count and _lost(d.breakdown, "hedges") > 0:
        add(
            "delivery",
            _lost(d.breakdown, "hedges"),
            dmax,
            f"You hedged {times(d.hedges.count)} ({_quote_counts(d.hedges.items)}): state what "
            "you did and decided plainly.",
        )
    if d.repetitions and _lost(d.breakdown, "repetitions") > 0:
        first = d.repetitions[0]
        where = f" at {clock(first.start)}" if first.start is not None else ""
        add(
            "delivery",
            _lost(d.breakdown, "repetitions"),
            dmax,
            f"You repeated words {times(len(d.repetitions))} ('{first.w}'{where}): slow down a "
            "little and finish each phrase once.",
        )

    # Voice.
    if v.available and v.monotone:
        add(
            "voice",
            _lost(v.breakdown, "pitch variation"),
            vmax,
            f"Your pitch barely moved ({v.pitch_sd_semitones:.1f} semitones of variation; "
            "lively speech is above 2.5): stress the key words and the result.",
        )
    if v.available and v.speaking_ratio is not None and _lost(v.breakdown, "speaking time") > 0:
        add(
            "voice",
            _lost(v.breakdown, "speaking time"),
            vmax,
            f"Speech filled only {v.speaking_ratio:.0%} of the time you were answering: "
            "fewer, shorter silences keep the answer moving.",
        )

    items.sort(key=lambda it: (-round(it[0], 6), it[1]))
    out = [text for impact, _, text in items if impact >= 0.5][:MAX_ITEMS]
    for strength in _strengths(score):
        if len(out) >= MIN_ITEMS:
            break
        out.append(strength)
    return out


def _strengths(score: Score) -> list[str]:
    d, c = score.delivery, score.content
    out: list[str] = []
    if c.structure_kind == "star" and all(p.found for p in c.star.values()):
        out.append("Keep this structure: situation, task, action and result are all there.")
    if c.specificity.get("count", 0) >= 2:
        shown = ", ".join((c.specificity["numbers"] + c.specificity["tools"])[:3])
        out.append(f"Good use of concrete detail ({shown}).")
    if d.wpm is not None and d.pace_band == "good":
        out.append(f"Your pace of {d.wpm:.0f} words a minute is easy to follow.")
    if d.fillers.count == 0 and c.word_count >= 20:
        out.append("No fillers: your delivery sounds composed.")
    out.append("Solid answer: to push it further, add one number that shows the impact.")
    return out
