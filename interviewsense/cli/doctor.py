"""``interviewsense doctor``: is everything in place? What is missing, and how to fix it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from interviewsense.cli._app import command_app, console, emit_json, guarded, load
from interviewsense.errors import MissingDependencyError, ServiceError

if TYPE_CHECKING:
    from interviewsense.config import Settings
    from interviewsense.diagnostics import Check

app = command_app()
FIX_HINT = 'each check\'s hint (→, or "hint" in the JSON) says what to do'


@app.command()
@guarded
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
    settings_table: Annotated[
        bool, typer.Option("--settings/--no-settings", help="Also list every setting's source.")
    ] = True,
) -> None:
    """Check Python, libraries, audio devices, models, LLM and Azure settings."""
    from interviewsense.diagnostics import run_checks

    settings = load()
    checks = run_checks(settings)
    if as_json:
        emit_json(
            {
                "checks": [c.__dict__ for c in checks],
                "settings": settings.public(),
                "sources": settings.sources,
            }
        )
    else:
        _show(checks, settings, settings_table)
    missing = [c.name for c in checks if c.status == "missing" and c.required]
    if missing:
        raise MissingDependencyError(f"missing: {', '.join(missing)}", hint=FIX_HINT)
    failed = [c.name for c in checks if c.status == "fail"]
    if failed:
        raise ServiceError(f"not working: {', '.join(failed)}", hint=FIX_HINT)


def _show(checks: list[Check], settings: Settings, settings_table: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="interviewsense doctor", title_justify="left")
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")  # paths stay whole, wrapped
    style = {"ok": "green", "missing": "red", "fail": "red", "warn": "yellow", "info": "dim"}
    for c in checks:
        detail = Text(c.detail)
        if c.hint:
            detail.append(f"\n→ {c.hint}", style="dim")
        table.add_row(c.name, Text(c.status, style=style.get(c.status, "")), detail)
    console.print(table)
    if settings_table:
        st = Table(
            title="Settings (flag > environment > .env > config.toml > default)",
            title_justify="left",
        )
        st.add_column("setting")
        st.add_column("value", overflow="fold")
        st.add_column("from")
        for name, value in settings.public().items():
            st.add_row(name, str(value), settings.sources.get(name, ""))
        console.print(st)
        cfg = settings.config_file
        found = "" if cfg is not None and cfg.is_file() else " (not found: the defaults apply)"
        console.print(f"[dim]config file: {escape(str(cfg))}{found}[/]")
