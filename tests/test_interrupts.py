"""Ctrl-C and SIGTERM during recording are a request the loop takes at a safe point
(interviewsense/interrupts.py), with real signals sent to this process."""

from __future__ import annotations

import signal
import threading

import pytest

from interviewsense.interrupts import signals_as_request


def test_the_first_signal_asks_and_the_second_insists() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with signals_as_request() as stop:
        assert not stop
        signal.raise_signal(signal.SIGTERM)
        assert stop and stop.signal == signal.SIGTERM  # asked, nothing raised
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert stop.take()
    assert {s: signal.getsignal(s) for s in before} == before


def test_a_request_nobody_took_is_not_lost() -> None:
    with pytest.raises(KeyboardInterrupt), signals_as_request():
        signal.raise_signal(signal.SIGINT)
    with signals_as_request() as stop:  # taken: the caller stopped by itself
        signal.raise_signal(signal.SIGINT)
        assert stop.take()
    with signals_as_request() as stop:  # nothing asked: nothing raised
        assert not stop.take()


def test_an_ignored_signal_stays_ignored() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with signals_as_request() as stop:
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
            signal.raise_signal(signal.SIGTERM)
            assert not stop
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_off_the_main_thread_nothing_changes() -> None:
    seen: list[object] = []

    def run() -> None:
        with signals_as_request() as stop:
            seen.append(signal.getsignal(signal.SIGINT))
            seen.append(bool(stop))

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == [before, False]


def test_a_stop_while_the_cli_is_still_loading_is_a_stop_not_a_traceback() -> None:
    """A Ctrl-C in a command's first ~50 ms, while the CLI was imported and before its handler
    was installed, showed Python's traceback. The entry point turns it into "interrupted" and
    exit 130. The Ctrl-C is made to arrive exactly then: the import raises it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'interviewsense.cli':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "from interviewsense.entry import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130, done
    assert done.stderr.strip() == "interrupted" and "Traceback" not in done.stderr
