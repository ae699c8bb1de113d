"""``interviewsense sync``: copy sessions to Azure Blob Storage or a folder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from interviewsense.cli._app import command_app, console, emit_json, guarded, load, real_console
from interviewsense.cli._options import setting_option
from interviewsense.errors import PartialFailure

if TYPE_CHECKING:
    from interviewsense.flows.sync import SyncSummary

app = command_app()


@app.command()
@guarded
def sync(
    ctx: typer.Context,
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            help="Session ids; default: every session not yet synced.",
            metavar="SESSION_ID",
            show_default=False,
        ),
    ] = None,
    sync_target: Annotated[str | None, setting_option("sync_target")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Compare the target with your sessions; copy nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Copy sessions to Azure Blob Storage or a folder; identical files are skipped.

    Azure settings come from AZURE_STORAGE_CONNECTION_STRING and AZURE_STORAGE_CONTAINER
    (environment or .env). An interrupted sync resumes where it stopped.
    """
    import shlex
    from dataclasses import asdict

    from interviewsense.cli._ui import RichReporter
    from interviewsense.errors import CheckFailed
    from interviewsense.flows.sync import REPAIR
    from interviewsense.flows.sync import check as compare
    from interviewsense.flows.sync import sync as run
    from interviewsense.storage.store import validate_id

    settings = load(ctx)
    wanted = [validate_id(i) for i in ids or []]
    if check:
        checked = compare(wanted, settings)
        diffs = checked.differences
        if as_json:
            emit_json(asdict(checked))
        for d in diffs:
            console.print(f"[yellow]{d.problem}[/] {d.session}/{d.file}")
        for sid in checked.damaged:
            console.print(f"[yellow]damaged[/] {sid}: not compared")
        if checked.damaged and not diffs:
            raise CheckFailed(
                f"{len(checked.damaged)} damaged session(s) could not be compared",
                hint=f"{REPAIR}, then check again",
            )
        if diffs:
            raise CheckFailed(
                f"{len(diffs)} file(s) differ from the target"
                + (
                    f"; {len(checked.damaged)} damaged session(s) not compared"
                    if checked.damaged
                    else ""
                ),
                # The same target as this check, as typed or from the settings.
                hint="run 'interviewsense sync"
                + (
                    ""
                    if settings.sources.get("sync_target") != "flag"
                    else f" --target {shlex.quote(settings.sync_target)}"
                )
                + "' to copy them",
            )
        if not checked.compared:
            console.print(f"nothing to compare: no session has been synced to {checked.target} yet")
            return
        console.print(
            f"[green]in sync:[/] every file of {checked.compared} session(s) matches "
            f"{checked.target} by size and MD5"
        )
        return
    summary = run(wanted, settings, RichReporter(real_console()))
    if as_json:
        emit_json(asdict(summary))
    if summary.sessions:
        show_summary(summary, settings.azure_blob_sas_ttl_seconds)
    elif not summary.damaged:
        console.print(f"nothing to sync: every session is up to date on {summary.target}")
    if summary.damaged:  # each was named as it was left out
        raise PartialFailure(
            f"{len(summary.damaged)} damaged session(s) not synced; the others are up to date",
            hint=f"{REPAIR}, then sync again",
        )


def show_summary(summary: SyncSummary, ttl_s: int) -> None:
    mb = summary.bytes_sent / 1024 / 1024
    console.print(
        f"synced {len(summary.sessions)} session(s) to {summary.target}: "
        f"{summary.uploaded} file(s) uploaded ({mb:.1f} MB), {summary.skipped} skipped, "
        f"{summary.failed} failed"
    )
    for sid, links in summary.links.items():
        console.print(f"[bold]{sid}[/] (read-only links, expire in {ttl_s} s):")
        for link in links:
            console.print(f"  {link}", soft_wrap=True, markup=False)
    if ttl_s > 0 and summary.target.startswith("azure:") and not summary.links:
        console.print(
            "no links: they are signed with the account key, and the connection string "
            "has none (a SAS cannot sign them)"
        )
