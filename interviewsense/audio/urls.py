"""Addresses as the user gave them: whether text is meant as a URL, how a URL may be shown
(no user name, password or query: a SAS signature is never echoed), and whether it is one a
server could answer at all. Shared by the downloader (audio/fetch.py) and the web API's
address policy (audio/addresses.py), which import nothing of each other for it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from interviewsense.errors import BadInputError


def is_url(text: str) -> bool:
    """Whether ``text`` is meant as an http(s) address (a malformed one too: it is then
    refused as a URL, not looked for as a file)."""
    try:
        return urlsplit(text).scheme.lower() in {"http", "https"}
    except ValueError:  # "http://[::1": still meant as a URL
        return text.strip().lower().startswith(("http://", "https://"))


# What a terminal or a log would act on (control characters, bidirectional overrides).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# Any "scheme://" address; the ones we read are http(s) (``is_url``), Azure blobs, and file.
OTHER_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def file_uri_path(uri: str) -> str | None:
    """The local path a ``file://`` URI names, or None for anything else."""
    from urllib.parse import unquote, urlsplit

    if not uri.lower().startswith("file://"):
        return None
    parts = urlsplit(uri)
    return unquote(parts.path) if parts.netloc in ("", "localhost") else None


def shown(url: str) -> str:
    """``url`` as it may be printed, stored or sent back: no user name or password, and no
    query (a SAS token, a signature) or fragment, which "?…" stands for."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # unparsable: keep the scheme and what follows the last "@" only
        scheme, _, rest = url.partition("://")
        rest = rest.rsplit("@", 1)[-1] if "@" in rest else rest
        return _UNPRINTABLE.sub("", f"{scheme}://{rest.split('?', 1)[0].split('#', 1)[0]}")[:200]
    host = f"[{host}]" if ":" in host else host
    rest = "?…" if parts.query or parts.fragment else ""
    return _UNPRINTABLE.sub("", f"{parts.scheme}://{host}{port}{parts.path}{rest}")


_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")  # "_": container names


def check_url(url: str) -> None:
    """Refuse an address no server can answer (no host, an empty or overlong label, a space,
    a name IDNA cannot encode) at once, as bad input: no retries, no network."""
    import ipaddress

    bad = BadInputError(
        f"{shown(url)[:200]} is not a valid URL",
        hint="give the full address of the audio file, e.g. https://example.com/answer.wav",
    )
    try:
        host = urlsplit(url).hostname or ""
        urlsplit(url).port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise bad from exc
    if not host:
        raise bad
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise bad from exc
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise bad
