"""``interviewsense sessions``: list, show, delete, export saved sessions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

if TYPE_CHECKING:
    from interviewsense.storage.store import SessionStore

from interviewsense.cli._app import app, console, emit_json, guarded, load

sessions_app = typer.Typer(
    help="Saved sessions: list, show, delete, export, repair, report.", no_args_is_help=True
)
app.add_typer(sessions_app, name="sessions")

IdArg = Annotated[str, typer.Argument(help="A session id (see 'interviewsense sessions list').")]


def _store() -> SessionStore:
    from interviewsense.storage.store import SessionStore

    return SessionStore(load().sessions_dir)


@sessions_app.command("list")
@guarded
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """Every saved session, oldest first, with its mean score and sync state."""
    from dataclasses import asdict

    infos = _store().list()
    if as_json:
        emit_json([asdict(i) for i in infos])
        return
    if not infos:
        console.print("no sessions yet: start one with 'interviewsense practice'")
        return
    table = Table(title="Sessions", title_justify="left")
    for col in ("id", "started", "kind", "type", "answers", "mean", "status", "synced"):
        table.add_column(col)
    for i in infos:
        table.add_row(
            i.id,
            i.started_at[:16].replace("T", " "),
            i.kind,
            i.type,
            f"{i.answered}/{i.turns}",
            "–" if i.mean_score is None else f"{i.mean_score:g}",
            i.status,
            "yes" if i.synced else "no",
        )
    console.print(table)


@sessions_app.command("show")
@guarded
def show(
    session_id: IdArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the session JSON.")] = False,
) -> None:
    """A session's questions, answers, scores and feedback."""
    from interviewsense.domain import to_json
    from interviewsense.report.terminal import render_answer

    session = _store().load(session_id)
    if as_json:
        emit_json(to_json(session))
        return
    console.print(
        f"[bold]{session.id}[/] · {session.kind} · {session.type} · "
        f"{session.persona or '–'} · {session.status} · started {session.started_at}"
    )
    for turn in session.turns:
        title = f"{turn.index}. {'follow-up' if turn.question.follow_up else 'question'}"
        if turn.answer is None:
            console.print(f"[dim]{title}: {turn.question.text} ({turn.status})[/]")
            continue
        render_answer(console, turn.answer, title=title)


@sessions_app.command("delete")
@guarded
def delete(
    session_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a session and its recordings from this computer (not from a sync target)."""
    import sys

    from interviewsense.errors import BadInputError

    store = _store()
    store.load(session_id)  # it must exist and be ours
    if not yes:
        if not sys.stdin.isatty():
            raise BadInputError("deleting needs confirmation", hint="add --yes")
        if not typer.confirm(f"Delete session {session_id} and its recordings?", err=True):
            raise typer.Exit(1)
    store.delete(session_id)
    console.print(f"deleted {session_id}")


@sessions_app.command("export")
@guarded
def export(
    session_id: IdArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to copy the session into.")],
) -> None:
    """Copy a session (session.json and its audio) into a folder."""
    from interviewsense.storage.manifest import session_files
    from interviewsense.storage.sync_local import LocalTarget

    store = _store()
    session = store.load(session_id)
    target = LocalTarget(out, "")  # no user folder: OUT/<id>/
    target.prepare()
    files = session_files(store.folder(session.id), include_session=True)
    for f in files:
        target.upload(session.id, f, lambda n: None)
    target.finish(session.id, files)
    console.print(f"exported {len(files)} file(s) to {out / session.id}")


@sessions_app.command("repair")
@guarded
def repair(
    session_id: Annotated[
        str | None, typer.Argument(help="A session id; default: every session.", show_default=False)
    ] = None,
) -> None:
    """Fix sessions a crash left unfinished: WAV headers, session.json, recovered answers."""
    from interviewsense.storage.repair import repair_session
    from interviewsense.storage.store import validate_id

    store = _store()
    ids = [validate_id(session_id)] if session_id is not None else store.ids()
    fixed = 0
    for sid in ids:
        report = repair_session(store, sid)
        if report.changed:
            fixed += 1
            parts = []
            if report.rebuilt:
                parts.append("session.json rebuilt")
            if report.wavs_fixed:
                parts.append("fixed " + ", ".join(report.wavs_fixed))
            if report.turns_recovered:
                parts.append(f"recovered answer(s) {', '.join(map(str, report.turns_recovered))}")
            console.print(f"{sid}: {'; '.join(parts)}")
    console.print(f"{fixed} of {len(ids)} session(s) needed repair")
