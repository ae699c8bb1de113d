"""Two ``interviewsense serve`` processes sharing one session folder and a real
redis-server: a session started on one and answered on the other, answers to both at once
serialised by the Redis lock, speech served from the shared cache, and a Redis restart in
the middle that loses no answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.isolation import subprocess_env
from tests.practice import command
from tests.redis_server import RedisServer
from tests.serve_server import TYPED, Server, error_of, start_server, stop
from tests.speech import Spoken

pytestmark = pytest.mark.slow


@dataclass
class Pair:
    a: Server
    b: Server
    redis: RedisServer

    def keys(self, pattern: str) -> dict[str, str]:
        import redis

        client = redis.Redis(port=self.redis.port, socket_timeout=5)
        try:
            return {k.decode(): (client.get(k) or b"").decode() for k in client.keys(pattern)}
        finally:
            client.close()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    rds = RedisServer().start()
    yield rds
    rds.stop()


def two_servers(base: Path, rds: RedisServer, **extra: str) -> Pair:
    home = base / "home"
    a = start_server(base / "a", home=home, REDIS_URL=rds.url, **extra)
    try:
        b = start_server(base / "b", home=home, REDIS_URL=rds.url, **extra)
    except BaseException:
        stop(a)
        raise
    return Pair(a, b, rds)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Iterator[Pair]:
    servers = two_servers(tmp_path_factory.mktemp("serve-redis"), redis_server)
    yield servers
    stop(servers.a)
    stop(servers.b)


def test_the_rate_limit_is_shared_by_the_servers(tmp_path: Path, redis_server: RedisServer) -> None:
    servers = two_servers(tmp_path, redis_server, INTERVIEWSENSE_SERVE_RATE_LIMIT="10")
    try:
        with servers.a.client() as a, servers.b.client() as b:
            for _ in range(5):
                assert a.get("/v1/sessions", params={"user_id": "rl"}).status_code == 200
                assert b.get("/v1/sessions", params={"user_id": "rl"}).status_code == 200
            for c in (a, b):
                r = c.get("/v1/sessions", params={"user_id": "rl"})
                error_of(r, 429)
                assert 1 <= int(r.headers["retry-after"]) <= 60
    finally:
        stop(servers.a)
        stop(servers.b)


def start(server: Server, sid: str, user: str, **extra: object) -> str:
    with server.client() as c:
        r = c.post(
            "/v1/sessions/start",
            json={"session_id": sid, "user_id": user, "persona": "friendly", **extra},
        )
    assert r.status_code == 200, r.text
    return str(r.json()["store_id"])


def test_a_session_started_on_one_server_is_answered_on_the_other(
    pair: Pair, answer_wav: Spoken
) -> None:
    store_id = start(pair.a, "two", "wes", client_tts=True, questions=4)
    with pair.b.client() as c:
        ready = c.get("/readyz").json()
        assert ready["redis"] == "ok" and ready["storage"] == "ok", ready
        with answer_wav.path.open("rb") as fh:
            r = c.post("/v1/sessions/two/answers", files={"audio": ("a.wav", fh)})
        assert r.status_code == 200, r.text
        assert r.json()["turn"] == 1
    with pair.a.client() as c:
        r = c.post("/v1/sessions/two/answers", json={"transcript": TYPED})
        assert r.status_code == 200 and r.json()["turn"] == 2, r.text
    assert pair.keys("interviewsense:answered:*") == {f"interviewsense:answered:{store_id}": "2"}

    # Two answers at once, one to each server: the Redis lock takes them one after the other.
    results: list[httpx.Response] = []
    seen_locks: list[dict[str, str]] = []

    def send(server: Server, text: str) -> None:
        with server.client() as c:
            results.append(c.post("/v1/sessions/two/answers", json={"transcript": text}))

    threads = [
        threading.Thread(target=send, args=(srv, f"{TYPED} Answer {i}."))
        for i, srv in ((3, pair.a), (4, pair.b))
    ]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        seen_locks.append(pair.keys("interviewsense:lock:*"))
        time.sleep(0.01)
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    assert sorted(r.json()["turn"] for r in results) == [3, 4]
    assert any(f"interviewsense:lock:{store_id}" in keys for keys in seen_locks)
    assert pair.keys("interviewsense:lock:*") == {}  # released
    with pair.b.client() as c:
        session = c.get("/v1/sessions/two").json()["session"]
    answered = [t for t in session["turns"] if t["status"] == "answered"]
    assert [t["index"] for t in answered] == [1, 2, 3, 4]
    assert sorted(t["answer"]["transcript"]["text"][-9:] for t in answered[2:]) == [
        "Answer 3.",
        "Answer 4.",
    ]
    assert pair.keys("interviewsense:answered:*")[f"interviewsense:answered:{store_id}"] == "4"


def test_one_live_socket_records_a_session_across_the_servers(pair: Pair) -> None:
    """The live answer's claim is a Redis lock: a second socket, on the other server, is
    refused (409) while the first records, and connects once the first has dropped."""
    from websockets.sync.client import connect

    store_id = start(pair.a, "live-one", "lou")
    key = f"interviewsense:live:{store_id}"
    on_a, on_b = (
        f"{srv.url.replace('http', 'ws')}/v1/sessions/live-one/live?user_id=lou"
        for srv in (pair.a, pair.b)
    )
    with connect(on_a) as first:
        assert json.loads(first.recv(timeout=60))["type"] == "ready"
        assert key in pair.keys("interviewsense:live:*")
        with connect(on_b) as second:
            refused = json.loads(second.recv(timeout=30))
        assert refused["type"] == "error" and refused["status"] == 409, refused
        assert refused["busy"] is True and refused["hint"]
    deadline = time.monotonic() + 10
    while pair.keys("interviewsense:live:*"):  # released when the first socket dropped
        assert time.monotonic() < deadline, "the live claim was not released"
        time.sleep(0.05)
    with connect(on_b) as again:
        assert json.loads(again.recv(timeout=60))["type"] == "ready"
        again.send(json.dumps({"type": "discard"}))
        while (msg := json.loads(again.recv(timeout=60)))["type"] != "end":
            assert msg["type"] == "transcript", msg


def test_a_socket_that_loses_its_claim_stops(pair: Pair) -> None:
    """A review: with the live claim gone from Redis (expired, a failover), a second socket
    was let in while the first went on recording: both wrote a01.wav and scored turn 1. The
    first now stops at its next renewal (LOCK_TTL_S / 3), keeping what it recorded."""
    import redis
    from websockets.sync.client import connect

    from interviewsense.serve.backends import LOCK_TTL_S

    store_id = start(pair.a, "live-lost", "lea")
    url = f"{pair.a.url.replace('http', 'ws')}/v1/sessions/live-lost/live?user_id=lea"
    silence = b"\0\0" * 1600  # 0.1 s
    with connect(url) as ws:
        assert json.loads(ws.recv(timeout=60))["type"] == "ready"
        client = redis.Redis(port=pair.redis.port, socket_timeout=5)
        try:
            assert client.delete(f"interviewsense:live:{store_id}") == 1
        finally:
            client.close()
        deadline = time.monotonic() + LOCK_TTL_S / 3 + 10
        stopped: dict[str, object] = {}
        while not stopped:
            assert time.monotonic() < deadline, "the socket went on without its claim"
            try:
                ws.send(silence)
                while msg := json.loads(ws.recv(timeout=0.1)):
                    if msg["type"] == "error":
                        stopped = msg
                        break
            except TimeoutError:
                pass
    assert stopped["status"] == 503, stopped
    assert "no longer holds the answer of session live-lost" in str(stopped["error"])


def test_the_same_speech_is_served_from_the_shared_cache(pair: Pair) -> None:
    first_id = start(pair.a, "tts-a", "xia", client_tts=False)
    second_id = start(pair.b, "tts-b", "xia", client_tts=False)
    body = {"text": "Tell me about a time you disagreed with your manager.", "persona": "friendly"}
    with pair.a.client() as c:
        made = c.post("/v1/tts/generate", json={**body, "session_id": "tts-a"})
    assert made.status_code == 200 and made.json()["cached"] is False, made.text
    name = made.json()["audio_url"].rsplit("/", 1)[1]
    original = pair.a.home / "sessions" / first_id / "tts" / name
    stamp = original.stat().st_mtime_ns
    cache = pair.keys("interviewsense:tts:*")
    assert list(cache.values()) == [first_id]

    time.sleep(0.05)  # a new synthesis would get a later mtime
    with pair.b.client() as c:
        again = c.post("/v1/tts/generate", json={**body, "session_id": "tts-b"})
        assert again.status_code == 200 and again.json()["cached"] is True, again.text
        assert again.json()["duration_s"] == made.json()["duration_s"]
        audio = c.get(again.json()["audio_url"])
    copy = pair.b.home / "sessions" / second_id / "tts" / name
    assert audio.content == original.read_bytes() == copy.read_bytes()
    assert original.stat().st_mtime_ns == stamp  # not synthesised again
    assert pair.keys("interviewsense:tts:*") == cache


def test_a_server_that_does_not_share_the_folder_refuses_to_answer(
    pair: Pair, tmp_path: Path
) -> None:
    store_id = start(pair.a, "stale", "zoe", client_tts=True, questions=3)
    copy = tmp_path / "own-home"
    shutil.copytree(pair.a.home / "sessions", copy / "sessions")  # a copy taken now
    with pair.a.client() as c:
        r = c.post("/v1/sessions/stale/answers", json={"transcript": TYPED})
        assert r.status_code == 200 and r.json()["turn"] == 1, r.text
    third = start_server(tmp_path / "c", home=copy, REDIS_URL=pair.redis.url)
    try:
        with third.client() as c:
            r = c.post("/v1/sessions/stale/answers", json={"transcript": f"{TYPED} Again."})
        body = error_of(r, 500)
        assert "has 0 answers, but 1 were recorded" in body["error"]
        assert "INTERVIEWSENSE_HOME" in body["hint"]
    finally:
        stop(third)
    stale = json.loads((copy / "sessions" / store_id / "session.json").read_text())
    assert [t["status"] for t in stale["turns"]] == ["asking"]  # nothing answered twice


def test_a_redis_restart_loses_no_answer(pair: Pair) -> None:
    store_id = start(pair.a, "restart", "yan", client_tts=True, questions=3)
    with pair.a.client() as c:
        first = c.post("/v1/sessions/restart/answers", json={"transcript": f"{TYPED} First."})
        assert first.status_code == 200 and first.json()["turn"] == 1, first.text

    pair.redis.kill()
    try:
        with pair.b.client() as c:
            down = error_of(c.get("/readyz"), 503)
            assert down["redis"] == "unreachable"
            assert f"Redis at 127.0.0.1:{pair.redis.port} cannot be reached" in down["error"]
            r = c.post("/v1/sessions/restart/answers", json={"transcript": f"{TYPED} Second."})
            error_of(r, 503)
            assert int(r.headers["retry-after"]) > 0
            # The answer recorded before is in the store, and nothing half-done after it.
            turns = c.get("/v1/sessions/restart").json()["session"]["turns"]
        assert [t["status"] for t in turns] == ["answered", "asking"]
        assert turns[0]["answer"]["transcript"]["text"].endswith("First.")
    finally:
        pair.redis.start()

    deadline = time.monotonic() + 30
    with pair.b.client() as c:
        while c.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "not ready again after Redis came back"
            time.sleep(0.2)
        r = c.post("/v1/sessions/restart/answers", json={"transcript": f"{TYPED} Second."})
    assert r.status_code == 200 and r.json()["turn"] == 2, r.text
    with pair.a.client() as c:
        r = c.post("/v1/sessions/restart/answers", json={"transcript": f"{TYPED} Third."})
        assert r.status_code == 200 and r.json()["turn"] == 3, r.text
        turns = c.get("/v1/sessions/restart").json()["session"]["turns"]
    texts = [t["answer"]["transcript"]["text"].rsplit(" ", 1)[1] for t in turns if t["answer"]]
    assert texts == ["First.", "Second.", "Third."]
    assert pair.keys(f"interviewsense:answered:{store_id}") == {
        f"interviewsense:answered:{store_id}": "3"
    }
    assert "POST /v1/sessions/{session_id}/answers 503" in pair.b.log.read_text()

    with pair.b.client() as c:
        assert c.delete("/v1/sessions/restart").status_code == 200
    assert pair.keys(f"interviewsense:answered:{store_id}") == {}


def test_a_redis_that_stalls_is_a_503_in_seconds(pair: Pair) -> None:
    """A review: a Redis that took connections and never answered (SIGSTOP: a frozen host,
    a full network buffer) held /readyz and every request for 91 s. A bad REDIS_URL was a
    bug's exit (70)."""
    import os
    import signal

    from interviewsense.serve.backends import REDIS_CALL_S

    proc = pair.redis._proc
    assert proc is not None
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        with pair.a.client() as c:
            started = time.monotonic()
            down = c.get("/readyz")
            took = time.monotonic() - started
        assert down.status_code == 503, down.text
        assert took < 6 * REDIS_CALL_S, took  # a few calls' timeouts, not minutes
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    for url in ("redis://127.0.0.1:notaport/0", "redis://127.0.0.1:6379/abc"):
        bad = subprocess.run(command("serve", "--port", "9"), env=subprocess_env(
            pair.a.home, REDIS_URL=url), capture_output=True, text=True, timeout=60)  # fmt: skip
        assert bad.returncode == 1, bad.stderr
        assert "REDIS_URL is not a Redis URL" in bad.stderr and "bug" not in bad.stderr


