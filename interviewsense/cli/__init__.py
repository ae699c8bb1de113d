"""The command line: a Typer app with one thin module per command.

Importing this package must stay cheap: no numpy, Whisper, VOSK, OpenAI or Azure here.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from interviewsense import __version__
from interviewsense.cli._app import app, console, state
from interviewsense.errors import ExitCode


def _version(value: bool) -> None:
    if value:
        typer.echo(f"interviewsense {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="INTERVIEWSENSE_DEBUG", help="Show tracebacks on errors."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Practise job interviews out loud, offline: questions, live transcript, scores, feedback."""
    state.debug = debug


# Commands register themselves on ``app`` when imported.
from interviewsense.cli import (  # noqa: E402,F401
    batch,
    devices,
    doctor,
    finalize,
    models,
    practice,
    sessions,
    sync,
)


def main() -> None:
    """Console entry point."""
    state.debug = os.environ.get("INTERVIEWSENSE_DEBUG", "") not in ("", "0", "false")
    try:
        app()
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        sys.exit(int(ExitCode.INTERRUPTED))
