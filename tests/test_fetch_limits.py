"""The audio fetcher's total deadline and minimum rate, against a real server that trickles.

The server promises 1 MB and sends one byte every 0.2 s: every per-read timeout is met, so
only the deadline or the rate check can stop it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from interviewsense.audio.fetch import fetch
from interviewsense.cli import app
from interviewsense.errors import ServiceError

PROMISED = 1024 * 1024
FAST_BYTES = 64 * 1024
STEADY = bytes(range(256)) * 1024  # 256 KB, every byte value


class Trickle(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        fast = self.path.startswith("/fast")
        if self.path.startswith("/steady"):
            self._steady()
            return
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(FAST_BYTES if fast else PROMISED))
        self.end_headers()
        try:
            if fast:
                self.wfile.write(b"\0" * FAST_BYTES)
                return
            for _ in range(PROMISED):
                self.wfile.write(b"\0")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:  # the client gave up: what the test wants
            return

    def _steady(self) -> None:
        """STEADY in pieces over about half a second: two downloads of it overlap."""
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.send_header("Content-Length", str(len(STEADY)))
        self.end_headers()
        with contextlib.suppress(OSError):
            for i in range(0, len(STEADY), 16 * 1024):
                self.wfile.write(STEADY[i : i + 16 * 1024])
                self.wfile.flush()
                time.sleep(0.03)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def trickle_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_finalize_gives_up_at_the_total_deadline(trickle_url: str) -> None:
    env = {"INTERVIEWSENSE_HTTP_DEADLINE": "2", "INTERVIEWSENSE_HTTP_MIN_RATE": "0"}
    started = time.monotonic()
    result = CliRunner().invoke(app, ["finalize", f"{trickle_url}/slow.wav"], env=env)
    took = time.monotonic() - started
    assert result.exit_code == 5, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "took longer than the 2 s limit" in errors[0]
    assert "INTERVIEWSENSE_HTTP_DEADLINE" in result.stderr
    assert "Traceback" not in result.stderr
    assert 1.9 < took < 15, took


def test_a_trickle_is_refused_below_the_minimum_rate(trickle_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ServiceError, match=r"under the 1 KB/s minimum") as caught:
        fetch(f"{trickle_url}/slow.wav", tmp_path, min_rate_bps=1024, rate_window_s=1.0)
    assert "INTERVIEWSENSE_HTTP_MIN_RATE" in (caught.value.hint or "")
    assert time.monotonic() - started < 10
    assert not list(tmp_path.iterdir())  # no partial file left behind


def test_a_normal_download_passes_both_checks(trickle_url: str, tmp_path: Path) -> None:
    path = fetch(
        f"{trickle_url}/fast.wav",
        tmp_path,
        deadline_s=5,
        min_rate_bps=1024,
        rate_window_s=0.0,  # checked on every chunk: a fast server still passes
    )
    assert path.stat().st_size == FAST_BYTES


def test_two_downloads_of_one_url_at_once_get_files_of_their_own(
    trickle_url: str, tmp_path: Path
) -> None:
    """Each download has its own file: neither truncates, renames or deletes the other's."""
    got: list[Path] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            got.append(fetch(f"{trickle_url}/steady.wav", tmp_path, deadline_s=30))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(got) == 2 and got[0] != got[1]
    assert all(p.read_bytes() == STEADY for p in got)
    for p in got:
        p.unlink()
    assert not list(tmp_path.iterdir())  # no partial file left behind


def test_a_policy_lets_the_download_reach_only_what_it_allows(
    trickle_url: str, tmp_path: Path
) -> None:
    """The web API's policy: loopback refused unless allowed (by network or by name); the
    CLI passes none and reaches its own machine and network."""
    from interviewsense.audio.addresses import AddressPolicy
    from interviewsense.errors import RefusedAddressError

    url = f"{trickle_url}/fast.wav"
    with pytest.raises(RefusedAddressError, match="127.0.0.1"):
        fetch(url, tmp_path, policy=AddressPolicy())
    assert not list(tmp_path.iterdir())
    allowed = fetch(url, tmp_path, policy=AddressPolicy.parse("10.0.0.0/8, 127.0.0.0/8"))
    assert allowed.stat().st_size == FAST_BYTES
    named = trickle_url.replace("127.0.0.1", "localhost") + "/fast.wav"
    assert fetch(named, tmp_path, policy=AddressPolicy.parse("localhost")).stat().st_size
    assert fetch(url, tmp_path).stat().st_size == FAST_BYTES  # no policy: the CLI
