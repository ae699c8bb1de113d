"""``interviewsense history``: progress across sessions."""

from __future__ import annotations

from typing import Annotated

import typer

from interviewsense.cli._app import (
    command_app,
    console,
    emit_json,
    guarded,
    load,
    readable_sessions,
)
from interviewsense.domain import InterviewType

app = command_app()


@app.command()
@guarded
def history(
    qtype: Annotated[
        InterviewType | None, typer.Option("--type", "-t", help="Only this interview type.")
    ] = None,
    question: Annotated[
        str,
        typer.Option("--question", "-q", help="Only answers to this question (part of its text)."),
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the history as JSON.")] = False,
) -> None:
    """Your progress: scores over time, pace and filler trends, best and weakest
    competencies, and your practice streak."""
    from dataclasses import asdict

    from rich.markup import escape

    from interviewsense.report.progress_data import history as compute
    from interviewsense.report.terminal import render_history
    from interviewsense.storage.store import SessionStore

    left_out: dict[str, list[str]] = {}
    sessions = readable_sessions(SessionStore(load().sessions_dir), left_out)
    result = compute(sessions, qtype=qtype or "", question=question)
    if as_json:
        from interviewsense.domain import HISTORY_SCHEMA

        # What is not counted, by id (a review: only stderr said so, not the document).
        emit_json({"schema": HISTORY_SCHEMA, **asdict(result), "left_out": left_out})
        return
    if not result.points and (qtype or question):
        shown = " and ".join(
            x
            for x in (
                f"type {qtype}" if qtype else "",
                f"question '{question}'" if question else "",
            )
            if x
        )
        console.print(f"no scored answers match {escape(shown)}: try without the filter")
        return
    render_history(console, result)
