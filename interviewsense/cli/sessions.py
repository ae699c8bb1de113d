"""``interviewsense sessions``: list, show, delete, export saved sessions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from interviewsense.config import Settings
    from interviewsense.domain import Session, Turn
    from interviewsense.storage.store import SessionStore

from interviewsense.cli._app import (
    command_app,
    console,
    emit_json,
    guarded,
    load,
    readable_sessions,
)
from interviewsense.domain import Answer, Question, ReportFormat, ReportView, start_order

app = command_app(
    name="sessions",
    help="Saved sessions: list, show, delete, export, repair, report, compare, play.",
    no_args_is_help=True,
)

IdArg = Annotated[
    str,
    typer.Argument(help="A session id (see 'interviewsense sessions list').", metavar="SESSION_ID"),
]


def _store() -> SessionStore:
    from interviewsense.storage.store import SessionStore

    return SessionStore(load().sessions_dir)


@app.command("list")
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
    from rich.table import Table

    # Fits 80 columns with the id whole: it is what every other command takes, and it
    # starts with the date and time the session began.
    # Narrower than that (a split pane): kind, type and sync go, never the id or a number
    # (QA: at 40 columns every column but the id was "…").
    dropped = {"kind", "type", "sync"} if console.width < NARROW_LIST else set()
    if console.width < NARROWEST_LIST:
        dropped.add("answers")
    table = Table(title="Sessions", title_justify="left", box=None, pad_edge=False)
    columns = [c for c in LIST_COLUMNS if c not in dropped]
    for col in columns:
        right = col in ("answers", "score")
        wrap = {"no_wrap": True} if col != "status" else {"min_width": 8, "overflow": "fold"}
        table.add_column(col, justify="right" if right else "left", **wrap)
    for i in infos:
        cells = {
            "id": i.id, "kind": i.kind, "type": i.type, "answers": f"{i.answered}/{i.turns}",
            "score": "–" if i.mean_score is None else f"{i.mean_score:g}", "status": i.status,
            "sync": "yes" if i.synced else "no",
        }  # fmt: skip
        table.add_row(*(cells[c] for c in columns))
    console.print(table)


LIST_COLUMNS = ("id", "kind", "type", "answers", "score", "status", "sync")
NARROW_LIST = 72  # columns: under this, the list leaves out kind, type and sync …
NARROWEST_LIST = 56  # … and under this the answers too


@app.command("show")
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
    about: list[str] = [session.kind, session.type, session.persona, session.status]
    about.append(f"started {session.started}")
    console.print(f"[bold]{session.id}[/] · " + " · ".join(a for a in about if a))
    for turn in session.turns:
        title = f"{turn.index}. {'follow-up' if turn.question.follow_up else 'question'}"
        if turn.answer is None:
            from rich.text import Text

            console.print(Text(f"{title}: {turn.question.text} ({turn.status})", style="dim"))
            continue
        render_answer(console, turn.answer, title=title)


@app.command("delete")
@guarded
def delete(
    session_id: IdArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a session and its recordings from this computer (not from a sync target)."""
    import sys

    from interviewsense.errors import BadInputError, ConflictError
    from interviewsense.storage.repair import writer

    store = _store()
    store.existing(session_id)  # damaged or not: a session that cannot be read can go
    busy = writer(store, session_id)
    if busy is not None:  # a review: "deleted", then the practice saved it back
        raise ConflictError(
            f"session {session_id} is still being recorded (process {busy})",
            hint="end that practice first (q, or Ctrl-C), then delete it",
        )
    if not yes:
        if not sys.stdin.isatty():
            raise BadInputError("deleting needs confirmation", hint="add --yes")
        if not typer.confirm(f"Delete session {session_id} and its recordings?", err=True):
            console.print(f"kept {session_id}")  # a choice, not an error
            return
    store.delete(session_id)
    console.print(f"deleted {session_id}")


