"""Options several commands share, declared once. A setting's flag derives from its
declaration in ``config.Settings``; ``_app.load(ctx)`` reads it back by the setting's name."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from interviewsense.config import SETTING
from interviewsense.domain import ReportFormat


def setting_option(name: str, **extra: Any) -> Any:
    """The CLI option of setting ``name``: its flags and help from the declaration, and no
    ``envvar`` (the environment is read by ``load_settings``, in one precedence order)."""
    s = SETTING[name]
    if not s.flags:
        raise ValueError(f"setting {name} declares no CLI flag")
    shown: str | bool = str(s.default) if s.default not in ("", 0, 0.0) else False
    if s.kind is bool:
        shown = False
    env = ", ".join(s.env)
    return typer.Option(*s.flags, help=f"{s.help} [env: {env}]", show_default=shown, **extra)


WhisperModel = Annotated[str | None, setting_option("whisper_model")]
FinalStt = Annotated[str | None, setting_option("stt_final_engine")]
Language = Annotated[str | None, setting_option("language")]
Rubric = Annotated[str | None, setting_option("rubric")]
Report = Annotated[
    ReportFormat | None,
    typer.Option(
        "--report",
        help="Also write a report: md, html or json (in the session folder).",
        show_default=False,
    ),
]


def write_report_for(session_id: str, fmt: ReportFormat | None) -> None:
    if fmt:
        from interviewsense.cli._app import console
        from interviewsense.cli.sessions import write_report

        written = write_report(session_id, fmt)
        console.print(f"report written to {written}", soft_wrap=True)  # copied whole
