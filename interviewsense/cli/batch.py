"""``interviewsense batch``: score a folder or manifest of answers into CSV or JSONL."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from interviewsense.cli._app import command_app, console, emit_json, guarded, load, real_console
from interviewsense.cli._options import FinalStt, Rubric, WhisperModel
from interviewsense.domain import InterviewType
from interviewsense.errors import PartialFailure

if TYPE_CHECKING:
    from interviewsense.flows.batch import BatchSummary

app = command_app()


@app.command()
@guarded
def batch(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            help="A folder of recordings, a manifest (.csv or .jsonl), one recording, or "
            "az://CONTAINER/PREFIX/ for the recordings under a blob prefix (Azure settings as "
            "for sync).",
            metavar="SOURCE",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Results file: .csv (flat) or .jsonl (full JSON).")
    ] = Path("results.csv"),
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-w", min=0, max=64, help="Worker processes; 0 means one per core."
        ),
    ] = 0,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue a results file: skip the ids it has scored, try its failed ones again.",
        ),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing results file.")
    ] = False,
    question: Annotated[
        str, typer.Option("--question", "-q", help="The question, for rows that name none.")
    ] = "",
    qtype: Annotated[
        InterviewType, typer.Option("--type", "-t", help="Interview type, for rows that name none.")
    ] = "behavioral",
    whisper_model: WhisperModel = None,
    stt_final_engine: FinalStt = None,
    rubric: Rubric = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Run on a Ray cluster: auto (the one this machine belongs to), HOST:PORT, "
            "ray://HOST:10001, or local (start one here). Needs interviewsense[cluster].",
            show_default=False,
        ),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(
            "--retries",
            min=0,
            max=20,
            help="With --ray: times an item is retried after its worker died (default 3).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Score many recorded answers or transcripts, for coaches, bootcamps and scripts.

    A manifest has the columns id, audio (a path relative to the manifest, or a URL) or
    transcript (the text), question and type. Exit code 0 when every item was scored, 3 when
    some failed (their rows say why; the rest are complete), 1 when none was scored.
    """
    from dataclasses import asdict

    from interviewsense.cli._ui import RichReporter
    from interviewsense.errors import BadInputError
    from interviewsense.flows.batch import run_batch
    from interviewsense.progress import JsonLines

    if retries is not None and not ray:  # QA: accepted, and silently ignored
        raise BadInputError(
            "--retries applies to a batch on a Ray cluster (--ray)",
            hint="leave it out; here a failed row is tried again by --resume",
        )
    settings = load(ctx)
    summary = run_batch(
        source,
        out,
        settings,
        JsonLines(sys.stderr) if as_json else RichReporter(real_console()),
        workers=workers,
        resume=resume,
        overwrite=overwrite,
        question=question,
        qtype=qtype,
        ray=ray or "",
        retries=retries,
    )
    if as_json:  # the summary on stdout; progress went to stderr as JSON lines
        emit_json(asdict(summary))
    else:
        show_summary(summary)
    hint = f"each failed row in {summary.output} says what is wrong"
    if summary.failed and summary.failed == summary.total:  # nothing to use: not "partial"
        answers = "the answer" if summary.total == 1 else f"all {summary.total} answers"
        raise BadInputError(f"{answers} failed; none was scored", hint=hint)
    if summary.failed:
        raise PartialFailure(
            f"{summary.failed} of {summary.total} answers failed; the others are scored",
            hint=hint,
        )


def show_summary(summary: BatchSummary) -> None:
    """The count, the mean and median, and the failures, for a person."""
    mean = "–" if summary.mean is None else f"{summary.mean:g}"
    median = "–" if summary.median is None else f"{summary.median:g}"
    answers = "1 answer" if summary.total == 1 else f"{summary.total} answers"
    console.print(
        f"{answers} · {summary.total - summary.failed} scored · "
        f"{summary.failed} failed · mean {mean} · median {median}"
        + (f" · {summary.skipped} already done" if summary.skipped else "")
    )
    for failure in summary.failures[:20]:
        console.print(f"  [yellow]{failure['id']}[/]: {failure['error']}", soft_wrap=True)
    console.print(f"[dim]results: {summary.output}[/]")
