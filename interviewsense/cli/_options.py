"""Options several commands share, declared once (each reads its environment variable)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class QType(StrEnum):
    behavioral = "behavioral"
    technical = "technical"
    system_design = "system_design"
    product = "product"
    general = "general"


WhisperModel = Annotated[
    str | None,
    typer.Option(
        "--whisper-model",
        envvar="INTERVIEWSENSE_WHISPER_MODEL",
        help="Whisper model: a name (tiny.en, base.en …) or a folder.",
        show_default="tiny.en",
    ),
]
Language = Annotated[
    str | None,
    typer.Option(
        "--language",
        "-l",
        envvar="INTERVIEWSENSE_LANGUAGE",
        help="Language of the answers (picks the speech models).",
        show_default="en",
    ),
]
Rubric = Annotated[
    str | None,
    typer.Option(
        "--rubric", envvar="INTERVIEWSENSE_RUBRIC", help="A rubric.toml overriding the scoring."
    ),
]
Report = Annotated[
    str | None,
    typer.Option(
        "--report",
        help="Also write a report: md, html or json (in the session folder).",
        show_default=False,
    ),
]


def check_report(fmt: str | None) -> None:
    from interviewsense.errors import BadInputError

    if fmt and fmt not in ("md", "html", "json"):
        raise BadInputError(f"--report takes md, html or json, not '{fmt}'")


def write_report_for(session_id: str, fmt: str | None) -> None:
    if fmt:
        from interviewsense.cli._app import console
        from interviewsense.cli.sessions import write_report

        console.print(f"report written to {write_report(session_id, fmt)}")
