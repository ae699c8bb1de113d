"""A session report in Markdown: the same content as the HTML one, with sparklines for the
charts (so it reads in a terminal, a README or a chat)."""

from __future__ import annotations

import re

from interviewsense.domain import REPORT_TITLE
from interviewsense.report.data import (
    AnswerReport,
    SessionReport,
    cap_notes,
    content_evidence,
    mean_text,
    sub_scores,
    summed,
)
from interviewsense.report.terminal import sparkline
from interviewsense.scoring.text import plural

MARK = {"filler": ("**", "**"), "hedge": ("_", "_"), "repeat": ("~~", "~~"), "pause": ("`⏸ ", "`")}


_MARKUP = re.compile(r"([\\`*_~\[\]#])")  # what would make the words bold, code or a link
_BLOCK_START = re.compile(r"^(\s*\d*)([.)+-])(?=\s)")  # "1. ", "2) ", "- ", "+ " at the start


def _md(text: str, cell: bool = False) -> str:
    """Words from an answer, a question or a model, as Markdown text: raw HTML ("<script>")
    is shown, never run by a viewer; Markdown in them is shown as typed (QA: "**stars**"
    read as a filler's bold, "[link](…)" became a link); in a table cell a "|" does not
    end the cell."""
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _MARKUP.sub(r"\\\1", out)
    # Nor a list: words that open with "1. " or "- " (a transcript, an outline) are words.
    out = _BLOCK_START.sub(r"\1\\\2", out)
    return out.replace("|", "\\|").replace("\n", " ") if cell else out


def _answer(a: AnswerReport) -> list[str]:
    s = a.answer.scores
    lines = [
        f"## {'Follow-up' if a.follow_up else 'Question'} {a.index}",
        "",
        f"> {_md(a.question) or '(no question given)'}",
        "",
        f"**{s.overall}/100 · {s.band}** — "
        + " · ".join(f"{name} {value}" for name, value in sub_scores(s)),
        "",
    ]
    for note in cap_notes(s):
        lines.append(f"*{_md(note[0].upper() + note[1:])}.*")
    text = " ".join(
        f"{MARK[p.kind][0]}{_md(p.text)}{MARK[p.kind][1]}" if p.kind else _md(p.text)
        for p in a.pieces
    )
    lines += [
        "",
        "### Transcript",
        "",
        text or "*(no speech)*",
        "",
        "**bold**: fillers · _italic_: hedges · ~~struck~~: repeats · `⏸`: long pauses",
        "",
    ]
    evidence = content_evidence(s)
    if evidence:
        lines += ["### The evidence", "", "| | |", "|---|---|"]
        lines += [f"| {_md(k, cell=True)} | {_md(v, cell=True)} |" for k, v in evidence]
        lines.append("")
    if a.answer.feedback:
        lines += ["### Feedback", ""]
        lines += [f"{i}. {_md(f)}" for i, f in enumerate(a.answer.feedback, 1)]
        lines.append("")
    lines += ["### Over time", "", "| | |", "|---|---|"]
    lines.append(
        f"| pace (wpm, 10 s windows) | `{sparkline([p[1] for p in a.pace]) or '–'}` "
        f"{', '.join(f'{p[1]:.0f}' for p in a.pace)} |"
    )
    lines.append(f"| fillers | {', '.join(f'{w} at {t:.0f}s' for t, w in a.fillers) or 'none'} |")
    pitch = [p[1] for p in a.pitch][:: max(1, len(a.pitch) // 40)]
    lines.append(f"| pitch | `{sparkline(list(pitch)) or '–'}` |")
    lines += ["", "### Every number, explained", "", "| measure | points | why |", "|---|---|---|"]
    for title, score, parts in (
        ("Content", s.content.score, s.content.breakdown),
        ("Delivery", s.delivery.score, s.delivery.breakdown),
        *((("Voice", s.voice.score, s.voice.breakdown),) if s.voice.available else ()),
    ):  # no Voice block for an answer with no recording, as the HTML report
        lines.append(
            f"| **{title}** | **{'–' if score is None else score}** | {summed(score, parts)} |"
        )
        lines += [f"| {p.name} | {p.points:g}/{p.max_points:g} | {_md(p.why, cell=True)} |"
                  for p in parts]  # fmt: skip
    lines.append("")
    return lines


def render_markdown(report: SessionReport) -> str:
    s = report.session
    lines = [
        f"# {REPORT_TITLE} — {s.id}",
        "",
        f"{s.started} · {s.type.replace('_', ' ')} · "
        f"{plural(len(report.answers), 'answer')} · "
        f"mean score {mean_text(s.summary.get('overall'))}",
        "",
    ]
    for a in report.answers:
        lines += _answer(a)
    if report.unanswered:
        lines += ["## Not answered", "", *(f"- {_md(u)}" for u in report.unanswered), ""]
    assessment = s.summary.get("assessment")
    if isinstance(assessment, dict):
        lines += ["## Assessment", ""]
        lines += [f"- strength: {_md(str(x))}" for x in assessment.get("strengths", [])]
        lines += [f"- work on: {_md(str(x))}" for x in assessment.get("gaps", [])]
        for m in assessment.get("model_answers", []):
            outline = _md(str(m.get("outline", "")))
            lines += ["", f"**{_md(str(m.get('question', '')))}**", "", outline]
    return "\n".join(lines).rstrip() + "\n"
