"""HTTP(S) download of an answer recording: timeouts, retries with backoff, a size cap, a
total deadline and a minimum transfer rate (a server trickling bytes cannot hold us forever)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from interviewsense.audio.urls import check_url, shown
from interviewsense.errors import BadInputError, ServiceError
from interviewsense.fsutil import ensure_dir

if TYPE_CHECKING:
    from interviewsense.audio.addresses import AddressPolicy
    from interviewsense.config import Settings

Progress = Callable[[int, int | None], None]
RETRIES = 3
BACKOFF_S = 0.5
RATE_WINDOW_S = 10.0  # the minimum rate is checked over each window this long


def fetch_limits(settings: Settings) -> dict[str, Any]:
    """The settings every download obeys (finalize, batch and the web API alike)."""
    return {
        "timeout_s": settings.http_timeout_s,
        "max_bytes": settings.max_download_mb * 1024 * 1024,
        "deadline_s": settings.http_deadline_s,
        "min_rate_bps": settings.http_min_rate_kbps * 1024,
    }


class _Clock:
    """The total deadline and the minimum rate of one download, retries included."""

    def __init__(self, url: str, deadline_s: float, min_rate_bps: float, window_s: float) -> None:
        self.url = url
        self.deadline_s = deadline_s
        self.min_rate_bps = min_rate_bps
        self.window_s = window_s
        self.started = time.monotonic()
        self._mark = (self.started, 0)

    def remaining(self) -> float:
        """Seconds left before the deadline (infinite without one); raises when none are."""
        if self.deadline_s <= 0:
            return float("inf")
        left = self.started + self.deadline_s - time.monotonic()
        if left <= 0:
            raise ServiceError(
                f"downloading {self.url} took longer than the {self.deadline_s:g} s limit",
                hint="the server is too slow: raise INTERVIEWSENSE_HTTP_DEADLINE, or download "
                "the file yourself and pass its path",
            )
        return left

    def body_started(self) -> None:
        self._mark = (time.monotonic(), 0)

    def check(self, done: int) -> None:
        """Called as bytes arrive: fail past the deadline, or below the minimum rate."""
        self.remaining()
        now = time.monotonic()
        since, at = self._mark
        elapsed = now - since
        if self.min_rate_bps <= 0 or elapsed <= 0 or elapsed < self.window_s:
            return
        rate = (done - at) / elapsed
        if rate < self.min_rate_bps:
            raise ServiceError(
                f"{self.url} is sending {rate / 1024:.2f} KB/s, under the "
                f"{self.min_rate_bps / 1024:g} KB/s minimum",
                hint="the server is too slow: lower INTERVIEWSENSE_HTTP_MIN_RATE (0 turns the "
                "check off), or download the file yourself and pass its path",
            )
        self._mark = (now, done)


# Content types that are never a recording, whatever the link's name says.
WEB_PAGES = frozenset({"text/html", "application/xhtml+xml"})


def _suffix(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    suffix = Path(name).suffix.lower()
    return suffix if suffix.isascii() and 1 < len(suffix) <= 6 else ".audio"


def fetch(
    url: str,
    dest_dir: Path,
    *,
    timeout_s: float = 20.0,
    max_bytes: int = 200 * 1024 * 1024,
    deadline_s: float = 0.0,
    min_rate_bps: float = 0.0,
    rate_window_s: float = RATE_WINDOW_S,
    retries: int = RETRIES,
    progress: Progress | None = None,
    policy: AddressPolicy | None = None,
) -> Path:
    """Download ``url`` into ``dest_dir`` and return the file's path.

    Connection failures, time-outs and 5xx answers are retried ``retries`` times with
    exponential backoff; a 4xx answer or a file over ``max_bytes`` fails at once. The whole
    download, retries included, must end within ``deadline_s`` (0: no limit), and the body
    must arrive at ``min_rate_bps`` or faster over each ``rate_window_s`` (0: no check):
    both fail at once, as a server that slow is not worth another try. With ``policy``
    every connection, redirects included, goes only to addresses it permits (the web API;
    proxy settings from the environment are then ignored, as the proxy would connect).
    """
    check_url(url)
    ensure_dir(dest_dir)
    # A name of its own: two requests for one URL at once must not share (and truncate,
    # rename or delete) each other's file.
    fd, name = tempfile.mkstemp(prefix="download-", suffix=_suffix(url), dir=dest_dir)
    os.close(fd)
    target = Path(name)
    try:
        return _fetch_into(target, url, timeout_s, max_bytes, deadline_s, min_rate_bps,
                           rate_window_s, retries, progress, policy)  # fmt: skip
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _fetch_into(
    target: Path,
    url: str,
    timeout_s: float,
    max_bytes: int,
    deadline_s: float,
    min_rate_bps: float,
    rate_window_s: float,
    retries: int,
    progress: Progress | None,
    policy: AddressPolicy | None,
) -> Path:
    import httpx

    guarded: dict[str, Any] = {}
    if policy is not None:
        from interviewsense.audio.addresses import guarded_transport

        guarded = {"transport": guarded_transport(policy), "trust_env": False}

    clock = _Clock(shown(url), deadline_s, min_rate_bps, rate_window_s)
    last: str = ""
    for attempt in range(retries + 1):
        body = False  # whether this try's body had begun
        if attempt:
            time.sleep(min(BACKOFF_S * 2 ** (attempt - 1), clock.remaining()))
        # No single wait may run past the deadline.
        wait = min(timeout_s, clock.remaining())
        timeout = httpx.Timeout(wait, connect=min(wait, 10.0))
        try:
            with httpx.Client(timeout=timeout, follow_redirects=True, **guarded) as client:
                with client.stream("GET", url) as resp:
                    if 400 <= resp.status_code < 500:
                        raise BadInputError(
                            f"{shown(url)} answered {resp.status_code} {resp.reason_phrase}",
                            hint="check the link; it must point at the audio file itself",
                        )
                    if resp.status_code >= 500:
                        last = f"the server answered {resp.status_code} {resp.reason_phrase}"
                        continue
                    kind = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                    if kind in WEB_PAGES:  # a page about the recording, not the recording
                        raise BadInputError(
                            f"{shown(url)} is a web page ({kind}), not an audio file",
                            hint="the link must point at the audio file itself (its "
                            "download link), or download it and pass its path",
                        )
                    clock.body_started()
                    body = True
                    _download(resp, target, max_bytes, url, progress, clock)
                    return target
        except httpx.TooManyRedirects as exc:  # a review: a 500 and a traceback, twice
            raise BadInputError(
                f"{shown(url)} redirects too many times (to itself, or in a loop)",
                hint="check the link; it must point at the audio file itself",
            ) from exc
        except httpx.RemoteProtocolError as exc:  # a body cut short: said as such (a review)
            clock.remaining()
            last = (
                "the server closed the connection before the whole file came"
                if body
                else f"the connection failed ({type(exc).__name__})"
            )
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            clock.remaining()  # a wait cut short by the deadline is the deadline's error
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
            last = f"the connection {kind} ({type(exc).__name__})"
        except (httpx.InvalidURL, UnicodeError) as exc:  # UnicodeError: IDNA, on connect
            raise BadInputError(
                f"{shown(url)[:200]} is not a valid URL",
                hint="give the full address of the audio file, e.g. https://example.com/answer.wav",
            ) from exc
    raise ServiceError(
        f"could not download {shown(url)}: {last} after {retries + 1} tries",
        hint="check the link and your connection, or download the file and pass its path",
    )


def _download(
    resp: object,
    target: Path,
    max_bytes: int,
    url: str,
    progress: Progress | None,
    clock: _Clock,
) -> None:
    import httpx

    assert isinstance(resp, httpx.Response)
    length = resp.headers.get("content-length")
    total = int(length) if length and length.isdigit() else None
    too_big = BadInputError(
        f"{shown(url)} is larger than the {max_bytes // (1024 * 1024)} MB limit",
        hint="raise INTERVIEWSENSE_MAX_DOWNLOAD_MB, or download the file yourself",
    )
    if total is not None and total > max_bytes:
        raise too_big
    tmp = target.with_name(target.name + ".part")
    done = 0
    try:
        with tmp.open("wb") as fh:
            os.chmod(tmp, 0o600)
            # Without a chunk size httpx hands over bytes as they arrive, so a trickle is
            # seen (and timed) at once rather than after 64 KB.
            for chunk in resp.iter_bytes():
                done += len(chunk)
                if done > max_bytes:
                    raise too_big
                fh.write(chunk)
                clock.check(done)
                if progress:
                    progress(done, total)
        if total is not None and done < total:
            raise httpx.RemoteProtocolError(f"only {done} of {total} bytes arrived")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
