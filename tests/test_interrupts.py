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
