"""The command line: a Typer app with one thin module per command.

Importing this package must stay cheap: no numpy, Whisper, VOSK, OpenAI or Azure here.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Annotated, NoReturn

import typer

from interviewsense import __version__
from interviewsense.cli._app import app, console, guarded, state
from interviewsense.cli._options import setting_option
from interviewsense.errors import ExitCode


def _version(value: bool) -> None:
    if value:
        typer.echo(f"interviewsense {__version__}")
        raise typer.Exit()


@app.callback()
@guarded
def root(
    debug: Annotated[bool | None, setting_option("debug")] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Practise job interviews out loud, offline: questions, live transcript, scores, feedback."""
    state.debug = bool(debug)  # the setting (environment, config) joins in _app.load
    _repair_left_behind()


def _repair_left_behind() -> None:
    """Any command first repairs sessions a crash left unfinished (docs/reliability.md)."""
    from rich.markup import escape

    from interviewsense.cli.sessions import typed_rescorer
    from interviewsense.config import load_settings
    from interviewsense.errors import InterviewSenseError
    from interviewsense.storage.repair import repair_abandoned
    from interviewsense.storage.store import SessionStore

    try:
        settings = load_settings()
        store = SessionStore(settings.sessions_dir)
        reports = repair_abandoned(store, typed_rescorer(settings))
    except (InterviewSenseError, OSError):
        return  # the command itself will say what is wrong with the settings or the disk
    for r in reports:
        console.print(
            f"[yellow]note:[/] session {r.session_id} was left unfinished (a crash or a full disk "
            f"stopped it); {escape(r.describe())} ('interviewsense sessions show {r.session_id}')",
            soft_wrap=True,
        )


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops a command the way Ctrl-C does: state saved, 130


def _reopen_closed_streams() -> None:
    """Started with stdin, stdout or stderr closed (``2>&-``): /dev/null takes its place.
    Otherwise the first file we open would get that descriptor, and whatever a library
    writes to "stderr" would land in a session file or a recording."""
    import os

    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor: this one
            if opened != fd:
                os.dup2(opened, fd)
                os.close(opened)
            setattr(sys, name, open(fd, mode, closefd=False))  # noqa: SIM115


GLOBAL_FLAGS = ("--debug",)  # the app's own options, taken after a subcommand's name too


def _global_flags_first(args: list[str]) -> list[str]:
    """``interviewsense finalize a.wav --debug`` as ``interviewsense --debug finalize a.wav``
    (QA: "No such option: --debug", exit 2, after the subcommand); never after ``--``."""
    end = args.index("--") if "--" in args else len(args)
    moved = [a for a in args[:end] if a in GLOBAL_FLAGS]
    return moved + [a for a in args[:end] if a not in GLOBAL_FLAGS] + args[end:]


def main() -> None:
    """Console entry point."""
    import signal

    from interviewsense.interrupts import TERMINATING

    _reopen_closed_streams()
    for terminating in TERMINATING:
        signal.signal(terminating, _sigterm)
    try:
        app(args=_global_flags_first(sys.argv[1:]), prog_name="interviewsense")
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]")
        _stopped()
    except SystemExit as exc:
        if exc.code == int(ExitCode.INTERRUPTED):
            _stopped()
        raise


def _stopped() -> NoReturn:
    """Exit 130 now that what was recorded is saved, without the interpreter's teardown: a
    second Ctrl-C can leave a speech model's native worker threads running, and tearing the
    interpreter down under them crashed the process (SIGSEGV, or C++'s terminate), so the
    shell saw a crash where a stop was saved (a review)."""
    import logging

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    logging.shutdown()
    os._exit(int(ExitCode.INTERRUPTED))
