"""Every test that starts a real engine or server carries ``@pytest.mark.slow``: checked, not
hoped for (conftest.py wires this in).

Two checks, because neither alone sees everything:

- at collection, a test that uses a fixture in ``ENGINE_FIXTURES`` without the mark stops the
  run (a module- or session-scoped server is started once, for the first test that asks, so
  a later test would never be seen starting it);
- while an unmarked test runs (its fixtures' setup included), starting one of ``ENGINES`` in
  this process, or a process that ``engine_in`` recognises, raises ``SlowMarkMissing``, and
  the test fails even if something caught that.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

# conftest.py's fixtures that start a real server or engine.
ENGINE_FIXTURES = frozenset({"llama", "azurite_server", "vmic"})

# Engines loaded in this process: (module, class, what it is).
ENGINES = (
    ("interviewsense.stt.whisper_engine", "WhisperTranscriber", "Whisper"),
    ("interviewsense.stt.vosk_engine", "VoskRecognizer", "VOSK"),
    ("interviewsense.tts.pyttsx3_engine", "Pyttsx3Speaker", "a TTS voice"),
    ("interviewsense.tts.piper_engine", "PiperSpeaker", "a Piper voice"),
)


class SlowMarkMissing(Exception):
    """A test without ``@pytest.mark.slow`` started a real engine or server."""


@dataclass
class Guard:
    unmarked: str | None = None  # the node id of the running test, when it is not slow
    violations: list[str] = field(default_factory=list)

    def refuse(self, what: str) -> None:
        if self.unmarked is None:
            return
        message = f"{self.unmarked} starts {what}: mark it @pytest.mark.slow (tests/slow.py)"
        self.violations.append(message)
        raise SlowMarkMissing(message)


GUARD = Guard()


def engine_in(argv: Any) -> str | None:
    """What real engine or server the command ``argv`` starts, if any."""
    if isinstance(argv, str | bytes | os.PathLike):
        parts = os.fsdecode(argv).split()
    else:
        parts = [os.fsdecode(a) if isinstance(a, bytes | os.PathLike) else str(a) for a in argv]
    names = [Path(p).name for p in parts]
    if not names:
        return None
    if names[0] == "pulseaudio":
        return "PulseAudio (the virtual microphone)"
    if names[0] == "azurite-blob":
        return "Azurite"
    if names[0] == "redis-server":
        return "redis-server"
    if "llama_cpp.server" in parts:
        return "the llama.cpp server"
    if "interviewsense" in names and "practice" in parts[names.index("interviewsense") + 1 :]:
        return "a practice session"
    return None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "subprocess.Popen" and GUARD.unmarked is not None:
        what = engine_in(args[1])
        if what is not None:
            GUARD.refuse(what)


def _guard_class(module: str, name: str, what: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    original = cls.__init__

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        GUARD.refuse(what)
        original(self, *args, **kwargs)

    cls.__init__ = init


def install() -> None:
    """Watch process starts and the engine classes for the rest of this process."""
    sys.addaudithook(_audit)
    for module, name, what in ENGINES:
        _guard_class(module, name, what)


class _Item(Protocol):
    nodeid: str
    fixturenames: Sequence[str]

    def get_closest_marker(self, name: str) -> object | None: ...


def unmarked_engine_users(items: Iterable[_Item]) -> list[str]:
    """The tests that use an engine fixture but are not marked slow, with the fixtures."""
    return [
        f"{item.nodeid} (uses {', '.join(sorted(used))})"
        for item in items
        if (used := ENGINE_FIXTURES & set(item.fixturenames))
        and item.get_closest_marker("slow") is None
    ]
