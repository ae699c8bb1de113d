"""One entry point for reports in every format: terminal, md, html, json."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from interviewsense.domain import REPORT_SCHEMA, REPORT_TITLE, ReportFormat, Session, to_json
from interviewsense.report.data import series_json, session_report


def render(session: Session, folder: Path | None, fmt: ReportFormat) -> str:
    report = session_report(session, folder)
    if fmt == "html":
        from interviewsense.report.html import render_html

        return render_html(report)
    if fmt == "md":
        from interviewsense.report.markdown import render_markdown

        return render_markdown(report)
    data = {"schema": REPORT_SCHEMA, "session": to_json(session), "series": series_json(report)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@functools.cache
def _report_heads() -> tuple[re.Pattern[str], ...]:
    """What the first characters of a report this tool wrote look like, in each format: HTML
    and Markdown name it; JSON opens with its schema (before it had one, with its session);
    the terminal's plain text with the session's id."""
    from interviewsense.storage.store import SESSION_ID

    sid = SESSION_ID.pattern.strip("^$")
    title = re.escape(REPORT_TITLE)
    return (
        re.compile(rf"<!doctype html>.{{0,300}}<title>{title}", re.I | re.S),
        re.compile(rf"# {title}"),
        re.compile(rf'\{{\s*"schema":\s*"{re.escape(REPORT_SCHEMA)}"'),
        re.compile(rf'\{{\s*"session":\s*\{{\s*"id":\s*"{sid}"'),
        re.compile(rf"{sid} · "),
    )


def is_report(path: Path) -> bool:
    """Whether ``path`` is empty or holds a report this tool wrote, so writing a report over
    it loses nothing else (a review: ``-o victim.wav`` replaced a recording): what
    ``sessions report -o`` may replace."""
    try:
        with path.open("rb") as fh:
            head = fh.read(600).decode("utf-8", errors="replace")
    except OSError:
        return False
    return not head or any(r.match(head) for r in _report_heads())
