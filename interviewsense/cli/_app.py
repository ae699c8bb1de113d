"""The Typer app, the shared console, and the one place errors become messages and exit codes."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar, cast

import click
import typer

if TYPE_CHECKING:
    from rich.console import Console

    from interviewsense.domain import Session
    from interviewsense.storage.store import SessionStore

from interviewsense.errors import REPORT_URL, ExitCode, InterviewSenseError

ERROR_SCHEMA = "interviewsense.error/1"  # the document a failed --json run prints

P = ParamSpec("P")
R = TypeVar("R")

# Every command, in the order --help lists them (the everyday ones first), with the one-line
# summary --help shows. Each lives in ``interviewsense.cli.<name>`` as a Typer app of its own
# and is imported and built only when it runs: building all of them (Typer inspects every
# signature and evaluates every annotation) cost more than importing Typer itself, which
# ``interviewsense --help`` does not need. tests/test_startup.py checks the summaries
# against the commands' own help.
COMMANDS: dict[str, str] = {
    "practice": "Run a mock interview: hear a question, answer out loud, get scored, go again.",
    "finalize": "Transcribe a recorded answer with Whisper, score it and explain the score.",
    "batch": "Score many recorded answers or transcripts, for coaches, bootcamps and scripts.",
    "sessions": "Saved sessions: list, show, delete, export, repair, report, compare, play.",
    "history": "Your progress: scores over time, pace and filler trends, best and weakest "
    "competencies, and your practice streak.",
    "sync": "Copy sessions to Azure Blob Storage or a folder; identical files are skipped.",
    "models": "Speech models: which were found and where; download more when online.",
    "devices": "List microphones and speakers; pass a name or index to "
    "--input-device/--output-device.",
    "doctor": "Check Python, libraries, audio devices, models, LLM and Azure settings.",
    "serve": "Serve the interview engine as a web API for apps, browsers and teams.",
}


def command_app(**kwargs: Any) -> typer.Typer:
    """The Typer app one command module registers its command (or group) on."""
    return typer.Typer(
        rich_markup_mode=None, pretty_exceptions_enable=False, add_completion=False, **kwargs
    )


def build_command(name: str) -> Any:
    """Import ``interviewsense.cli.<name>`` and turn its Typer app into a Click command."""
    import importlib

    import typer.main

    module = importlib.import_module(f"interviewsense.cli.{name}")
    command = typer.main.get_command(module.app)
    command.name = name
    return command


class LazyCommands(MutableMapping[str, Any]):
    """The root group's commands, each built on first lookup (see ``COMMANDS``)."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = build_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*COMMANDS, *(n for n in self._built if n not in COMMANDS)])

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._built))


