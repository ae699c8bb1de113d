"""A real Azure Blob Storage for tests: the Azurite emulator (npm, pinned in package.json),
and what the sync tests do with it (their environment, a blob, its staged blocks)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.services import LocalServer

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "devstoreaccount1"
CONTAINER = "isense-test"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


class Azurite(LocalServer):
    name = "Azurite"
    start_timeout_s = 60.0

    def __init__(self) -> None:
        self.binary = ROOT / "node_modules" / ".bin" / "azurite-blob"
        if not self.binary.exists():
            raise RuntimeError("Azurite is missing: run 'make test' (npm ci installs it)")
        super().__init__("azurite-")

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
            f"BlobEndpoint=http://127.0.0.1:{self.port}/{ACCOUNT};"
        )

    def command(self) -> list[str]:
        return [str(self.binary), "--blobHost", "127.0.0.1", "--blobPort", str(self.port),
                "--location", str(self.data), "--skipApiVersionCheck", "--disableTelemetry",
                "--loose", "--silent"]  # fmt: skip


def azure_env(az: Azurite, home: Path, **extra: str) -> dict[str, str]:
    """The variables that point sync at ``az`` (add them to an isolated environment)."""
    return {
        "INTERVIEWSENSE_HOME": str(home),
        "AZURE_STORAGE_CONNECTION_STRING": az.connection_string,
        "AZURE_STORAGE_CONTAINER": CONTAINER,
        "INTERVIEWSENSE_SYNC_USER": "tester",
        **extra,
    }


def blob_client(az: Azurite, name: str) -> Any:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient.from_connection_string(az.connection_string).get_blob_client(
        CONTAINER, name
    )


def download(az: Azurite, name: str) -> bytes:
    """One blob's bytes, downloaded: the emulator does not check Content-MD5 itself."""
    return bytes(blob_client(az, name).download_blob().readall())


def wait_for_blocks(blob: Any, n: int) -> int:
    """Wait until ``n`` blocks of an upload are staged; returns how many there are."""
    from azure.core.exceptions import ResourceNotFoundError

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            count = len(blob.get_block_list("uncommitted")[1])
            if count >= n:
                return count
        except ResourceNotFoundError:
            pass
        time.sleep(0.01)
    return 0


@contextlib.contextmanager
def slow_link(az: Azurite, bytes_per_s: int = 2 * 1024 * 1024) -> Iterator[str]:
    """A connection string to ``az`` through a local TCP relay that passes uploads at
    ``bytes_per_s``: a test that signals a sync "mid-upload" then knows the upload is still
    going (straight to a local Azurite, 40 MB can finish between the test seeing the first
    block and its signal arriving)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def pump(src: socket.socket, dst: socket.socket, rate: int | None) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(64 * 1024):
                dst.sendall(data)
                if rate:
                    time.sleep(len(data) / rate)
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", az.port))
            for args in ((client, upstream, bytes_per_s), (upstream, client, None)):
                threading.Thread(target=pump, args=args, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield az.connection_string.replace(f":{az.port}/", f":{port}/")
    finally:
        stop.set()
        listener.close()