@app.command("export")
@guarded
def export(
    session_id: IdArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to copy the session into.")],
) -> None:
    """Copy a session (session.json and its audio) into a folder; a damaged one too, as it
    is (to keep it, or to send it to someone who can help)."""
    from interviewsense.errors import InterviewSenseError
    from interviewsense.flows.sync import outside_data_folder
    from interviewsense.scoring.text import plural
    from interviewsense.storage.manifest import session_files
    from interviewsense.storage.store import SessionStore
    from interviewsense.storage.sync_local import LocalTarget

    settings = load()
    store = SessionStore(settings.sessions_dir)
    folder = store.existing(session_id)
    outside_data_folder(out, settings, "the export folder")
    target = LocalTarget(out, "", "the export folder")  # no user folder: OUT/<id>/
    target.prepare()
    files = session_files(folder, include_session=True)
    before = target.listed(session_id)  # what an earlier export of it wrote there
    try:
        for f in files:
            target.upload(session_id, f, lambda n: None)
        # A file the session no longer has (a recording a repair set aside, say) leaves the
        # copy too: an export again is the session as it is now (a review: it stayed).
        removed = target.prune(session_id, before, files)
        target.finish(session_id, files)
    except InterviewSenseError as exc:  # a full disk, say: the copy is not whole (a review)
        exc.message += f"; the copy in {out / session_id} is incomplete"
        raise
    gone = f", removed {plural(len(removed), 'file')} it no longer has" if removed else ""
    console.print(f"exported {plural(len(files), 'file')} to {out / session_id}{gone}")
    for missing in missing_recordings(store, session_id):  # a review: a copy without a word
        console.print(f"[yellow]note:[/] {missing} is missing from the session: not exported")


def missing_recordings(store: SessionStore, session_id: str) -> list[str]:
    """The answers' recordings session.json names that are not in its folder ("answer 2's
    recording audio/a02.wav"); none for a session that does not load."""
    from interviewsense.errors import InterviewSenseError

    try:
        session = store.load(session_id)
    except InterviewSenseError:
        return []
    folder = store.folder(session_id)
    return [
        f"answer {t.index}'s recording {t.answer.audio.path}"
        for t in session.turns
        if t.answer is not None
        and t.answer.audio is not None
        and t.answer.audio.path
        and not (folder / t.answer.audio.path).is_file()
    ]


