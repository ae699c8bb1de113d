"""Recordings read from Azure Blob Storage: ``az://container/prefix/`` names every blob
under a prefix, ``az://container/name`` one blob. Used by batch (each worker, or each Ray
actor, downloads its own blobs with the same settings as sync) and checked against the
blob's content MD5 when Azure has one."""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from interviewsense.config import Settings
from interviewsense.errors import BadInputError
from interviewsense.fsutil import ensure_dir
from interviewsense.storage.azure_blobs import Container

SCHEME = "az://"


def is_blob_uri(text: str) -> bool:
    return text.startswith(SCHEME)


def split_uri(uri: str) -> tuple[str, str]:
    """(container, blob name or prefix) of an ``az://`` address."""
    container, _, name = uri.removeprefix(SCHEME).partition("/")
    if not container:
        raise BadInputError(
            f"{uri} names no container",
            hint="write az://CONTAINER/PREFIX/, e.g. az://recordings/week-12/",
        )
    return container, name


def list_audio(uri: str, settings: Settings, suffixes: Collection[str]) -> list[str]:
    """Every audio blob under the prefix, as ``az://`` addresses in name order."""
    container, prefix = split_uri(uri)
    blobs = Container.shared(settings, container)
    names = blobs.call(
        f"list the blobs under {uri}",
        lambda: [b.name for b in blobs.client.list_blobs(name_starts_with=prefix or None)],
    )
    found = sorted(n for n in names if Path(n).suffix.lower() in suffixes)
    if not found:
        raise BadInputError(
            f"no audio blobs under {uri}",
            hint="check the container and prefix; batch reads WAV, MP3, FLAC, OGG, M4A …",
        )
    return [f"{SCHEME}{container}/{n}" for n in found]


def download(uri: str, settings: Settings, dest_dir: Path, *, max_bytes: int) -> Path:
    """Download one blob into ``dest_dir``; a size over ``max_bytes`` or an MD5 that does not
    match the blob's is a ``BadInputError`` for that item."""
    from azure.core.exceptions import ResourceNotFoundError

    container, name = split_uri(uri)
    blobs = Container.shared(settings, container)  # one client for every blob, not one each
    blob = blobs.client.get_blob_client(name)

    def properties() -> Any:
        try:
            return blob.get_blob_properties()
        except ResourceNotFoundError as exc:
            raise BadInputError(f"no such blob: {uri}", hint="check the name") from exc

    props = blobs.call(f"read {uri}", properties)
    if props.size > max_bytes:
        raise BadInputError(
            f"{uri} is {props.size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit",
            hint="raise INTERVIEWSENSE_MAX_DOWNLOAD_MB, or trim the recording",
        )
    # A name of its own (not one per blob): two workers reading one blob at once must not
    # replace or delete each other's copy.
    fd, tmp = tempfile.mkstemp(
        prefix="blob-", suffix=Path(name).suffix.lower()[:8], dir=ensure_dir(dest_dir)
    )
    os.close(fd)
    target = Path(tmp)
    md5 = hashlib.md5()

    def fetch() -> None:
        with target.open("wb") as fh:
            for chunk in blob.download_blob().chunks():
                fh.write(chunk)
                md5.update(chunk)

    try:
        blobs.call(f"download {uri}", fetch)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    expected = props.content_settings.content_md5
    if expected and bytes(expected) != md5.digest():
        target.unlink(missing_ok=True)
        got = base64.b64encode(md5.digest()).decode()
        raise BadInputError(
            f"{uri} arrived damaged: its MD5 is {got}, Azure says "
            f"{base64.b64encode(bytes(expected)).decode()}",
            hint="run the batch again with --resume; if it persists, upload the file again",
        )
    return target
