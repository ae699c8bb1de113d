"""One entry point for reports in every format: terminal, md, html, json."""

from __future__ import annotations

import json
from pathlib import Path

from interviewsense.domain import REPORT_SCHEMA, ReportFormat, Session, to_json
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
