"""The Typer app, the shared console, and the one place errors become messages and exit codes."""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console

from interviewsense.errors import ExitCode, InterviewSenseError

P = ParamSpec("P")
R = TypeVar("R")

# The order commands are listed in --help: the everyday ones first.
ORDER = (
    "practice",
    "finalize",
    "batch",
    "sessions",
    "history",
    "sync",
    "models",
    "devices",
    "doctor",
)


class OrderedGroup(typer.core.TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        names = list(self.commands)
        return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


app = typer.Typer(
    name="interviewsense",
    cls=OrderedGroup,
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

        _REAL.append(Console(stderr=True, highlight=False))
    return _REAL[0]


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


state = State()


def scrub(text: str) -> str:
    """Remove every known secret value from ``text`` before it is shown."""
    for secret in state.secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def print_error(message: str, hint: str | None = None) -> None:
    console.print(f"[bold red]error:[/] {scrub(message)}", soft_wrap=True, markup=True)
    if hint:
        console.print(f"[dim]hint:[/] {scrub(hint)}", soft_wrap=True)


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a command: our errors become one line + hint + exit code; others a short line."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except InterviewSenseError as exc:
            if state.debug:
                traceback.print_exc()
            print_error(exc.message, exc.hint)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            console.print("[yellow]interrupted[/]")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:
            if state.debug:
                traceback.print_exc()
            print_error(
                f"unexpected {type(exc).__name__}: {str(exc)[:200]}",
                "run again with --debug for the details, and please report it",
            )
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None

    return wrapper


def emit_json(data: Any) -> None:
    """The one machine-readable document of a ``--json`` run, on stdout."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(scrub(text) + "\n")
    sys.stdout.flush()


def load(overrides: Mapping[str, Any] | None = None, ctx: typer.Context | None = None) -> Any:
    """Settings with the command's flags on top; remembers secrets for scrubbing."""
    from interviewsense.config import load_settings

    labelled: dict[str, tuple[Any, str]] = {}
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        source = "flag"
        if ctx is not None:
            src = ctx.get_parameter_source(name)
            if src is not None and src.name == "ENVIRONMENT":
                source = "environment"
            elif src is not None and src.name in ("DEFAULT", "DEFAULT_MAP"):
                continue
        labelled[name] = (value, source)
    settings = load_settings(labelled)
    state.secrets = settings.secrets()
    state.debug = state.debug or settings.debug
    return settings
