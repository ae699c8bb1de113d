"""az:// batch input against Azurite, through a counting TCP relay: every blob of a batch
goes through one client, so its connections are reused rather than opened per blob."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewsense.config import load_settings
from interviewsense.storage.blob_input import download, list_audio
from tests.azurite import Azurite

pytestmark = pytest.mark.slow


class Relay:
    """127.0.0.1:<port> → Azurite, counting the TCP connections clients open."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def relay(azurite: Azurite) -> Iterator[Relay]:
    r = Relay(azurite.port)
    yield r
    r.close()


def test_the_blobs_of_a_batch_share_one_client(
    azurite: Azurite, relay: Relay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.storage.blob import BlobServiceClient, ContentSettings

    container = BlobServiceClient.from_connection_string(
        azurite.connection_string
    ).create_container("batch-input")
    blobs = {f"week-1/a{i:02d}.wav": b"RIFF" + bytes([i]) * 4096 for i in range(5)}
    for name, data in blobs.items():
        md5 = hashlib.md5(data).digest()
        container.upload_blob(name, data, content_settings=ContentSettings(content_md5=md5))
    relayed = azurite.connection_string.replace(f":{azurite.port}/", f":{relay.port}/")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", relayed)
    monkeypatch.setenv("INTERVIEWSENSE_CONFIG", str(tmp_path / "none.toml"))
    settings = load_settings()

    uris = list_audio("az://batch-input/week-1/", settings, {".wav"})
    assert len(uris) == 5
    got = [download(uri, settings, tmp_path / "dl", max_bytes=1 << 20) for uri in uris]
    assert [p.read_bytes() for p in got] == list(blobs.values())
    assert len(set(got)) == 5
    # One client keeps its connection alive: not one (or more) per blob.
    assert relay.connections <= 2, relay.connections
