"""Rich rendering of a scored answer: highlighted transcript, scores with their evidence,
and the feedback. Everything goes to the console it is given (stderr in the CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interviewsense.domain import Answer, Component, Mark, Pause, Session, Transcript, Turn
from interviewsense.scoring.text import plural

if TYPE_CHECKING:
    from interviewsense.report.progress_data import Change, History

BAND_STYLE = {"strong": "bold green", "good": "green", "developing": "yellow"}
SPARK = "▁▂▃▄▅▆▇█"


def band_style(band: str) -> str:
    return BAND_STYLE.get(band, "bold red")


def sparkline(values: list[float | None]) -> str:
    nums = [v for v in values if v is not None]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        else:
            k = 0 if hi == lo else int((v - lo) / (hi - lo) * (len(SPARK) - 1))
            out.append(SPARK[k])
    return "".join(out)


def _spans(marks: list[Mark]) -> dict[int, int]:
    """Word index -> how many words the mark covers."""
    return {m.index: len(m.w.split()) for m in marks if m.index >= 0}


# How each kind of word is marked: a colour, and without colour (NO_COLOR, a pipe, a file)
# around the run of words, as the legend says.
MARKED = {
    "fillers": ("bold yellow", "yellow", "[", "]"),
    "hedges": ("magenta", "magenta", "{", "}"),
    "repeats": ("red", "red", "<", ">"),
}


def legend(plain: bool) -> str:
    """What the marks in a transcript mean, in colour names or in the signs used without."""
    said = [f"{o}…{c}: {kind}" if plain else f"{name}: {kind}"
            for kind, (_, name, o, c) in MARKED.items()]  # fmt: skip
    return "  ".join([*said, "⏸: long pauses"])


def highlighted(transcript: Transcript, answer: Answer, *, plain: bool = False) -> Text:
    """The transcript with its fillers, hedges and repeats marked: in colour, or ``plain``
    between signs (QA: with no colour the legend named colours nothing was shown in)."""
    d = answer.scores.delivery
    styles: dict[int, str] = {}
    for marks, kind in ((d.fillers.items, "fillers"), (d.hedges.items, "hedges"),
                        (d.repetitions, "repeats")):  # fmt: skip
        for start, n in _spans(marks).items():
            for k in range(start, start + n):
                styles.setdefault(k, kind)
    pauses: dict[int, Pause] = {}
    if transcript.timed:
        for p in d.long_pauses:
            before = [i for i, w in enumerate(transcript.words) if w.start < p.start]
            if before:
                pauses[before[-1]] = p
    text = Text()
    words = transcript.words
    if not words:
        return Text(transcript.text or "(no speech)", style="dim")
    for i, w in enumerate(words):
        if i:
            text.append(" ")
        kind = styles.get(i, "")
        style, _, opens, closes = MARKED.get(kind, ("", "", "", ""))
        if not plain:
            text.append(w.w, style=style)
        else:  # a run of words of one kind between one pair of signs
            first = kind and (styles.get(i - 1) != kind or i - 1 in pauses)
            last = kind and (styles.get(i + 1) != kind or i in pauses)
            text.append(f"{opens if first else ''}{w.w}{closes if last else ''}")
        if i in pauses:
            text.append(f" ⏸ {pauses[i].duration:.1f}s", style="bold cyan")
    return text


def _breakdown_rows(table: Table, title: str, score: int | None, parts: list[Component]) -> None:
    from interviewsense.report.data import summed

    shown = "–" if score is None else str(score)
    table.add_row(Text(title, style="bold"), Text(shown, style="bold"), summed(score, parts))
    for p in parts:
        table.add_row(f"  {p.name}", f"{p.points:g}/{p.max_points:g}", Text(p.why))  # quotes


def render_answer(console: Console, answer: Answer, *, title: str = "Your answer") -> None:
    from interviewsense.report.data import cap_notes, sub_scores

    s = answer.scores
    header = Text.assemble(
        (f"{s.overall}", band_style(s.band) + " bold"),
        ("/100  ", "dim"),
        (s.band, band_style(s.band)),
    )
    for i, (name, value) in enumerate(sub_scores(s)):
        header.append(("   " if i == 0 else "  ") + f"{name} ", "dim")
        header.append(value)
    parts: list[object] = [header]
    parts.extend(Text(note, style=band_style(s.band)) for note in cap_notes(s))
    if answer.question:
        parts.append(Text(f"Q: {answer.question}", style="italic"))
    parts.append(Text(""))
    plain = console.no_color or console.color_system is None
    parts.append(highlighted(answer.transcript, answer, plain=plain))
    parts.append(Text(legend(plain), style="dim"))
    console.print(Panel(Group(*parts), title=title, title_align="left"))  # type: ignore[arg-type]

    table = Table(show_header=True, header_style="dim", box=None, pad_edge=False, expand=False)
    table.add_column("measure")
    table.add_column("points", justify="right")
    table.add_column("why")
    _breakdown_rows(table, "Content", s.content.score, s.content.breakdown)
    _breakdown_rows(table, "Delivery", s.delivery.score, s.delivery.breakdown)
    if s.voice.available:
        _breakdown_rows(table, "Voice", s.voice.score, s.voice.breakdown)
    console.print(table)

    d = s.delivery
    facts = []
    if d.wpm is not None:
        facts.append(f"pace {d.wpm:.0f} wpm ({d.pace_band})")
        line = sparkline([w.wpm for w in d.pace_windows])
        if len(d.pace_windows) > 1 and line:
            facts.append(f"pace over time {line}")
    if d.fillers.count:
        top = ", ".join(f"{w} ×{n}" for w, n in d.fillers.top[:3])
        rates = []
        if d.fillers.per_min is not None:
            rates.append(f"{d.fillers.per_min:.1f}/min")
        if d.fillers.per_100_words is not None:  # None: nothing but fillers was said
            rates.append(f"{d.fillers.per_100_words:.1f}/100 words")
        said = f"{', '.join(rates)}: {top}" if rates else top
        facts.append(f"fillers {d.fillers.count} ({said})")
    if d.long_pauses:
        facts.append(
            "long pauses "
            + ", ".join(f"{p.duration:.1f}s at {p.start:.0f}s" for p in d.long_pauses[:4])
        )
    judged = s.content.relevance.get("llm")
    if isinstance(judged, dict):
        facts.append(f"relevance by the LLM {judged.get('rating')}/5")
    if s.voice.available and s.voice.pitch_sd_semitones is not None:
        flag = " (monotone)" if s.voice.monotone else ""
        facts.append(f"pitch variation {s.voice.pitch_sd_semitones:.1f} st{flag}")
    console.print(Text("  ·  ".join(facts), style="dim"), soft_wrap=False)
    from interviewsense.report.data import content_evidence

    evidence = Table(show_header=False, box=None, pad_edge=False, expand=False)
    evidence.add_column(style="dim", no_wrap=True)
    evidence.add_column()
    for key, value in content_evidence(s):
        mark = "✘ " if value == "not found" else ""
        evidence.add_row(Text(f"{mark}{key}"), Text(value))  # quotes are text, not markup
    console.print(Text(f"{s.content.structure_kind.upper()} and the evidence", style="bold"))
    console.print(evidence)

    if answer.feedback:
        console.print(Text("Feedback", style="bold"))
        advice = Table.grid(padding=(0, 1))  # a wrapped line stays under its text, not col 0
        advice.add_column(no_wrap=True, justify="right")
        advice.add_column()
        for i, item in enumerate(answer.feedback, 1):
            advice.add_row(f" {i}.", Text(item))  # Text: it quotes the answer, never markup
        console.print(advice)
    for note in answer.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if "long_pauses" in s.delivery.missing:
        named = {"wpm": "pace", "pace_windows": "", "long_pauses": "long pauses"}
        gaps = [named.get(m, m) for m in s.delivery.missing if named.get(m, m)]
        console.print(f"[dim]not measured without word times: {', '.join(gaps)}[/]")
    elif "wpm" in s.delivery.missing:
        console.print("[dim]not measured: pace (too little speech for one)[/]")
    console.print(
        f"[dim]rubric {s.rubric_version} · transcript by {answer.transcript.engine}"
        f"{' ' + answer.transcript.model if answer.transcript.model else ''}[/]"
    )


def timeline(events: list[float], duration: float, width: int = 40) -> str:
    """A one-line timeline with a mark where each event fell."""
    if duration <= 0:
        return ""
    cells = ["·"] * width
    for t in events:
        cells[min(width - 1, int(t / duration * width))] = "│"
    return "".join(cells)


def render_session(console: Console, session: Session, folder: Path | None) -> None:
    """The terminal report: each answer with its evidence, and sparklines for the charts."""
    from interviewsense.report.data import mean_text, session_report

    report = session_report(session, folder)
    console.print(
        f"[bold]{escape(session.id)}[/] · {session.type.replace('_', ' ')} · "
        f"{plural(len(report.answers), 'answer')} · "
        f"mean {mean_text(session.summary.get('overall'))}"
    )
    for a in report.answers:
        label = f"{'Follow-up' if a.follow_up else 'Question'} {a.index}"
        render_answer(console, a.answer, title=label)
        duration = a.answer.audio.duration_s if a.answer.audio else 0.0
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="dim")
        table.add_column()
        table.add_row("pace", sparkline([p[1] for p in a.pace]) or "–")
        table.add_row("fillers", timeline([t for t, _ in a.fillers], duration) or "–")
        pitch = [p[1] for p in a.pitch][:: max(1, len(a.pitch) // 40)]
        table.add_row("pitch", sparkline(list(pitch)) or "–")
        console.print(table)
    for line in report.unanswered:
        console.print(Text(line, style="dim"))


def _fmt(value: float | None, ndigits: int | None = None) -> str:
    if value is None:
        return "–"
    return f"{value if ndigits is None else round(value, ndigits):g}"


Attempt = tuple[Session, Turn]


def render_comparison(
    console: Console, steps: list[tuple[Attempt, Attempt]], *, quiet: bool = False
) -> list[tuple[str, list[Change]]]:
    """Each (earlier, later) attempt side by side; returns (question, changes) per step."""
    from interviewsense.report.progress_data import compare

    out = []
    for (s1, t1), (s2, t2) in steps:
        assert t1.answer is not None and t2.answer is not None
        changes = compare(t1.answer, t2.answer)
        out.append((t1.question.text, changes))
        if quiet:
            continue
        table = Table(title=Text(t1.question.text), title_justify="left")  # words, not markup
        table.add_column("", min_width=10, overflow="fold")  # QA: 0 wide at 40 columns
        # The start times say which attempt is which and fit 80 columns; ids would not. Two
        # in one minute (or one session's two answers) are told apart by seconds and turn.
        when1, when2 = s1.started, s2.started
        if when1 == when2:
            when1 = f"{s1.started_at[11:19]} #{t1.index}"
            when2 = f"{s2.started_at[11:19]} #{t2.index}"
        table.add_column(f"before\n{when1}", justify="right", no_wrap=True)
        table.add_column(f"after\n{when2}", justify="right", no_wrap=True)
        table.add_column("", no_wrap=True)
        for c in changes:
            mark = {
                "better": "[green]↑ better[/]",
                "worse": "[red]↓ worse[/]",
                "same": "[dim]= same[/]",
            }
            table.add_row(c.metric, _fmt(c.before, 1), _fmt(c.after, 1), mark.get(c.verdict, ""))
        console.print(table)
        better = [c.metric for c in changes if c.verdict == "better"]
        worse = [c.metric for c in changes if c.verdict == "worse"]
        console.print(f"[green]improved:[/] {', '.join(better) or 'nothing yet'}")
        console.print(f"[yellow]not improved:[/] {', '.join(worse) or 'nothing'}")
    return out


HISTORY_COLUMNS = ("day", "type", "n", "overall", "content", "delivery", "voice", "wpm", "fillers")
SUB_SCORES = ("content", "delivery", "voice")
NARROW_HISTORY = 72  # columns: under this, history leaves out the type and the three parts


def render_history(console: Console, h: History) -> None:
    if not h.points:
        console.print("no scored answers yet: start with 'interviewsense practice'")
        return
    # Fits 80 columns: the ids are in 'sessions list' and in --json.
    table = Table(
        title="Progress",
        title_justify="left",
        caption="n: answers scored · fillers: per 100 words",
        caption_justify="left",
        box=None,
        pad_edge=False,
    )
    # Narrower than the whole table (a split pane): the parts' columns go, never a number cut
    # in half (QA: "42…", "2026-…" at 40 columns).
    narrow = console.width < NARROW_HISTORY
    columns = [c for c in HISTORY_COLUMNS if not (narrow and c in ("type", *SUB_SCORES))]
    for col in columns:
        right = col not in ("day", "type")
        table.add_column(col, justify="right" if right else "left", no_wrap=True)
    for p in h.points:
        cells = {
            "day": p.day, "type": p.type, "n": str(p.answers), "overall": _fmt(p.overall),
            "content": _fmt(p.content), "delivery": _fmt(p.delivery), "voice": _fmt(p.voice),
            "wpm": _fmt(p.wpm), "fillers": _fmt(p.filler_rate),
        }  # fmt: skip
        table.add_row(*(cells[c] for c in columns))
    console.print(table)
    series: tuple[tuple[str, list[float | None]], ...] = (
        ("overall", [p.overall for p in h.points]),
        ("wpm", [p.wpm for p in h.points]),
        ("fillers", [p.filler_rate for p in h.points]),
    )
    for label, values in series:
        line = sparkline(values)
        if line.strip():  # typed answers have no pace: no line rather than an empty one
            console.print(f"{label:<8} {line}")
    for t in h.trends:
        style = {"improving": "green", "slipping": "red"}.get(t.verdict, "dim")
        console.print(
            f"[{style}]{t.verdict}[/] {t.metric}: {t.start:g} → {t.end:g} "
            f"[dim](the trend over {t.sessions} sessions)[/]"
        )
    if h.best:  # competencies are text (an LLM's too): shown as words, never as markup
        console.print(Text("best: " + ", ".join(f"{n} ({m:g})" for n, m, _ in h.best)))
    if h.weakest:
        console.print(Text("weakest: " + ", ".join(f"{n} ({m:g})" for n, m, _ in h.weakest)))
    today = " (practised today)" if h.practiced_today else ""
    console.print(f"streak: {plural(h.streak, 'day')}{today} · longest {h.longest_streak}")
