"""A session report as one self-contained HTML file: inline CSS and SVG, nothing fetched,
so it opens offline and can be mailed to a coach."""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

from interviewsense.domain import REPORT_TITLE, Component
from interviewsense.report.charts import filler_chart, pace_chart, pitch_chart, scoped
from interviewsense.report.data import (
    AnswerReport,
    SessionReport,
    cap_notes,
    content_evidence,
    mean_text,
    sub_scores,
    summed,
)
from interviewsense.scoring.rubric import load_rubric
from interviewsense.scoring.text import plural


@cache
def _css() -> str:
    return resources.files("interviewsense.report").joinpath("report.css").read_text("utf-8")


def _band_class(band: str) -> str:
    return band.replace(" ", "-")


def _rows(title: str, score: int | None, parts: list[Component]) -> str:
    shown = "–" if score is None else str(score)
    out = [
        f"<tr><th>{escape(title)}</th><td>{escape(summed(score, parts))}</td>"
        f'<th class="pts">{shown}</th></tr>'
    ]
    for p in parts:
        out.append(
            f'<tr><td class="name">{escape(p.name)}</td><td>{escape(p.why)}</td>'
            f'<td class="pts">{p.points:g} / {p.max_points:g}</td></tr>'
        )
    return "".join(out)


def _answer(a: AnswerReport) -> str:
    s = a.answer.scores
    label = "Follow-up" if a.follow_up else "Question"
    parts = [f'<section class="card" id="answer-{a.index}">']
    parts.append(
        f"<h2>{label} {a.index}</h2>"
        f'<p dir="auto"><em>{escape(a.question or "(no question given)")}</em></p>'
    )
    parts.append(
        f'<p><span class="score {_band_class(s.band)}">{s.overall}</span>'
        f'<span class="band {_band_class(s.band)}">{escape(s.band)}</span></p>'
        '<p class="subs">'
        + "".join(f"<span>{name} {escape(value)}</span>" for name, value in sub_scores(s))
        + "</p>"
    )
    if s.caps:
        caps = "; ".join(cap_notes(s))
        parts.append(f'<p class="caps">{escape(caps)}</p>')
    spans = []
    for piece in a.pieces:
        text = escape(piece.text)
        if piece.kind == "pause":
            spans.append(f'<span class="pause">pause {text}</span>')
        elif piece.kind:
            spans.append(f'<span class="{piece.kind}">{text}</span>')
        else:
            spans.append(text)
    body = " ".join(spans) or "<em>(no speech)</em>"
    parts.append(f'<h3>Transcript</h3><p class="transcript" dir="auto">{body}</p>')
    parts.append(
        '<p class="legend"><span class="filler">filler</span><span class="hedge">hedge'
        '</span><span class="repeat">repeat</span><span class="pause">long pause'
        "</span></p>"
    )
    evidence = content_evidence(s)
    if evidence:
        rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in evidence)
        parts.append(f'<h3>The evidence</h3><table class="evidence">{rows}</table>')
    if a.answer.feedback:
        items = "".join(f"<li>{escape(f)}</li>" for f in a.answer.feedback)
        parts.append(f'<h3>Feedback</h3><ol class="feedback">{items}</ol>')
    duration = a.answer.audio.duration_s if a.answer.audio else 0.0
    rubric = load_rubric()  # the band the built-in rubric gives full pace points in
    lo, hi = rubric.num("delivery", "pace_ideal_low"), rubric.num("delivery", "pace_ideal_high")
    window = rubric.num("delivery", "pace_window_s")
    charts = (
        ("pace", pace_chart(a.pace, (lo, hi), window),
         f"Pace over the answer ({window:g} s windows); the band is {lo:g}–{hi:g} words a minute."),
        ("fillers", filler_chart(a.fillers, duration, s.delivery.fillers.count),
         "Filler timeline: when each filler came."),
        ("pitch", pitch_chart(a.pitch),
         "Pitch contour: a voice that moves keeps listeners with you."),
    )  # fmt: skip
    for kind, svg, caption in charts:  # an image named by its caption, for screen readers
        svg = scoped(svg, f"{kind}-{a.index}")
        labelled = svg.replace("<svg", f'<svg role="img" aria-labelledby="{kind}-{a.index}-c"', 1)
        parts.append(
            f'<figure id="{kind}-{a.index}" class="chart {kind}">{labelled}'
            f'<figcaption id="{kind}-{a.index}-c">{caption}</figcaption></figure>'
        )
    parts.append("<h3>Every number, explained</h3><table>")
    parts.append(_rows("Content", s.content.score, s.content.breakdown))
    parts.append(_rows("Delivery", s.delivery.score, s.delivery.breakdown))
    if s.voice.available:
        parts.append(_rows("Voice", s.voice.score, s.voice.breakdown))
    parts.append("</table>")
    parts.append(
        f'<p class="meta">rubric {escape(s.rubric_version)} · transcript by '
        f"{escape(a.answer.transcript.engine)} {escape(a.answer.transcript.model)}</p>"
    )
    parts.append("</section>")
    return "".join(parts)


def render_html(report: SessionReport) -> str:
    s = report.session
    summary = s.summary
    overall = summary.get("overall")
    head = (
        f'<h1>{REPORT_TITLE}</h1><p class="meta">session {escape(s.id)} · '
        f"{escape(s.started)} · {escape(s.type.replace('_', ' '))}"
        + (f" · {escape(s.persona)} interviewer" if s.persona else "")
        + f" · {plural(len(report.answers), 'answer')}"
        + (f" · mean score {mean_text(overall)}" if overall is not None else "")
        + "</p>"
    )
    assessment = summary.get("assessment")
    extra = ""
    if isinstance(assessment, dict):
        strengths = "".join(f"<li>{escape(str(x))}</li>" for x in assessment.get("strengths", []))
        gaps = "".join(f"<li>{escape(str(x))}</li>" for x in assessment.get("gaps", []))
        outlines = "".join(
            f"<li><em>{escape(str(m.get('question', '')))}</em><br>"
            f"{escape(str(m.get('outline', '')))}</li>"
            for m in assessment.get("model_answers", [])
        )
        extra = (
            '<section class="card"><h2>Assessment</h2>'
            + (f"<h3>Strengths</h3><ul>{strengths}</ul>" if strengths else "")
            + (f"<h3>Work on</h3><ul>{gaps}</ul>" if gaps else "")
            + (f"<h3>How a strong answer would go</h3><ol>{outlines}</ol>" if outlines else "")
            + "</section>"
        )
    answers = "".join(_answer(a) for a in report.answers)
    if report.unanswered:
        items = "".join(f'<li dir="auto">{escape(u)}</li>' for u in report.unanswered)
        answers += f'<section class="card"><h2>Not answered</h2><ul>{items}</ul></section>'
    answers = answers or "<p>No answers yet.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{REPORT_TITLE} {escape(s.id)}</title><style>{_css()}</style></head>"
        f"<body><main>{head}{answers}{extra}</main></body></html>\n"
    )
