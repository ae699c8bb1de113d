"""Rich rendering of a scored answer: highlighted transcript, scores with their evidence,
and the feedback. Everything goes to the console it is given (stderr in the CLI)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from interviewsense.domain import Answer, Component, Mark, Pause, Transcript

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


def highlighted(transcript: Transcript, answer: Answer) -> Text:
    d = answer.scores.delivery
    styles: dict[int, str] = {}
    for marks, style in (
        (d.fillers.items, "bold yellow"),
        (d.hedges.items, "magenta"),
        (d.repetitions, "red"),
    ):
        for start, n in _spans(marks).items():
            for k in range(start, start + n):
                styles.setdefault(k, style)
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
        text.append(w.w, style=styles.get(i, ""))
        if i in pauses:
            text.append(f" ⏸ {pauses[i].duration:.1f}s", style="bold cyan")
    return text


def _breakdown_rows(table: Table, title: str, score: int | None, parts: list[Component]) -> None:
    shown = "–" if score is None else str(score)
    table.add_row(Text(title, style="bold"), Text(shown, style="bold"), "")
    for p in parts:
        table.add_row(f"  {p.name}", f"{p.points:g}/{p.max_points:g}", p.why)


def render_answer(console: Console, answer: Answer, *, title: str = "Your answer") -> None:
    s = answer.scores
    header = Text.assemble(
        (f"{s.overall}", band_style(s.band) + " bold"),
        ("/100  ", "dim"),
        (s.band, band_style(s.band)),
        ("   content ", "dim"),
        (str(s.content.score), ""),
        ("  delivery ", "dim"),
        ("–" if s.delivery.score is None else str(s.delivery.score), ""),
        ("  voice ", "dim"),
        ("–" if s.voice.score is None else str(s.voice.score), ""),
    )
    parts: list[object] = [header]
    if answer.question:
        parts.append(Text(f"Q: {answer.question}", style="italic"))
    parts.append(Text(""))
    parts.append(highlighted(answer.transcript, answer))
    legend = Text("yellow: fillers  magenta: hedges  red: repeats  ⏸: long pauses", style="dim")
    parts.append(legend)
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
        rate = f"{d.fillers.per_min:.1f}/min, " if d.fillers.per_min is not None else ""
        facts.append(
            f"fillers {d.fillers.count} ({rate}{d.fillers.per_100_words:.1f}/100 words: {top})"
        )
    if d.long_pauses:
        facts.append(
            "long pauses "
            + ", ".join(f"{p.duration:.1f}s at {p.start:.0f}s" for p in d.long_pauses[:4])
        )
    star = s.content.structure
    facts.append(
        s.content.structure_kind.upper()
        + " "
        + " ".join(("✔" if v.found else "✘") + k for k, v in star.items())
    )
    if s.voice.available and s.voice.pitch_sd_semitones is not None:
        flag = " (monotone)" if s.voice.monotone else ""
        facts.append(f"pitch variation {s.voice.pitch_sd_semitones:.1f} st{flag}")
    console.print(Text("  ·  ".join(facts), style="dim"), soft_wrap=False)

    if answer.feedback:
        console.print(Text("What to work on", style="bold"))
        for i, item in enumerate(answer.feedback, 1):
            console.print(f" {i}. {item}", soft_wrap=False)
    for note in answer.notes:
        console.print(f"[yellow]note:[/] {note}")
    if s.delivery.missing:
        console.print(f"[dim]not measured without word times: {', '.join(s.delivery.missing)}[/]")
    console.print(
        f"[dim]rubric {s.rubric_version} · transcript by {answer.transcript.engine}"
        f"{' ' + answer.transcript.model if answer.transcript.model else ''}[/]"
    )
