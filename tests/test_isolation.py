"""The test harness itself: a developer's own settings never reach what a test runs, and a
test that starts a real engine or server cannot go unmarked as slow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import practice, slow
from tests.isolation import clean_environ
from tests.practice import practice_env
from tests.vmic import VirtualMic

ROOT = Path(__file__).resolve().parent.parent

# What a developer's shell might carry: a real key, their own LLM server, their Azure account.
OUTER = {
    "OPENAI_API_KEY": "sk-outer-DEVELOPER-KEY-0000",
    "INTERVIEWSENSE_LLM_BASE_URL": "http://outer.invalid/v1",
    "OPENAI_BASE_URL": "http://outer-generic.invalid/v1",
    "AZURE_OPENAI_API_KEY": "outer-azure-llm-key",
    "AZURE_STORAGE_CONNECTION_STRING": "AccountName=outer;AccountKey=b3V0ZXI=",
    "INTERVIEWSENSE_SYNC_TARGET": "local:/outer/drive",
    "INTERVIEWSENSE_LLM_MODEL": "outer-model",
}


def outer_config(folder: Path) -> Path:
    """A developer's ~/.config/interviewsense/config.toml, naming their own server."""
    path = folder / "interviewsense" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[llm]\nbase_url = "http://outer-toml.invalid/v1"\nmodel = "outer-toml"\n')
    return path


def carried(env: dict[str, str]) -> dict[str, str]:
    """The developer's variables ``env`` still has (each of their values says "outer")."""
    return {k: v for k, v in env.items() if k in OUTER or "outer" in v}


def settings_in(env: dict[str, str]) -> dict[str, object]:
    """The settings a real interviewsense process started with ``env`` resolves."""
    code = (
        "import json\n"
        "from interviewsense.config import load_settings\n"
        "s = load_settings()\n"
        "print(json.dumps({'sources': s.sources, 'config_file': str(s.config_file),"
        " 'key': s.openai_api_key, 'url': s.llm_base_url, 'model': s.llm_model}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def mic_made_in_the_outer_environment(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[VirtualMic]:
    """A module-scoped microphone is made before isolated_home cleans the environment: here,
    in one that carries the developer's settings and config file."""
    with pytest.MonkeyPatch.context() as mp:
        config_home = tmp_path_factory.mktemp("xdg-config")
        outer_config(config_home)
        mp.setenv("XDG_CONFIG_HOME", str(config_home))
        mp.delenv("INTERVIEWSENSE_CONFIG", raising=False)
        for name, value in OUTER.items():
            mp.setenv(name, value)
        mic = VirtualMic()  # made, not started: its environment is what matters here
    yield mic
    mic.stop()


def test_the_developers_settings_never_reach_a_subprocess(
    mic_made_in_the_outer_environment: VirtualMic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mic = mic_made_in_the_outer_environment
    assert not carried(mic.env)
    # Even set inside the test, after isolated_home ran, nothing passes to a subprocess.
    outer_config(tmp_path / "xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name, value in OUTER.items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "home"
    with_mic = practice_env(home, mic)
    assert with_mic["XDG_RUNTIME_DIR"] == str(mic.runtime)  # it hears the microphone
    for env in (practice_env(home), with_mic):
        assert not carried(env), carried(env)
        assert env["INTERVIEWSENSE_HOME"] == str(home)
        got = settings_in(env)
        assert (got["key"], got["url"], got["model"]) == ("", "", "gpt-4o-mini")
        sources = got["sources"]
        assert isinstance(sources, dict)
        assert sources["llm_base_url"] == sources["openai_api_key"] == "default"
        assert not Path(str(got["config_file"])).exists()  # no config file is read
    assert not carried(clean_environ())


def test_isolated_home_removed_the_developers_settings(isolated_home: Path) -> None:
    """Whatever the shell that started pytest holds, a test sees none of it."""
    assert os.environ["INTERVIEWSENSE_HOME"] == str(isolated_home)
    assert not Path(os.environ["INTERVIEWSENSE_CONFIG"]).exists()
    leftover = set(os.environ) - set(clean_environ())
    assert leftover == {
        "INTERVIEWSENSE_HOME",
        "INTERVIEWSENSE_CONFIG",
        "INTERVIEWSENSE_OFFLINE",
        "HF_HUB_OFFLINE",
    }


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        ([sys.executable, "-m", "interviewsense", "practice", "-n", "1"], "a practice session"),
        (["/venv/bin/interviewsense", "--debug", "practice"], "a practice session"),
        ([sys.executable, "-m", "interviewsense", "sessions", "list"], None),
        (["pulseaudio", "--daemonize=no"], "PulseAudio (the virtual microphone)"),
        (["pactl", "info"], None),
        (["/x/node_modules/.bin/azurite-blob", "--blobPort", "1"], "Azurite"),
        ([sys.executable, "-m", "llama_cpp.server", "--model", "m.gguf"], "the llama.cpp server"),
        ([sys.executable, "tests/llama_launch.py", "llama_cpp.server"], "the llama.cpp server"),
        ("espeak-ng -w out.wav hello", None),
    ],
)
def test_engine_commands_are_recognised(argv: list[str] | str, what: str | None) -> None:
    assert slow.engine_in(argv) == what


def test_an_unmarked_test_cannot_start_a_practice_session(tmp_path: Path) -> None:
    with pytest.raises(slow.SlowMarkMissing, match="a practice session"):
        practice.run_practice(practice_env(tmp_path / "home"), stdin="")
    assert slow.GUARD.violations  # the test would fail even had it caught the error
    slow.GUARD.violations.clear()


def test_an_unmarked_test_cannot_load_whisper(tmp_path: Path) -> None:
    from interviewsense.stt.models import ModelRef
    from interviewsense.stt.whisper_engine import WhisperTranscriber

    with pytest.raises(slow.SlowMarkMissing, match="Whisper"):
        WhisperTranscriber(ModelRef("whisper", "tiny.en", tmp_path, "path"))
    slow.GUARD.violations.clear()


def test_collection_refuses_an_engine_fixture_without_the_mark(tmp_path: Path) -> None:
    """pytest itself, on a test file that asks for the virtual microphone unmarked."""
    (tmp_path / "test_unmarked.py").write_text(
        "def test_uses_the_mic(vmic):\n    pass\n\n\n"
        "import pytest\n\n\n@pytest.mark.slow\ndef test_marked(vmic):\n    pass\n"
    )
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "tests.conftest",
         "-p", "no:cacheprovider", "test_unmarked.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, out
    assert "test_unmarked.py::test_uses_the_mic (uses vmic)" in out
    assert "test_marked" not in out.split("not marked")[1]