@app.command("repair")
@guarded
def repair(
    session_id: Annotated[
        str | None,
        typer.Argument(
            help="A session id; default: every session.",
            metavar="SESSION_ID",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fix sessions a crash left unfinished: WAV headers, session.json, recovered answers."""
    from interviewsense.errors import InterviewSenseError, PartialFailure
    from interviewsense.storage.repair import SessionBusyError, repair_session
    from interviewsense.storage.store import NewerSessionError, validate_id

    store = _store()
    ids = [validate_id(session_id)] if session_id is not None else store.ids()
    fixed, skipped = 0, 0
    for sid in ids:
        try:
            report = repair_session(store, sid, rescore=typed_rescorer(load()))
        except InterviewSenseError as exc:
            if session_id is not None:
                raise
            # One that cannot be repaired leaves the others to be (a review: the first stopped
            # them all). A failure only when it could not be written: one being recorded (its
            # writer repairs it, if need be) and a newer version's (not ours) are not.
            console.print(f"{sid}: skipped: {exc.message}", soft_wrap=True)
            skipped += not isinstance(exc, NewerSessionError | SessionBusyError)
            continue
        if report.changed:
            fixed += 1
            console.print(f"{sid}: {report.describe()}", soft_wrap=True)
    console.print(f"{fixed} of {len(ids)} session(s) needed repair")
    if skipped:
        rest = "; the others were" if skipped < len(ids) else ""
        raise PartialFailure(
            f"{skipped} of {len(ids)} session(s) could not be repaired{rest}",
            hint="each is named above with the reason; 'sessions repair ID' tries one again",
        )


def typed_rescorer(settings: Settings) -> Callable[[str, Question], Answer]:
    """Scores a typed answer again from its text, for a repair (storage/repair.py), as the
    API scores one; the scorer loads only when called: most repairs need none."""

    def rescore(text: str, question: Question) -> Answer:
        from dataclasses import replace

        from interviewsense.flows.interview import typed_answer

        # Never through an LLM judge: a repair runs before any command, and the session's
        # --redact is not known here (a review: a damaged answer's e-mail went to the LLM).
        return typed_answer(text, question, replace(settings, llm_judge=False))

    return rescore


def write_report(session_id: str, fmt: ReportFormat, out: Path | None = None) -> Path | None:
    """Render a report; to a file (default: in the session folder), or '-' for stdout."""
    import sys

    from interviewsense.fsutil import atomic_write_bytes, output_file
    from interviewsense.report.render import is_report, render

    store = _store()
    session = store.load(session_id)
    if out is not None and str(out) != "-":
        out = output_file(out, store.root, "report", replaceable=is_report)
    text = render(session, store.folder(session_id), fmt)
    if out is not None and str(out) == "-":
        sys.stdout.write(text)
        return None
    target = out or store.folder(session_id) / f"report.{fmt}"
    atomic_write_bytes(target, text.encode("utf-8"))
    return target


def _plain_report(session: Session, store: SessionStore, out: Path) -> None:
    """The terminal report as plain text, into ``out`` ('-': stdout)."""
    import io
    import sys

    from rich.console import Console

    from interviewsense.fsutil import atomic_write_bytes, output_file
    from interviewsense.report.render import is_report
    from interviewsense.report.terminal import render_session

    if str(out) != "-":
        out = output_file(out, store.root, "report", replaceable=is_report)
    buffer = io.StringIO()
    render_session(Console(file=buffer, width=100, no_color=True, highlight=False), session,
                   store.folder(session.id))  # fmt: skip
    if str(out) == "-":
        sys.stdout.write(buffer.getvalue())
        return
    atomic_write_bytes(out, buffer.getvalue().encode("utf-8"))
    console.print(f"report written to {out}", soft_wrap=True)  # a path is copied whole


@app.command("report")
@guarded
def report(
    session_id: IdArg,
    fmt: Annotated[
        ReportView | None,
        typer.Option(
            "--format",
            "-f",
            help="terminal, md, html (one file) or json; default: from the --out file's "
            "extension, else terminal.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Where to write it ('-' for stdout); default: the session folder."
        ),
    ] = None,
) -> None:
    """A report of a session: transcript with fillers, hedges and pauses marked, every score
    with its evidence, and charts of the pace, the fillers and the pitch."""
    from interviewsense.domain import REPORT_FORMATS

    # -o report.html means an HTML report (QA: it held terminal text).
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    suffix = {"htm": "html", "markdown": "md"}.get(suffix, suffix)
    view: ReportView = "terminal"
    if fmt is not None:
        view = fmt
    elif suffix in REPORT_FORMATS:
        view = REPORT_FORMATS[REPORT_FORMATS.index(suffix)]
    if view == "terminal":
        from interviewsense.report.terminal import render_session

        store = _store()
        session = store.load(session_id)
        if out is None:
            render_session(console, session, store.folder(session_id))
            return
        _plain_report(session, store, out)
        return
    target = write_report(session_id, view, out)
    if target is not None:
        console.print(f"report written to {target}", soft_wrap=True)  # a path is copied whole


@app.command("compare")
@guarded
def compare(
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="Two session ids.", metavar="ID", show_default=False),
    ] = None,
    question: Annotated[
        str,
        typer.Option(
            "--question", "-q", help="Compare every attempt at this question (part of its text)."
        ),
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Attempts at the same question side by side: what improved and what did not."""
    from dataclasses import asdict
    from itertools import pairwise

    from interviewsense.errors import BadInputError
    from interviewsense.report.progress_data import attempts
    from interviewsense.report.terminal import render_comparison
    from interviewsense.scoring.text import clip

    store = _store()
    if question and ids:
        raise BadInputError(
            "give two session ids or --question, not both",
            hint="--question compares every attempt at one question, in every session",
        )
    if question:
        found = attempts(readable_sessions(store), question)
        asked: dict[str, str] = {}  # one question's key (its id, else its text) -> its text
        for _, t in found:
            asked.setdefault(t.question.id or t.question.text.strip(), t.question.text.strip())
        exact = [k for k, text in asked.items() if _same_words(text, question)]
        if len(asked) > 1 and len(exact) == 1:  # the whole of one question, part of another
            found = [
                (s, t) for s, t in found if (t.question.id or t.question.text.strip()) in exact
            ]
            asked = {exact[0]: asked[exact[0]]}
        if len(asked) > 1:  # QA: a conflict answer was the "after" of a project answer
            named = "; ".join(f"'{clip(text, 60)}'" for text in list(asked.values())[:5])
            more = f" and {len(asked) - 5} more" if len(asked) > 5 else ""
            raise BadInputError(
                f"'{question}' matches {len(asked)} different questions: {named}{more}",
                hint="give more of the question's text, so one question matches",
            )
        if len(found) < 2:
            raise BadInputError(
                f"found {len(found)} answer(s) to a question like '{question}'",
                hint="it takes two attempts to compare",
            )
        steps = list(pairwise(found))
    elif ids and len(ids) == 2:
        # Before is the older session, whichever order the ids came in.
        first, second = sorted(
            (store.load(i) for i in ids), key=lambda s: start_order(s.started_at)
        )
        if first.id == second.id:
            raise BadInputError(
                f"both ids name session {first.id}",
                hint="give two different sessions, or --question to compare every attempt",
            )
        steps = []
        for t in first.turns:
            key = t.question.id or t.question.text.strip()
            match = next(
                (
                    u
                    for u in second.turns
                    if u.answer and (u.question.id or u.question.text.strip()) == key
                ),
                None,
            )
            if key and t.answer is not None and match is not None:  # no question: nothing shared
                steps.append(((first, t), (second, match)))
        if not steps:
            raise BadInputError(
                "the two sessions share no question",
                hint="use --question to compare attempts at one question",
            )
    else:
        raise BadInputError(
            "give two session ids, or --question TEXT",
            hint="'interviewsense sessions list' shows the ids; --question compares every "
            "attempt at one question",
        )
    rows = render_comparison(console, steps, quiet=as_json)
    if as_json:  # which attempts each step compares: their sessions and when they began

        def attempt(session: Session, turn: Turn) -> dict[str, object]:
            return {"session_id": session.id, "started_at": session.started_at, "turn": turn.index}

        emit_json(
            [
                {
                    "question": q,
                    "before": attempt(*before),
                    "after": attempt(*after),
                    "changes": [asdict(c) for c in changes],
                }
                for (q, changes), (before, after) in zip(rows, steps, strict=True)
            ]
        )


def _same_words(a: str, b: str) -> bool:
    """Whether two texts are one question, written with other case or punctuation."""
    import re

    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.casefold())

    return words(a) == words(b)


@app.command("play")
@guarded
def play(
    session_id: IdArg,
    answer: Annotated[
        int | None, typer.Option("--answer", "-a", min=1, help="Only this answer (its number).")
    ] = None,
) -> None:
    """Play a session's questions and answers."""
    from interviewsense.audio.devices import default_devices
    from interviewsense.audio.playback import play_wav
    from interviewsense.errors import BadInputError, MissingDependencyError

    settings = load()
    store = _store()
    session = store.load(session_id)
    turns = [t for t in session.turns if answer is None or t.index == answer]
    if not turns:
        raise BadInputError(
            f"session {session_id} has no answer {answer}",
            hint=f"'interviewsense sessions show {session_id}' lists its answers",
        )
    # What there is to play is known before a speaker is looked for (QA: a typed session
    # and a wrong answer number both said "no audio output found", exit 4).
    sounds = [
        (
            t,
            [
                p
                for kind in ("q", "a")
                if (p := store.audio_path(session_id, kind, t.index)).is_file()
            ],
        )
        for t in turns
    ]
    if not any(paths for _, paths in sounds):
        # Why, as it is (a review: a deleted recording and a skipped question were both
        # "typed, not recorded").
        recorded = [
            t.answer.audio.path
            for t in turns
            if t.answer is not None and t.answer.audio is not None and t.answer.audio.path
        ]
        if recorded:
            raise BadInputError(
                f"nothing to play: the recordings are gone from {store.folder(session_id)} "
                f"({', '.join(recorded[:3])}{' …' if len(recorded) > 3 else ''})",
                hint="copy them back from your sync target or a backup",
            )
        if not any(t.answer is not None for t in turns):
            raise BadInputError(
                "nothing to play: " + ("that question was" if answer else "no question was")
                + " answered"
            )  # fmt: skip
        raise BadInputError("nothing to play: these answers were typed, not recorded")
    out = default_devices(settings).output_index
    if out is None:
        raise MissingDependencyError(
            "no audio output found", hint="'interviewsense devices' lists them"
        )
    for t, paths in sounds:
        from rich.text import Text

        console.print(Text.assemble((f"{t.index}.", "bold"), " ", t.question.text))
        for path in paths:
            play_wav(path, out)
