"""``interviewsense serve`` with its shared backends, all real: Azure Blob Storage (Azurite)
for answers and speech with SAS links that expire; and what a worker process killed in the
middle of an answer leaves behind."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests import speech
from tests.azurite import KEY, Azurite
from tests.serve_server import Server, start_server, stop
from tests.speech import Spoken

pytestmark = pytest.mark.slow

CONTAINER = "serve-blobs"
# Long enough for a loaded machine to fetch a link as soon as it is given (3 s was not: the
# answer's link once expired while the question's speech was synthesised, in a clean run).
TTL_S = 5


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
        # It works at once, without the server (fetched before anything else is asked).
        got_answer = httpx.get(answer_link, timeout=30)
        spoken = c.post(
            "/v1/tts/generate",
            json={"session_id": "az1", "text": "Tell me about a hard call.", "persona": "tough"},
        )
        assert spoken.status_code == 200, spoken.text
    made = time.monotonic()
    tts_link = spoken.json()["sas_url"]
    name = spoken.json()["audio_url"].rsplit("/", 1)[1]

    # The container was created; both files are blobs, the answer as the session keeps it.
    assert blob_names(azurite) == [
        f"serve/{store_id}/audio/a01.wav",
        f"serve/{store_id}/tts/{name}",
    ]
    kept = srv.home / "sessions" / store_id / "audio" / "a01.wav"
    for link in (answer_link, tts_link):
        assert link.startswith(f"http://127.0.0.1:{azurite.port}/") and "sig=" in link
        assert parse_qs(urlsplit(link).query)["sp"] == ["r"]  # read-only
        assert KEY not in link and KEY not in answered.text + spoken.text
    assert got_answer.status_code == 200 and got_answer.content == kept.read_bytes()
    # So does the speech's, at once ...
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

    # Deleting the session deletes its blobs too.
    with srv.client() as c:
        assert c.delete("/v1/sessions/az1").status_code == 200
    assert blob_names(azurite) == []


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
            assert ready.status_code == 503 and ready.json()["storage"] == "unavailable"
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
            # The server's speech is made and served here (a review: a 502, the speech
            # looked for in Azure first); no link to a blob that is not there.
            said = c.post("/v1/tts/generate", json={"session_id": "az2", "server_voice": True,
                                                    "text": "And what did you learn?"})  # fmt: skip
            assert said.status_code == 200, said.text
            assert said.json()["sas_url"] is None and said.json()["duration_s"] > 0.5
            audio = c.get(said.json()["audio_url"])
            assert audio.status_code == 200 and audio.content.startswith(b"RIFF")
    finally:
        stop(srv)
        gone.stop()
    assert "could not reach Azure Blob Storage" in srv.log.read_text()


def test_a_stalled_azure_is_asked_once_and_requests_go_on_without_it(
    tmp_path: Path, answer_wav: Spoken
) -> None:
    """A review: with Azure unreachable, /readyz took 8 s to say so and every request that
    touched Azure waited out its time-outs again; one that takes connections and never
    replies held /readyz and each answer for minutes (60 s a read, three tries)."""
    hole = socket.create_server(("127.0.0.1", 0), backlog=64)
    taken: list[socket.socket] = []

    def swallow() -> None:  # accept and never reply
        with contextlib.suppress(OSError):
            while True:
                taken.append(hole.accept()[0])

    threading.Thread(target=swallow, daemon=True).start()
    gone = Azurite()  # its account and key; the endpoint is the hole
    stalled = gone.connection_string.replace(f":{gone.port}/", f":{hole.getsockname()[1]}/")
    srv = start_server(
        tmp_path,
        AZURE_STORAGE_CONNECTION_STRING=stalled,
        AZURE_STORAGE_CONTAINER=CONTAINER,
        AZURE_BLOB_SAS_TTL_SECONDS=str(TTL_S),
    )
    try:
        with srv.client() as c:
            ready = c.get("/readyz")  # one try, a few seconds: not three of a minute each
            assert ready.status_code == 503 and ready.json()["storage"] == "unavailable"
            assert "could not reach Azure Blob Storage" in ready.json()["error"]
            asked = len(taken)
            assert asked >= 1
            started = c.post(
                "/v1/sessions/start",
                json={"session_id": "az3", "user_id": "wes", "client_tts": True},
            )
            started.raise_for_status()
            # Azure was just found not to answer: the speech is made and kept here, and
            # Azure is not asked again for it.
            said = c.post("/v1/tts/generate", json={"session_id": "az3", "server_voice": True,
                                                    "text": "What did you learn?"})  # fmt: skip
            assert said.status_code == 200, said.text
            assert said.json()["sas_url"] is None
            assert len(taken) == asked
            with answer_wav.path.open("rb") as fh:
                r = c.post("/v1/sessions/az3/answers", files={"audio": ("a.wav", fh)})
            assert r.status_code == 200, r.text
            assert r.json()["sas_url"] is None and r.json()["turn"] == 1
        kept = srv.home / "sessions" / started.json()["store_id"] / "audio" / "a01.wav"
        assert kept.is_file()
    finally:
        stop(srv)
        hole.close()
        for conn in taken:
            conn.close()
        gone.stop()
    assert "not asked again" in srv.log.read_text()


# --- a worker killed in the middle of an answer -------------------------------------------


def test_a_worker_killed_mid_answer_keeps_the_recording(tmp_path: Path, answer_wav: Spoken) -> None:
    samples, rate = speech.read_wav(answer_wav.path)
    long = speech.write_wav(tmp_path / "long.wav", speech.concat([samples] * 4), rate)
    seconds = len(samples) * 4 / rate
    srv = start_server(tmp_path, "--workers", "2")
    try:
        with srv.client() as c:
            r = c.post(
                "/v1/sessions/start",
                json={"session_id": "kill", "user_id": "zed", "client_tts": True},
            )
            store_id = r.json()["store_id"]
        folder = srv.home / "sessions" / store_id
        kept, lock = folder / "audio" / "a01.wav", folder / ".lock"
        outcome: list[httpx.Response | Exception] = []

        def send() -> None:
            try:
                with srv.client() as c, long.open("rb") as fh:
                    outcome.append(
                        c.post("/v1/sessions/kill/answers", files={"audio": ("a.wav", fh)})
                    )
            except httpx.TransportError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=send)
        thread.start()
        deadline = time.monotonic() + 60
        while not (kept.exists() and lock.exists()):  # the recording is kept: Whisper starts
            assert time.monotonic() < deadline and thread.is_alive(), outcome
            time.sleep(0.005)
        worker = int(lock.read_text())
        assert worker != srv.proc.pid  # a worker, not the supervisor
        os.kill(worker, signal.SIGKILL)
        uploads = srv.home / "cache" / "uploads"
        assert list(uploads.glob(f"upload-{worker}@*")), "the killed worker left no upload?"
        thread.join(timeout=60)

        # The client gets an error, not an answer ...
        (got,) = outcome
        assert isinstance(got, httpx.TransportError) or got.status_code >= 500, got
        # ... and the recording is kept, whole, while the question still waits.
        kept_samples, kept_rate = speech.read_wav(kept)
        assert len(kept_samples) / kept_rate == pytest.approx(seconds, abs=0.05)
        with srv.client() as c:
            deadline = time.monotonic() + 60
            while True:  # the supervisor starts a new worker; the other one answers meanwhile
                try:
                    session = c.get("/v1/sessions/kill").json()["session"]
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
        assert [t["status"] for t in session["turns"]] == ["asking"]
        # The dead worker's temporary upload is removed when its replacement starts.
        deadline = time.monotonic() + 90
        while list(uploads.glob(f"upload-{worker}@*")):
            assert time.monotonic() < deadline, "the killed worker's upload was never removed"
            time.sleep(0.2)

        # 'sessions repair' (on a copy) finds it abandoned and recovers the recorded answer …
        other = tmp_path / "copy"
        shutil.copytree(srv.home / "sessions", other / "sessions")
        repaired = subprocess.run(
            [sys.executable, "-m", "interviewsense", "sessions", "repair"],
            env={**srv.env, "INTERVIEWSENSE_HOME": str(other)},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        said = repaired.stdout + repaired.stderr
        assert "recovered" in said and store_id in said, said
        copied = json.loads((other / "sessions" / store_id / "session.json").read_text())
        assert [t["status"] for t in copied["turns"]] == ["recovered"]
        assert (
            other / "sessions" / store_id / "audio" / "a01.wav"
        ).read_bytes() == kept.read_bytes()
        # … and on the server a retry of the same request answers the question.
        with srv.client() as c, long.open("rb") as fh:
            retry = c.post(
                "/v1/sessions/kill/answers", files={"audio": ("a.wav", fh)}, data={"turn": "1"}
            )
        assert retry.status_code == 200, retry.text
        assert retry.json()["turn"] == 1 and retry.json()["next"]["turn"] == 2
        assert not lock.exists()
    finally:
        stop(srv)


def test_a_worker_killed_mid_redo_keeps_the_recorded_answer(
    tmp_path: Path, answer_wav: Spoken
) -> None:
    """A redo (a new recording for an answered turn) replaces the recorded WAV only once it
    is scored: killed while Whisper works on it, the first answer and its WAV stay."""
    samples, rate = speech.read_wav(answer_wav.path)
    long = speech.write_wav(tmp_path / "long.wav", speech.concat([samples] * 4), rate)
    srv = start_server(tmp_path, "--workers", "2")
    try:
        with srv.client() as c:
            r = c.post(
                "/v1/sessions/start",
                json={"session_id": "redo", "user_id": "zed", "client_tts": True},
            )
            store_id = r.json()["store_id"]
            with answer_wav.path.open("rb") as fh:
                first = c.post("/v1/sessions/redo/answers", files={"audio": ("a.wav", fh)})
            assert first.status_code == 200, first.text
        folder = srv.home / "sessions" / store_id
        kept, lock = folder / "audio" / "a01.wav", folder / ".lock"
        recorded = kept.read_bytes()
        before = kept.stat().st_mtime_ns
        outcome: list[httpx.Response | Exception] = []

        def redo() -> None:
            try:
                with srv.client() as c, long.open("rb") as fh:
                    outcome.append(
                        c.post(
                            "/v1/sessions/redo/answers",
                            files={"audio": ("a.wav", fh)},
                            data={"turn": "1"},
                        )
                    )
            except httpx.TransportError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=redo)
        thread.start()
        deadline = time.monotonic() + 60
        # The new recording is written (beside the old one, or over it): Whisper starts.
        while not (
            lock.exists()
            and (list(kept.parent.glob(".a01.wav.*")) or kept.stat().st_mtime_ns != before)
        ):
            assert time.monotonic() < deadline and thread.is_alive(), outcome
            time.sleep(0.005)
        time.sleep(0.2)
        os.kill(int(lock.read_text()), signal.SIGKILL)
        thread.join(timeout=60)
        (got,) = outcome
        assert isinstance(got, httpx.TransportError) or got.status_code >= 500, got

        assert kept.read_bytes() == recorded  # the first recording, whole
        with srv.client() as c:
            deadline = time.monotonic() + 60
            while True:
                try:
                    session = c.get("/v1/sessions/redo").json()["session"]
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.2)
        answer = session["turns"][0]["answer"]
        assert answer["transcript"]["text"] == first.json()["answer"]["transcript"]["text"]
        seconds = len(samples) / rate
        assert answer["audio"]["duration_s"] == pytest.approx(seconds, abs=0.05)
    finally:
        stop(srv)
