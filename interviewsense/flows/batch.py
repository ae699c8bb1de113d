"""batch: score many recordings or transcripts, in parallel, into CSV or JSONL.

Each result is appended (and fsynced) as soon as its item finishes, so a killed batch loses
nothing finished; ``--resume`` skips the ids already in the output. When the batch ends the
file is rewritten in input order, so any number of workers gives the same file.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewsense.audio.urls import is_url
from interviewsense.config import Settings
from interviewsense.domain import InterviewType
from interviewsense.errors import BadInputError, Interrupted
from interviewsense.flows.batch_input import (
    AUDIO_SUFFIXES,
    Item,
    read_blobs,
    read_folder,
    read_manifest,
)
from interviewsense.flows.batch_output import ResultsFile
from interviewsense.flows.batch_work import init_worker, score_item
from interviewsense.fsutil import output_file
from interviewsense.progress import Reporter
from interviewsense.storage.blob_input import is_blob_uri


@dataclass
class BatchSummary:
    output: str
    total: int = 0
    done: int = 0  # scored in this run
    skipped: int = 0  # already in the output (--resume)
    failed: int = 0
    mean: float | None = None
    median: float | None = None
    failures: list[dict[str, str]] = field(default_factory=list)


def read_items(
    source: Path | str, settings: Settings, *, question: str, qtype: InterviewType
) -> list[Item]:
    """The items of a folder, a manifest, or an ``az://container/prefix/`` of recordings."""
    if isinstance(source, str) and is_blob_uri(source):
        from interviewsense.storage.blob_input import list_audio

        uris = list_audio(source, settings, AUDIO_SUFFIXES)
        return read_blobs(source, uris, question=question, qtype=qtype)
    source = Path(source)
    if source.is_dir():
        return read_folder(source, question=question, qtype=qtype)
    if not source.exists():
        raise BadInputError(
            f"no such file or folder: {source}",
            hint="pass a folder of recordings, a CSV/JSONL manifest or one recording",
        )
    if source.suffix.lower() in AUDIO_SUFFIXES:  # one recording: a batch of one
        return [Item(id=source.stem, position=0, audio=str(source), question=question, type=qtype)]
    return read_manifest(source, question=question, qtype=qtype)


# --- the run, in the main process ----------------------------------------------------------


def _run_in_process(items: list[Item], settings: Settings) -> Iterator[dict[str, Any]]:
    init_worker(settings)
    for item in items:
        yield score_item(item)