def test_a_request_that_loses_its_lock_stops_before_it_writes(
    pair: Pair, answer_wav: Spoken, tmp_path: Path
) -> None:
    """The lease runs out while Whisper works (here: another holder takes the key, as after
    an expiry): the request answers 503 with Retry-After and writes nothing; sent again, it
    answers the question."""
    import redis

    from tests import speech

    samples, rate = speech.read_wav(answer_wav.path)
    long = speech.write_wav(tmp_path / "long.wav", speech.concat([samples] * 4), rate)
    store_id = start(pair.a, "lease", "zoe", client_tts=True, questions=2)
    folder = pair.a.home / "sessions" / store_id
    outcome: list[httpx.Response] = []

    def send() -> None:
        with pair.a.client() as c, long.open("rb") as fh:
            outcome.append(c.post("/v1/sessions/lease/answers", files={"audio": ("a.wav", fh)}))

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 60
    while not (folder / ".lock").exists():  # the answer is being made, under the lock
        assert time.monotonic() < deadline and thread.is_alive(), outcome
        time.sleep(0.005)
    key = f"interviewsense:lock:{store_id}"
    client = redis.Redis(port=pair.redis.port, socket_timeout=5)
    try:
        assert client.get(key), "the request holds no Redis lock?"
        client.set(key, "another-request")
        thread.join(timeout=120)
        (got,) = outcome
        body = error_of(got, 503)
        assert "lock on session" in body["error"] and "lost" in body["error"]
        assert int(got.headers["retry-after"]) > 0
        client.delete(key)
    finally:
        client.close()
    with pair.b.client() as c:
        session = c.get("/v1/sessions/lease").json()["session"]
        assert [t["status"] for t in session["turns"]] == ["asking"]  # nothing answered
        assert pair.keys(f"interviewsense:answered:{store_id}") == {}
        r = c.post("/v1/sessions/lease/answers", json={"transcript": TYPED, "turn": 1})
        assert r.status_code == 200 and r.json()["turn"] == 1, r.text
