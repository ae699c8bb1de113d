"""What the API lets in: loopback unless a token is set, the bearer token in constant time,
short-lived signed links to one session's report (a browser tab cannot send the token),
``audio_path`` only under the configured roots, uploads only in formats we read."""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import stat
from pathlib import Path
from typing import Final

from interviewsense.errors import BadInputError, NotFoundError
from interviewsense.serve.errors import UnsupportedMediaError

SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SAFE_ID_HINT = "ids are letters, digits, '-' and '_', at most 64 characters"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str) -> None:
    """Listening beyond this machine needs a token: anyone on the network could call us."""
    if not is_loopback(host) and not token:
        raise BadInputError(
            f"refusing to listen on {host} without INTERVIEWSENSE_API_TOKEN",
            hint="set INTERVIEWSENSE_API_TOKEN to a long random value (clients send it as "
            "'Authorization: Bearer …'), or keep the default --host 127.0.0.1",
        )


def foreign_origin(origin: str | None, host: str) -> bool:
    """Whether a browser sent this from another site's page: its ``Origin`` is not this
    server (``Host``). No ``Origin`` (a script, curl, another server) is not foreign."""
    from urllib.parse import urlsplit

    return origin is not None and urlsplit(origin).netloc != host


def bearer_ok(header: str | None, token: str) -> bool:
    """Whether ``Authorization`` carries the token; the scheme's case is the client's (RFC
    9110: "bearer" is "Bearer"; a review had it refused), the token is compared whole."""
    scheme, _, given = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"), token.encode())


REPORT_LINK_TTL_S = 600  # a report link works this long after it was made
REPORT_PATH = re.compile(r"^/v1/sessions/[A-Za-z0-9_-]{1,64}/report$")


def _link_key(token: str) -> bytes:
    """The key that signs report links: derived from the API token, so every worker and
    host that shares the token accepts them, and changing the token voids them all."""
    return hmac.new(token.encode(), b"interviewsense report link v1", "sha256").digest()


LINKED_FORMAT: Final = "html"  # a report's format when its link names none (the route's default)


def _link_mac(token: str, path: str, user_id: str, fmt: str, expires: int) -> str:
    import base64

    message = f"GET\0{path}\0{user_id}\0{fmt}\0{expires}".encode()
    mac = hmac.new(_link_key(token), message, "sha256").digest()
    return base64.urlsafe_b64encode(mac[:24]).decode()


def report_access(token: str, path: str, user_id: str, now: float, fmt: str = LINKED_FORMAT) -> str:
    """The ``access`` value that lets a GET of ``path`` (one session's report) in format
    ``fmt`` with this ``user_id`` through without the bearer token until
    ``REPORT_LINK_TTL_S`` from ``now``: the expiry and a MAC, never the token itself."""
    expires = int(now) + REPORT_LINK_TTL_S
    return f"{expires}.{_link_mac(token, path, user_id, fmt, expires)}"


def report_access_ok(
    token: str, path: str, user_id: str, access: str, now: float, fmt: str = LINKED_FORMAT
) -> bool:
    """Whether ``access`` was made by ``report_access`` for this path, user and format, and
    has not expired. Any other path, user, format (a review: a link made for one opened the
    others), or a changed token: no."""
    expires, _, mac = access.partition(".")
    if not REPORT_PATH.fullmatch(path) or not expires.isdigit() or len(expires) > 12:
        return False
    if int(expires) < now or int(expires) > now + REPORT_LINK_TTL_S + 60:
        return False
    expected = _link_mac(token, path, user_id, fmt, int(expires))
    return hmac.compare_digest(mac.encode("utf-8", "replace"), expected.encode())


def safe_id(text: str, what: str = "session_id") -> str:
    if not SAFE_ID.fullmatch(text):
        raise BadInputError(f"{what} is not a valid id", hint=SAFE_ID_HINT)
    return text


def audio_roots(setting: str) -> list[Path]:
    return [Path(p).expanduser().resolve() for p in setting.split(os.pathsep) if p.strip()]


def checked_audio_path(text: str, roots: list[Path]) -> Path:
    """A regular file under one of ``roots``: no '..', no symlink leading out, no device."""
    if not roots:
        raise BadInputError(
            "audio_path is turned off on this server",
            hint="set INTERVIEWSENSE_SERVE_AUDIO_ROOTS to the folders it may read, or upload "
            "the audio to /v1/sessions/{id}/answers, or send audio_url",
        )
    path = Path(text)
    if not path.is_absolute() or ".." in path.parts or "\0" in text:
        raise BadInputError(
            "audio_path must be an absolute path without '..'",
            hint="give the file's full path under one of INTERVIEWSENSE_SERVE_AUDIO_ROOTS",
        )
    outside = BadInputError(
        "audio_path is outside the folders this server may read",
        hint="put the file under one of INTERVIEWSENSE_SERVE_AUDIO_ROOTS",
    )
    try:
        real = path.resolve()  # every symlink followed, as far as the path exists
    except (OSError, RuntimeError):
        raise outside from None
    if not any(real.is_relative_to(root) for root in roots):
        raise outside  # outside, or a symlink that leads out
    try:
        mode = real.stat().st_mode
    except OSError:  # none there, or a name too long for the file system: no such file
        raise NotFoundError("audio_path names no file", hint="check the path") from None
    if not stat.S_ISREG(mode):
        raise BadInputError(
            "audio_path is not a regular file (a folder, device or pipe)",
            hint="give an audio file",
        )
    return real


# The first bytes of every container the CLI reads (PyAV decodes them all).
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"RIFF", "wav"),
    (0, b"RF64", "wav"),
    (0, b"fLaC", "flac"),
    (0, b"OggS", "ogg"),
    (0, b"ID3", "mp3"),
    (4, b"ftyp", "mp4"),
    (0, b"\x1a\x45\xdf\xa3", "webm"),
    (0, b"FORM", "aiff"),
    (0, b"caff", "caf"),
    (0, b"#!AMR", "amr"),
)


def sniff_audio(head: bytes) -> str:
    """The container ``head`` starts, or 415: a check before any decoder sees the bytes."""
    for offset, magic, name in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return name
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mp3"  # an MPEG audio frame without an ID3 tag (ADTS AAC too)
    raise UnsupportedMediaError(
        "the upload is not in an audio format this server reads",
        hint="send WAV, MP3, FLAC, OGG/Opus, M4A or WebM audio",
    )