def _pool_worker(settings: Settings) -> None:
    """A pool worker leaves Ctrl-C to the main process, which stops it: a worker that took
    the second Ctrl-C too died in the pool's own code, and the pool then waited for it for
    ever (a review: a hang, then a traceback and two orphans on the third)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(settings)


def _run_in_pool(items: list[Item], settings: Settings, workers: int) -> Iterator[dict[str, Any]]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_pool_worker, initargs=(settings,)
    ) as pool:
        pending: set[Future[dict[str, Any]]] = set()
        queue = iter(items)
        for item in queue:
            pending.add(pool.submit(score_item, item))
            if len(pending) >= workers * 2:
                break
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(score_item, nxt))
        except BaseException:
            for future in pending:
                future.cancel()
            # Stopped: the answers being scored are not waited for (the rows written stay
            # written), so the pool's exit has no one left to wait for.
            workers_now = list((pool._processes or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in workers_now:
                process.terminate()
            raise


RAY_RETRIES = 3  # times a Ray item is retried after its worker died, unless --retries says


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file: the same path, a symlink to it, or a hard link
    (the same inode under another name)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.is_file() and b.is_file() and os.path.samefile(a, b)
    except OSError:
        return False


def run_batch(
    source: Path | str,
    output: Path,
    settings: Settings,
    reporter: Reporter,
    *,
    workers: int = 0,
    resume: bool = False,
    overwrite: bool = False,
    question: str = "",
    qtype: InterviewType = "behavioral",
    ray: str = "",
    retries: int | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> BatchSummary:
    """Score every item of ``source`` into ``output``: here (``workers`` processes), or on
    the Ray cluster at ``ray`` (``flows/batch_ray.py``), with the same file either way."""
    if not is_url(str(source)) and same_file(Path(source), output):
        raise BadInputError(
            f"the results would be written over the manifest {source}",
            hint="choose another --out, for example --out results.csv",
        )
    if resume and overwrite:
        raise BadInputError(
            "--resume continues the results file and --overwrite replaces it: choose one",
            hint="--resume to keep what is scored, --overwrite to score everything again",
        )
    output = output_file(output, settings.sessions_dir, "results file")
    items = read_items(source, settings, question=question, qtype=qtype)
    # What would fail every answer fails the batch, before a results file is written: a
    # rubric that does not load (exit 1), no speech engine or model for the recordings (4).
    from interviewsense.scoring.rubric import load_rubric

    load_rubric(settings.rubric)
    if not ray and any(item.audio and not item.error for item in items):
        from interviewsense.engines import AUTO
        from interviewsense.stt.models import find_whisper_model
        from interviewsense.stt.registry import FINAL

        # Whisper's own error first, as its hint names the model to download.
        if settings.stt_final_engine in (AUTO, "whisper-final"):
            find_whisper_model(settings)
        FINAL.choose(settings)
    if ray:  # a cluster that is not there fails the batch before --overwrite empties a file
        from interviewsense.flows.batch_ray import connect

        connect(ray)
    results = ResultsFile(output)
    done_ids = results.open(resume=resume, overwrite=overwrite)
    todo = [i for i in items if i.id not in done_ids]
    summary = BatchSummary(output=str(output), total=len(items), skipped=len(items) - len(todo))
    rows: Iterator[dict[str, Any]]
    if ray and todo:
        from interviewsense.flows.batch_ray import run_on_ray

        rows = run_on_ray(
            todo,
            settings,
            address=ray,
            workers=workers,
            retries=RAY_RETRIES if retries is None else retries,
            notice=reporter.notice,
        )
    else:
        workers = max(1, min(workers or (os.cpu_count() or 1), len(todo) or 1))
        one = workers == 1
        rows = _run_in_process(todo, settings) if one else _run_in_pool(todo, settings, workers)
    try:
        with reporter.progress(
            f"Scoring {len(todo)} answers", total=len(todo), unit="answers"
        ) as advance:
            for row in rows:
                results.append(row)
                summary.done += 1
                if on_row is not None:
                    on_row(row)
                advance(summary.done)
    except KeyboardInterrupt as exc:  # every row written so far is on disk, whole
        from interviewsense.interrupts import signals_as_request

        close = getattr(rows, "close", None)
        with signals_as_request() as again:  # a second Ctrl-C does not cut the stop short
            if close is not None:  # now, not when the frame goes: the workers stop with it
                close()
            again.take()
        kept = f"; they are saved in {output}" if summary.done else ""
        raise Interrupted(
            f"{summary.done} of {len(todo)} answers scored{kept}",
            hint="run the same command with --resume to score the rest",
        ) from exc
    order = {item.id: item.position for item in items}
    # The totals are this input's: a resumed file may hold rows of another one.
    final = [r for r in results.finish(order) if r["id"] in order]
    if results.unordered:
        reporter.notice(
            f"every row is saved in {output}, in the order the answers finished: putting "
            f"them in input order failed ({results.unordered}); --resume, with space free, "
            "puts them in order"
        )
    scores = [
        float(r["overall"]) for r in final if r["status"] == "ok" and r["overall"] is not None
    ]
    failed = [r for r in final if r["status"] != "ok"]
    summary.failed = len(failed)
    summary.failures = [{"id": str(r["id"]), "error": str(r["error"])} for r in failed]
    if scores:
        summary.mean = round(statistics.fmean(scores), 1)
        summary.median = round(statistics.median(scores), 1)
    return summary
