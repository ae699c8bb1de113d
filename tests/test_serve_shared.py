"""``interviewsense serve`` with its shared backends, all real: Azure Blob Storage (Azurite)
for answers and speech with SAS links that expire, and what a server process dying in the
middle of an answer leaves behind."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.azurite import KEY, Azurite
from tests.speech import Spoken
from tests.test_serve import Server, start_server, stop

pytestmark = pytest.mark.slow

CONTAINER = "serve-blobs"
TTL_S = 3


@pytest.fixture(scope="module")
def azurite() -> Iterator[Azurite]:
    server = Azurite().start()
    yield server
    server.stop()


@pytest.fixture
def azure_server(tmp_path: Path, azurite: Azurite) -> Iterator[Server]:
    srv = start_server(
        tmp_path,
        AZURE_STORAGE_CONNECTION_STRING=azurite.connection_string,
        AZURE_STORAGE_CONTAINER=CONTAINER,
        AZURE_BLOB_SAS_TTL_SECONDS=str(TTL_S),
    )
    yield srv
    stop(srv)


def blob_names(az: Azurite) -> list[str]:
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(az.connection_string)
    return sorted(b.name for b in service.get_container_client(CONTAINER).list_blobs())


def test_answers_and_speech_are_blobs_with_links_that_expire(
    azure_server: Server, azurite: Azurite, answer_wav: Spoken
) -> None:
    srv = azure_server
    with srv.client() as c:
        ready = c.get("/readyz")
        assert ready.status_code == 200 and ready.json()["storage"] == "ok", ready.text
        r = c.post(
            "/v1/sessions/start",
            json={"session_id": "az1", "user_id": "uma", "persona": "tough", "client_tts": False},
        )
        assert r.status_code == 200, r.text
        store_id = r.json()["store_id"]
        with answer_wav.path.open("rb") as fh:
            answered = c.post("/v1/sessions/az1/answers", files={"audio": ("a.wav", fh)})
        assert answered.status_code == 200, answered.text
        answer_link = answered.json()["sas_url"]
        speech = c.post(
            "/v1/tts/generate",
            json={"session_id": "az1", "text": "Tell me about a hard call.", "persona": "tough"},
        )
        assert speech.status_code == 200, speech.text
    made = time.monotonic()
    tts_link = speech.json()["sas_url"]
    name = speech.json()["audio_url"].rsplit("/", 1)[1]

    # The container was created; both files are blobs, the answer as the session keeps it.
    assert blob_names(azurite) == [
        f"serve/{store_id}/audio/a01.wav",
        f"serve/{store_id}/tts/{name}",
    ]
    kept = srv.home / "sessions" / store_id / "audio" / "a01.wav"
    for link in (answer_link, tts_link):
        assert link.startswith(f"http://127.0.0.1:{azurite.port}/") and "sig=" in link
        assert parse_qs(urlsplit(link).query)["sp"] == ["r"]  # read-only
        assert KEY not in link and KEY not in answered.text + speech.text
    # They work at once, without the server ...
    got = httpx.get(answer_link, timeout=30)
    assert got.status_code == 200 and got.content == kept.read_bytes()
    got = httpx.get(tts_link, timeout=30)
    assert got.status_code == 200 and got.content[:4] == b"RIFF"
    # ... and nothing else can be done with them.
    put = httpx.put(tts_link, content=b"x", headers={"x-ms-blob-type": "BlockBlob"}, timeout=30)
    assert put.status_code == 403
    assert httpx.get(tts_link, timeout=30).content[:4] == b"RIFF"
    assert httpx.delete(answer_link, timeout=30).status_code == 403

    # After the TTL they are refused.
    time.sleep(max(0.0, made + TTL_S + 1.5 - time.monotonic()))
    for link in (answer_link, tts_link):
        assert httpx.get(link, timeout=30).status_code == 403


def test_without_a_ttl_there_are_no_links_and_a_dead_azure_is_not_ready(
    tmp_path: Path, answer_wav: Spoken
) -> None:
    gone = Azurite()  # never started: nothing listens on its port
    srv = start_server(
        tmp_path,
        AZURE_STORAGE_CONNECTION_STRING=gone.connection_string,
        AZURE_STORAGE_CONTAINER=CONTAINER,
    )
    try:
        with srv.client() as c:
            ready = c.get("/readyz")
            assert ready.status_code == 503 and ready.json()["storage"] == "unreachable"
            assert "could not reach Azure Blob Storage" in ready.json()["error"]
            assert KEY not in ready.text
            c.post(
                "/v1/sessions/start",
                json={"session_id": "az2", "user_id": "vic", "client_tts": True},
            ).raise_for_status()
            # The answer is recorded even though the blob could not be stored.
            with answer_wav.path.open("rb") as fh:
                r = c.post("/v1/sessions/az2/answers", files={"audio": ("a.wav", fh)})
            assert r.status_code == 200, r.text
            assert r.json()["sas_url"] is None and r.json()["turn"] == 1
    finally:
        stop(srv)
        gone.stop()
    assert "could not reach Azure Blob Storage" in srv.log.read_text()
