"""HTTP(S) download of an answer recording: timeouts, retries with backoff, and a size cap."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from interviewsense.errors import BadInputError, ServiceError
from interviewsense.fsutil import ensure_dir

Progress = Callable[[int, int | None], None]
RETRIES = 3
BACKOFF_S = 0.5


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in {"http", "https"}


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
    retries: int = RETRIES,
    progress: Progress | None = None,
) -> Path:
    """Download ``url`` into ``dest_dir`` and return the file's path.

    Connection failures, time-outs and 5xx answers are retried ``retries`` times with
    exponential backoff; a 4xx answer or a file over ``max_bytes`` fails at once.
    """
    import httpx

    ensure_dir(dest_dir)
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    target = dest_dir / f"download-{key}{_suffix(url)}"
    timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
    last: str = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(BACKOFF_S * 2 ** (attempt - 1))
        try:
            with httpx.Client(timeout=timeout, follow_redirects=True) as client:
                with client.stream("GET", url) as resp:
                    if 400 <= resp.status_code < 500:
                        raise BadInputError(
                            f"{url} answered {resp.status_code} {resp.reason_phrase}",
                            hint="check the link; it must point at the audio file itself",
                        )
                    if resp.status_code >= 500:
                        last = f"the server answered {resp.status_code} {resp.reason_phrase}"
                        continue
                    _download(resp, target, max_bytes, url, progress)
                    return target
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
            last = f"the connection {kind} ({type(exc).__name__})"
        except httpx.InvalidURL as exc:
            raise BadInputError(f"{url} is not a valid URL") from exc
    raise ServiceError(
        f"could not download {url}: {last} after {retries + 1} tries",
        hint="check the link and your connection, or download the file and pass its path",
    )


def _download(
    resp: object, target: Path, max_bytes: int, url: str, progress: Progress | None
) -> None:
    import httpx

    assert isinstance(resp, httpx.Response)
    length = resp.headers.get("content-length")
    total = int(length) if length and length.isdigit() else None
    too_big = BadInputError(
        f"{url} is larger than the {max_bytes // (1024 * 1024)} MB limit",
        hint="raise INTERVIEWSENSE_MAX_DOWNLOAD_MB, or download the file yourself",
    )
    if total is not None and total > max_bytes:
        raise too_big
    tmp = target.with_name(target.name + ".part")
    done = 0
    try:
        with tmp.open("wb") as fh:
            os.chmod(tmp, 0o600)
            for chunk in resp.iter_bytes(64 * 1024):
                done += len(chunk)
                if done > max_bytes:
                    raise too_big
                fh.write(chunk)
                if progress:
                    progress(done, total)
        if total is not None and done < total:
            raise httpx.RemoteProtocolError(f"only {done} of {total} bytes arrived")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
