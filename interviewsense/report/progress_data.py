"""Progress across sessions (``history``) and attempts side by side (``sessions compare``)."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from interviewsense.domain import Answer, Session, Turn, local_start, said, start_order

IDEAL_WPM = 150.0


@dataclass
class Point:
    id: str
    day: str  # YYYY-MM-DD
    type: str
    answers: int
    overall: float
    content: float
    delivery: float | None
    voice: float | None
    wpm: float | None
    filler_rate: float | None  # per 100 words


@dataclass
class Trend:
    metric: str
    first: float
    last: float
    slope: float  # change per session, least squares
    verdict: str  # improving | steady | slipping
    # The least-squares line at the first and the last session: what the verdict reads, so
    # shown beside it (first and last alone can point the other way: 83 → 86.5, slipping).
    start: float = 0.0
    end: float = 0.0
    sessions: int = 0


@dataclass
class History:
    points: list[Point] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    best: list[tuple[str, float, int]] = field(default_factory=list)  # competency, mean, answers
    weakest: list[tuple[str, float, int]] = field(default_factory=list)
    streak: int = 0  # consecutive days up to today (or yesterday)
    longest_streak: int = 0
    practiced_today: bool = False


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _matches(turn: Turn, question: str) -> bool:
    q = question.lower()
    return q in turn.question.text.lower() or q in turn.question.follow_up_of.lower()


def _answers(session: Session, question: str) -> list[tuple[Turn, Answer]]:
    return [
        (t, t.answer)
        for t in session.turns
        if said(t.answer) and (not question or _matches(t, question))
    ]


def local_day(started_at: str) -> str:
    """The day a session started on in this machine's time zone, as "today" is (QA: a
    session saved at 07:00+00:00, the evening before in Los Angeles, broke the streak)."""
    return local_start(started_at)[:10]


def _point(session: Session, pairs: list[tuple[Turn, Answer]]) -> Point:
    answers = [a for _, a in pairs]
    # The session's own rate, every word counted once: not the mean of the answers' rates,
    # in which a 5-word answer weighed as much as a 45-word one (a review: 40 for a session
    # of 4 fillers in 50 words).
    rated = [a for a in answers if a.scores.delivery.fillers.per_100_words is not None]
    words = sum(a.scores.content.word_count for a in rated)
    fillers = sum(a.scores.delivery.fillers.count for a in rated)
    return Point(
        id=session.id,
        day=local_day(session.started_at),
        type=session.type,
        answers=len(answers),
        overall=_mean([float(a.scores.overall) for a in answers]) or 0.0,
        content=_mean([float(a.scores.content.score) for a in answers]) or 0.0,
        delivery=_mean([float(d) for a in answers if (d := a.scores.delivery.score) is not None]),
        voice=_mean([float(v) for a in answers if (v := a.scores.voice.score) is not None]),
        wpm=_mean([w for a in answers if (w := a.scores.delivery.wpm) is not None]),
        filler_rate=round(100 * fillers / words, 2) if words else None,
    )


def _slope(values: list[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    xs = range(n)
    mx, my = (n - 1) / 2, statistics.fmean(values)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, values, strict=True)) / den


# A trend is a verdict when its line rises or falls by more than this from the first session
# to the last: points of score or wpm, fillers per 100 words. Judged over the whole stretch,
# not per session (a review: at 1 point a session, 7.8 points lost over 500 sessions were
# "steady" and a 2-point dip between two sessions "slipping").
TREND_MIN_CHANGE = 4.0
FILLER_TREND_MIN_CHANGE = 1.0


def _trend(
    metric: str,
    values: list[float],
    *,
    lower_is_better: bool = False,
    least: float = TREND_MIN_CHANGE,
) -> Trend:
    slope = _slope(values)
    change = slope * (len(values) - 1)  # the line's rise from the first session to the last
    gain = -change if lower_is_better else change
    verdict = "improving" if gain > least else "slipping" if gain < -least else "steady"
    centre, half = statistics.fmean(values), change / 2

    def seen(x: float) -> float:  # the line's ends within what was measured (QA: one late
        return round(min(max(values), max(min(values), x)), 1)  # outlier drew 103.6 → 64)

    return Trend(
        metric, round(values[0], 1), round(values[-1], 1), round(slope, 2), verdict,
        start=seen(centre - half), end=seen(centre + half), sessions=len(values),
    )  # fmt: skip


def _streaks(days: set[date], today: date) -> tuple[int, int]:
    longest = run = 0
    previous: date | None = None
    for day in sorted(days):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    cursor = today if today in days else today - timedelta(days=1)
    while cursor in days:
        current += 1
        cursor -= timedelta(days=1)
    return current, longest


def history(
    sessions: list[Session], *, qtype: str = "", question: str = "", today: date | None = None
) -> History:
    today = today or date.today()
    out = History()
    competencies: dict[str, list[float]] = {}
    days: set[date] = set()
    for s in sorted(sessions, key=lambda s: start_order(s.started_at)):
        if qtype and s.type != qtype:
            continue
        pairs = _answers(s, question)
        if not pairs:
            continue
        out.points.append(_point(s, pairs))
        try:
            days.add(date.fromisoformat(local_day(s.started_at)))
        except ValueError:
            pass
        for turn, answer in pairs:
            if turn.question.competency:  # a question of your own names none
                competencies.setdefault(turn.question.competency, []).append(
                    float(answer.scores.overall)
                )
    pts = out.points
    if len(pts) >= 2:
        out.trends.append(_trend("overall", [p.overall for p in pts]))
        out.trends.append(_trend("content", [p.content for p in pts]))
        delivery = [p.delivery for p in pts if p.delivery is not None]
        if len(delivery) >= 2:
            out.trends.append(_trend("delivery", delivery))
        wpm = [abs(p.wpm - IDEAL_WPM) for p in pts if p.wpm is not None]
        if len(wpm) >= 2:
            out.trends.append(_trend("pace (distance from 150 wpm)", wpm, lower_is_better=True))
        rates = [p.filler_rate for p in pts if p.filler_rate is not None]
        if len(rates) >= 2:
            out.trends.append(
                _trend(
                    "fillers per 100 words",
                    rates,
                    lower_is_better=True,
                    least=FILLER_TREND_MIN_CHANGE,
                )
            )
    ranked = sorted(
        ((name, round(statistics.fmean(v), 1), len(v)) for name, v in competencies.items()),
        key=lambda c: (-c[1], c[0]),
    )
    # The top half (up to three) is "best", the rest (up to three) "weakest": never one
    # competency in both, and two are one of each (QA: 19 was listed among the best).
    out.best = ranked[: min(3, (len(ranked) + 1) // 2)]
    rest = ranked[len(out.best) :]
    out.weakest = sorted(rest[-3:], key=lambda c: (c[1], c[0]))
    out.streak, out.longest_streak = _streaks(days, today)
    out.practiced_today = today in days
    return out


# --- comparing attempts ----------------------------------------------------------------------


@dataclass
class Change:
    metric: str
    before: float | None
    after: float | None
    verdict: str  # better | worse | same | n/a


def _higher(v: float) -> float:
    return v


def _lower(v: float) -> float:
    return -v


def _pace(v: float) -> float:
    return -abs(v - IDEAL_WPM)  # nearer 150 wpm is better, from either side


Goodness = Callable[[float], float]


def metrics(a: Answer) -> dict[str, tuple[float | None, Goodness]]:
    """Metric -> (value, how good that value is: higher is better)."""
    s, d, c = a.scores, a.scores.delivery, a.scores.content
    star = sum(1 for p in c.structure.values() if p.found)
    return {
        "overall": (float(s.overall), _higher),
        "content": (float(c.score), _higher),
        "delivery": (None if d.score is None else float(d.score), _higher),
        "voice": (None if s.voice.score is None else float(s.voice.score), _higher),
        "structure parts found": (float(star), _higher),
        "concrete details": (float(c.specificity.get("count", 0)), _higher),
        "words a minute (150 is best)": (d.wpm, _pace),
        "fillers per 100 words": (d.fillers.per_100_words, _lower),
        "hedges per 100 words": (d.hedges.per_100_words, _lower),
        "long pauses": (None if "long_pauses" in d.missing else float(len(d.long_pauses)), _lower),
    }


def compare(before: Answer, after: Answer) -> list[Change]:
    out = []
    b, a = metrics(before), metrics(after)
    for name, (old, good) in b.items():
        new = a[name][0]
        if old is None or new is None:
            verdict = "n/a"
        elif abs(good(new) - good(old)) < 0.5:
            verdict = "same"
        else:
            verdict = "better" if good(new) > good(old) else "worse"
        out.append(Change(name, old, new, verdict))
    return out


def attempts(sessions: list[Session], question: str) -> list[tuple[Session, Turn]]:
    """Every answer to a question (by text), oldest first."""
    found = []
    for s in sorted(sessions, key=lambda s: start_order(s.started_at)):
        for t in s.turns:
            if t.answer is not None and not t.question.follow_up and _matches(t, question):
                found.append((s, t))
    return found