class LazyGroup(typer.core.TyperGroup):
    """The root group: lists the commands from ``COMMANDS`` and builds one only to run it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands()

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        # A bare command carrying the summary shortens it exactly as the real one would.
        rows = []
        for n in names:
            summary = COMMANDS[n] if n in COMMANDS else self.commands[n].help  # added by hand
            rows.append((n, typer.core.TyperCommand(n, help=summary).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="interviewsense",
    cls=LazyGroup,
    help="Practise job interviews out loud, offline: questions, live transcript, scores, feedback.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)


_REAL: list[Console] = []


def real_console() -> Console:
    """The stderr console itself (rich's Live and Progress need the object, not a proxy)."""
    if not _REAL:
        from rich.console import Console

        console = Console(file=_Hangup(), highlight=False)  # type: ignore[arg-type]
        console.on_broken_pipe = _stderr_gone  # type: ignore[method-assign]
        _REAL.append(console)
    return _REAL[0]


class _Hangup:
    """stderr, for the console: once the terminal is gone (its window closed: writes fail
    with EIO, before or after SIGHUP comes), writes go nowhere and the command goes on to
    stop as SIGHUP asks, saving what it recorded (a review: the error escaped mid-answer,
    exit 1, the session left in progress)."""

    @property
    def _stream(self) -> Any:
        return sys.stderr  # the one of the moment, as rich's own stderr=True reads it

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except OSError as exc:
            if not hung_up(exc):
                raise
            _stderr_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            if not hung_up(exc):
                raise
            _stderr_gone()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def hung_up(exc: OSError) -> bool:
    """Whether an error reading or writing the terminal says it has gone."""
    import errno

    return exc.errno in (errno.EIO, errno.ENXIO) and not isinstance(exc, BrokenPipeError)


def _stderr_gone() -> None:
    """Whoever read stderr has gone (``practice 2>&1 | head``): the command carries on without
    its human output, so a session still records and saves every answer. Rich's own handler
    would exit 1 in the middle of the session."""
    from interviewsense.fsutil import to_devnull

    if sys.stderr is not None:
        to_devnull(sys.stderr)
    real_console().quiet = True


class _LazyConsole:
    """Stands for the stderr console until first use: importing rich.console costs ~25 ms
    that ``interviewsense --help`` does not need."""

    def __getattr__(self, name: str) -> Any:
        return getattr(real_console(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(real_console(), name, value)


console = cast("Console", _LazyConsole())


@dataclass
class State:
    debug: bool = False
    secrets: list[str] = field(default_factory=list)
    emitted: bool = False  # the run's one ``--json`` document is out


state = State()


def scrub(text: str) -> str:
    """Remove every known secret value from ``text`` before it is shown."""
    for secret in state.secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def print_error(message: str, hint: str | None = None, *, stopped: bool = False) -> None:
    """One error line and its hint; their text is printed as it is (``[cluster]`` in a pip
    command is not rich markup). ``stopped``: the user stopped the command, which is no
    error: "stopped:" leads the line."""
    from rich.markup import escape

    label = "[bold yellow]stopped:[/]" if stopped else "[bold red]error:[/]"
    console.print(f"{label} {escape(scrub(message))}", soft_wrap=True)
    if hint:
        console.print(f"[dim]hint:[/] {escape(scrub(hint))}", soft_wrap=True)


def debugging() -> bool:
    """Whether tracebacks are wanted: ``--debug``, or the ``debug`` setting (environment,
    config), which an error may have struck before the command loaded its settings."""
    if state.debug:
        return True
    from interviewsense.config import load_settings

    try:
        return load_settings().debug
    except Exception:  # a broken config: it is the error being reported
        return False


def print_traceback() -> None:
    """The traceback being handled, with its chained causes, secrets scrubbed (--debug)."""
    if sys.stderr is None:  # started without one (2>&-)
        return
    try:
        sys.stderr.write(scrub(traceback.format_exc()))
        sys.stderr.flush()
    except BrokenPipeError:
        _stderr_gone()


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """The one error mapper every command runs through. Our errors become one line, a hint
    and their exit code; anything else is a bug: one line naming where to report it, exit
    code ``BUG``. ``--debug`` adds the traceback, with the cause each error was raised from."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        as_json = bool(kwargs.get("as_json"))  # every command names its --json flag as_json
        state.emitted = False
        if _REAL:  # a console silenced by an earlier run's reader leaving (one process)
            _REAL[0].quiet = False
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort):
            raise  # an ending chosen on purpose (Typer's and Click's own) keeps its code
        except click.ClickException:
            raise  # a usage error Click reports with its own code (2)
        except InterviewSenseError as exc:
            if debugging():
                print_traceback()
            fail(exc.message, exc.hint, exc.exit_code, as_json)
        except KeyboardInterrupt:
            console.print("[yellow]interrupted[/]")
            if as_json:
                emit_error("interrupted", None, ExitCode.INTERRUPTED)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:
            debug = debugging()
            if debug:
                print_traceback()
            fail(
                f"this is a bug in InterviewSense (unexpected {type(exc).__name__}: "
                f"{_first_line(exc)}); please report it at {REPORT_URL}",
                "the traceback is above; include it in the report"
                if debug
                else "run the command again with --debug and include the traceback it shows",
                ExitCode.BUG,
                as_json,
            )

    return wrapper


def fail(message: str, hint: str | None, code: ExitCode, as_json: bool) -> NoReturn:
    """End the command on an error: the line and hint on stderr, with ``--json`` the error
    document on stdout too (unless the command's own document is already out), and the code."""
    print_error(message, hint, stopped=code == ExitCode.INTERRUPTED)
    if as_json:
        emit_error(message, hint, code)
    raise typer.Exit(int(code)) from None  # with --debug, the traceback above has the cause


def emit_error(message: str, hint: str | None, code: ExitCode) -> None:
    """A ``--json`` run that fails still prints one document: ``{schema, error, hint,
    exit_code}``, the web API's ``{error, hint}`` with the exit code (docs/architecture.md)."""
    if not state.emitted:
        emit_json({"schema": ERROR_SCHEMA, "error": message, "hint": hint, "exit_code": int(code)})


def _first_line(exc: BaseException) -> str:
    lines = scrub(str(exc)).strip().splitlines()  # scrubbed whole: a cut secret is not matched
    return lines[0][:200] if lines else "no message"


def emit_json(data: Any) -> None:
    """The one machine-readable document of a ``--json`` run, on stdout."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=2)
    state.emitted = True
    try:
        sys.stdout.write(scrub(text) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        from interviewsense.fsutil import to_devnull

        to_devnull(sys.stdout)  # the reader left (``| head``); what was saved stays saved


def load(ctx: typer.Context | None = None) -> Any:
    """The settings, with the flags given on this command line on top (a parameter named
    after a setting is that setting's flag, see ``_options.setting_option``); every command
    resolves settings this way. Remembers the secrets for scrubbing."""
    from interviewsense.config import SETTING, load_settings

    labelled: dict[str, tuple[Any, str]] = {}
    node: Any = ctx
    while node is not None:  # the command's flags, then the root's (--debug)
        for name, value in node.params.items():
            src = node.get_parameter_source(name)
            given = src is not None and src.name not in ("DEFAULT", "DEFAULT_MAP")
            if name in SETTING and value is not None and given and name not in labelled:
                labelled[name] = (value, "flag")
        node = node.parent
    settings = load_settings(labelled)
    state.secrets = settings.secrets()
    state.debug = state.debug or settings.debug
    return settings


def readable_sessions(
    store: SessionStore, left_out: dict[str, list[str]] | None = None
) -> list[Session]:
    """Every session that can be read; the damaged ones are left out and named, since a
    silent gap would read as no practice that day (history, compare). ``left_out`` gets
    their ids, ``damaged`` and ``newer`` (for a JSON document: history --json)."""
    from interviewsense.scoring.text import plural
    from interviewsense.storage.store import NewerSessionError, UnreadableSessionError

    sessions: list[Session] = []
    damaged: list[str] = []
    newer: list[str] = []
    unreadable: list[str] = []
    if left_out is not None:
        left_out.update(damaged=damaged, newer=newer, unreadable=unreadable)
    for sid in store.ids():
        try:
            sessions.append(store.load(sid))
        except NewerSessionError:  # not damaged: repair leaves it (a review)
            newer.append(sid)
        except UnreadableSessionError:  # not damaged either: a permission (a review)
            unreadable.append(sid)
        except InterviewSenseError:
            damaged.append(sid)
    if damaged:
        console.print(
            f"[yellow]left out {plural(len(damaged), 'damaged session')}: "
            f"{', '.join(damaged)}; 'interviewsense sessions repair' may recover them[/]"
        )
    if unreadable:
        console.print(
            f"[yellow]left out {plural(len(unreadable), 'session')} this user may not read: "
            f"{', '.join(unreadable)}; make their session.json readable (chmod u+r)[/]"
        )
    if newer:
        console.print(
            f"[yellow]left out {plural(len(newer), 'session')} saved by a newer "
            f"InterviewSense: {', '.join(newer)}; upgrade to read them[/]"
        )
    return sessions
