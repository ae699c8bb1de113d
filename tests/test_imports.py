"""The package's import graph has no cycles, and finding a model never downloads one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

import interviewsense
from interviewsense.cli import app
from interviewsense.config import load_settings
from interviewsense.errors import MissingDependencyError
from interviewsense.stt.models import find_vosk_model, find_whisper_model


def _graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere (top level, in a function, or
    under TYPE_CHECKING: each is a dependency a reader must follow)."""
    root = Path(interviewsense.__file__).parent
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_finding_a_model_never_downloads(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTERVIEWSENSE_OFFLINE")
    monkeypatch.delenv("HF_HUB_OFFLINE")
    settings = load_settings()
    assert not settings.offline
    with pytest.raises(MissingDependencyError) as err:
        find_whisper_model(settings, "base.en")
    assert err.value.hint is not None and "models download base.en" in err.value.hint
    assert find_vosk_model(settings, "de") is None
    assert not settings.models_dir.exists() or not any(settings.models_dir.rglob("*"))


def test_models_download_refuses_when_offline() -> None:
    result = CliRunner().invoke(app, ["models", "download", "base.en"])
    assert result.exit_code == 1
    assert "offline" in result.output and "INTERVIEWSENSE_OFFLINE=0" in result.output


def test_models_download_offline_by_hf_hub_offline_says_to_unset_that(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """QA: the hint said INTERVIEWSENSE_OFFLINE=0, and the hub's client, still reading
    HF_HUB_OFFLINE=1, then refused the download as "no network?"."""
    monkeypatch.delenv("INTERVIEWSENSE_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = CliRunner().invoke(app, ["models", "download", "base.en"])
    assert result.exit_code == 1, result.output
    assert "env -u HF_HUB_OFFLINE interviewsense models download base.en" in result.stderr


def test_vosk_downloads_that_fail_are_a_service_failing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The VOSK site not answering is a service failing (5), as the hub is for Whisper, not
    a missing model (4); "vosk-" with no language is no model, said without the network."""
    from interviewsense.stt import download
    from tests.llm_server import free_port

    monkeypatch.setenv("INTERVIEWSENSE_OFFLINE", "0")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    dead = f"http://127.0.0.1:{free_port()}/model-list.json"
    monkeypatch.setattr(download, "VOSK_MODEL_LIST", dead)
    result = CliRunner().invoke(app, ["models", "download", "vosk-en"])
    assert result.exit_code == 5, result.output
    assert "could not read the VOSK model list" in result.stderr
    empty = CliRunner().invoke(app, ["models", "download", "vosk-"])
    assert empty.exit_code == 1 and "no model is called 'vosk-'" in empty.stderr


def test_models_download_refuses_a_name_that_is_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo is bad input (exit 1), said before anything is asked of the network; it used to
    be read as a VOSK name and fail as "could not read the VOSK model list" (exit 4)."""
    monkeypatch.setenv("INTERVIEWSENSE_OFFLINE", "0")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    result = CliRunner().invoke(app, ["models", "download", "tiny-en"])
    assert result.exit_code == 1, result.output
    assert "no model is called 'tiny-en'" in result.stderr
    assert "tiny.en" in result.stderr and "vosk-LANG" in result.stderr
    assert "VOSK model list" not in result.stderr


def test_a_download_with_no_network_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    """QA: with no network, 'models download base.en' said "could not download …
    (LocalEntryNotFoundError)", exit 4 (a missing model), and left an empty folder."""
    import os
    import subprocess
    import sys

    from tests.llm_server import free_port

    env = {**os.environ, "INTERVIEWSENSE_OFFLINE": "0", "HF_HUB_OFFLINE": "0",
           "HF_ENDPOINT": f"http://127.0.0.1:{free_port()}"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "interviewsense", "models", "download", "base.en"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 5, done.stderr
    assert "could not be reached (no network?)" in done.stderr and "hint:" in done.stderr
    models = Path(env["INTERVIEWSENSE_HOME"]) / "models" / "whisper"
    assert not (models / "base.en").exists()
