"""Ctrl-C and SIGTERM as a request to stop, acted on where it is safe to stop.

Python raises KeyboardInterrupt wherever the main thread happens to be. While an answer is
recorded, that is often inside the standard library starting a thread, and some of it is
not safe to interrupt there: ``ThreadPoolExecutor`` starts its worker, waits for it to
run, and only then registers it to be woken at exit, so an interrupt in that wait leaves
a worker that the interpreter waits for forever when it exits. (Seen as a practice session
stopped by SIGTERM that saved everything, printed its summary and never exited: once in
CI, and once in 51 runs on a machine kept busy, each time as the signal came when the
end-of-answer model was first asked.) Inside ``signals_as_request()`` the first SIGINT or
SIGTERM only sets a flag the caller polls; a second one raises KeyboardInterrupt at once,
for someone who insists.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# Besides Ctrl-C, the signals that stop a command the way it does (state saved, exit 130):
# SIGTERM, and SIGHUP, which a closed terminal window sends (QA: the session was then found
# "left unfinished by a crash" by the next command). Windows has no SIGHUP.
TERMINATING = (signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))
SIGNALS = (signal.SIGINT, *TERMINATING)


class StopRequest:
    """Whether a stop was asked for; the caller ``take()``s it once it has acted on it."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self.taken = False

    def __bool__(self) -> bool:
        return self.signal is not None

    def take(self) -> bool:
        """True (once acted on) when a stop was asked for."""
        if self.signal is not None:
            self.taken = True
        return self.taken


@contextmanager
def signals_as_request() -> Iterator[StopRequest]:
    """Inside, SIGINT and SIGTERM set the request instead of raising. A request nobody took
    raises KeyboardInterrupt on the way out, so a stop is never lost. Signals the process
    ignores stay ignored; off the main thread (where Python cannot handle signals) this
    changes nothing."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if request.signal is not None:
            raise KeyboardInterrupt
        request.signal = signum

    previous = {
        s: signal.signal(s, handler) for s in SIGNALS if signal.getsignal(s) is not signal.SIG_IGN
    }
    try:
        yield request
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    if request and not request.taken:
        raise KeyboardInterrupt
