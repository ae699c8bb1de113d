"""How many CPU threads the speech models use, decided in one place.

CTranslate2 (Whisper, and faster-whisper's VAD, which loads the same library) sizes its
OpenMP pool from OMP_NUM_THREADS once, when the library loads; a different count decodes
the same file to other words and probabilities. So the count is pinned before the first
load, in every kind of process: a CLI command, a batch worker, a Ray actor, a server.
"""

from __future__ import annotations

import os


def auto_threads() -> int:
    """Threads for CTranslate2 when none are set: half the logical cores, at most 4.

    Small models gain little from more threads, and on machines whose logical cores are
    hyperthreads more threads cost time: on the 2-core test machine tiny.en decodes a minute
    in 2.8 s with one thread and 5.4 s with two (docs/performance.md).
    """
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def pin_threads(threads: int, *, keep: bool = False) -> int:
    """Set OpenMP's thread count to ``threads`` before CTranslate2 loads, and return it;
    with ``keep``, only when nothing has set it yet.

    CTranslate2's OpenMP pool reads OMP_NUM_THREADS once, when the library loads, and decodes
    with that many threads whatever ``cpu_threads`` says; a different count gives different
    words and probabilities on the same file. Unset here but set by Ray in its workers, a
    cluster batch differed from a local one. Pinned, every engine agrees (finalize, batch
    workers, Ray actors, serve). Call it first thing in a worker process.
    """
    if keep and os.environ.get("OMP_NUM_THREADS"):
        first = os.environ["OMP_NUM_THREADS"].split(",")[0].strip()  # OpenMP allows "4,2"
        return int(first) if first.isdigit() else threads
    os.environ["OMP_NUM_THREADS"] = str(threads)
    return threads
