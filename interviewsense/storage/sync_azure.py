"""Sync to Azure Blob Storage: ``<user>/<session id>/<file>`` blobs with their content MD5.

Files already there with the same MD5 are skipped, so a second sync uploads nothing. Large
files go up in 4 MiB blocks whose ids encode their position and hash; an interrupted upload
resumes by skipping the blocks Azure already holds uncommitted. Timeouts and retries are
sized for a person waiting at a terminal, not the SDK's minutes.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from interviewsense.config import Settings
from interviewsense.errors import ServiceError
from interviewsense.storage.azure_blobs import Container, error_code
from interviewsense.storage.azure_sas import read_link
from interviewsense.storage.manifest import LocalFile
from interviewsense.storage.store import is_session_id, validate_id
from interviewsense.storage.sync_base import Progress, RemoteFile

BLOCK = 4 * 1024 * 1024
OPEN_TIMEOUT_S = 10  # the first call: a storage account answers it in well under a second


def _content_type(rel: str) -> str:
    return {
        "json": "application/json",
        "wav": "audio/wav",
        "html": "text/html",
        "md": "text/markdown",
    }.get(rel.rsplit(".", 1)[-1], "application/octet-stream")


class AzureTarget:
    def __init__(self, settings: Settings, user: str, *, probe_s: float | None = None) -> None:
        """``probe_s``: one try, each connection and read given this many seconds (doctor);
        by default a few retries and timeouts sized for uploads."""
        self._blobs = Container(settings, settings.azure_storage_container, probe_s=probe_s)
        self.container = self._blobs.name
        self.user = user
        self.name = f"azure:{self.container}"
        self.sas_ttl = settings.azure_blob_sas_ttl_seconds
        self._service: Any = self._blobs.service
        self._container: Any = self._blobs.client

    def _blob(self, session_id: str, rel: str) -> str:
        return f"{self.user}/{validate_id(session_id)}/{rel}"

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self._blobs.call(what, fn, *args, **kwargs)

    @property
    def endpoint(self) -> str:
        """The blob endpoint, without any SAS query."""
        return self._blobs.endpoint

    def container_exists(self) -> bool:
        """Whether the container is there: reaches the account and proves the credential. A
        "not found" counts only as Azure says it (``ContainerNotFound``): any web server
        answers 404 to a path it does not know."""
        from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

        def probe() -> bool:
            try:
                self._container.get_container_properties()
            except ResourceNotFoundError as exc:
                if error_code(exc) == "ContainerNotFound":
                    return False
                raise ServiceError(
                    f"{self.endpoint} answered 404 without Azure's error code: it is not an "
                    "Azure Blob Storage endpoint",
                    hint="check BlobEndpoint (or AccountName) in AZURE_STORAGE_CONNECTION_STRING",
                ) from exc
            except HttpResponseError as exc:
                if exc.status_code != 403:
                    raise
                return self._lists()  # a container's own SAS may not read its properties
            return True

        return bool(self._call(f"open container {self.container}", probe))

    def _lists(self) -> bool:
        """Whether the container is there, asked by listing a blob of it: what a SAS for the
        container alone (read, write, create, list: docs/storage.md) may do, where reading
        the container's properties or making it is refused. Raises what Azure answers when
        listing is refused too."""
        from azure.core.exceptions import ResourceNotFoundError

        try:
            next(iter(self._container.list_blobs(results_per_page=1).by_page()), None)
        except ResourceNotFoundError as exc:
            if error_code(exc) == "ContainerNotFound":
                return False
            raise
        return True

    def prepare(self, *, create: bool = True) -> None:
        """Make the container (if it is not there; with ``create`` False, only reach it):
        the first call, so it waits ``OPEN_TIMEOUT_S`` for an answer, not a transfer's
        minute, and a reply that never comes is not asked again (a server that took the
        connection and never answered kept sync silent for 191 s); a refused connection or
        a busy reply (503) is."""
        from azure.core.exceptions import (
            HttpResponseError,
            ResourceExistsError,
            ResourceNotFoundError,
        )

        first = {"read_timeout": OPEN_TIMEOUT_S, "connection_timeout": OPEN_TIMEOUT_S}

        def make() -> None:
            try:
                if create:
                    self._container.create_container(**first, retry_read=0)
                else:
                    self._container.get_container_properties(**first, retry_read=0)
            except ResourceExistsError:
                pass
            except ResourceNotFoundError:
                if create:
                    raise
                # Not there (only checking): then nothing is there (remote_index).
            except HttpResponseError as exc:
                if exc.status_code != 403:
                    raise
                # A SAS for the container alone may not make one (nor read its properties):
                # it is enough that it lists it. Not there, and not to be made: refused.
                if not self._lists() and create:
                    raise

        self._call(f"open container {self.container}", make)

    def remote_index(self) -> dict[str, dict[str, RemoteFile]]:
        from azure.core.exceptions import ResourceNotFoundError

        prefix = f"{self.user}/"

        def listing() -> dict[str, dict[str, RemoteFile]]:
            out: dict[str, dict[str, RemoteFile]] = {}
            try:
                blobs = list(self._container.list_blobs(name_starts_with=prefix))
            except ResourceNotFoundError as exc:
                if error_code(exc) == "ContainerNotFound":
                    return out  # no container (sync --check makes none): nothing synced
                raise
            for blob in blobs:
                session_id, _, rel = blob.name[len(prefix) :].partition("/")
                if not is_session_id(session_id) or not rel:
                    continue
                md5 = blob.content_settings.content_md5
                out.setdefault(session_id, {})[rel] = RemoteFile(
                    int(blob.size), bytes(md5).hex() if md5 else ""
                )
            return out

        result: dict[str, dict[str, RemoteFile]] = self._call("list the synced files", listing)
        return result

    def upload(self, session_id: str, f: LocalFile, progress: Progress) -> int:
        from azure.storage.blob import ContentSettings

        blob = self._container.get_blob_client(self._blob(session_id, f.rel))
        settings = ContentSettings(
            content_type=_content_type(f.rel), content_md5=bytearray(bytes.fromhex(f.md5))
        )
        if f.size <= BLOCK:
            data = f.path.read_bytes()
            self._call(
                f"upload {f.rel}", blob.upload_blob, data, overwrite=True, content_settings=settings
            )
            progress(len(data))
            return len(data)
        staged = self._staged(blob)
        ids: list[str] = []
        sent = 0
        with f.path.open("rb") as fh:
            index = 0
            while chunk := fh.read(BLOCK):
                block_id = base64.b64encode(
                    f"{index:06d}-{hashlib.md5(chunk, usedforsecurity=False).hexdigest()}".encode()
                ).decode()
                ids.append(block_id)
                if staged.get(block_id) != len(chunk):
                    self._call(f"upload {f.rel}", blob.stage_block, block_id, chunk)
                    sent += len(chunk)
                progress(len(chunk))
                index += 1
        self._call(f"upload {f.rel}", blob.commit_block_list, ids, content_settings=settings)
        return sent

    def _staged(self, blob: Any) -> dict[str, int]:
        """Blocks of an interrupted upload that Azure still holds, by id."""
        from azure.core.exceptions import ResourceNotFoundError

        def blocks() -> dict[str, int]:
            try:
                _, uncommitted = blob.get_block_list("uncommitted")
            except ResourceNotFoundError:
                return {}
            return {b.id: int(b.size) for b in uncommitted}

        found: dict[str, int] = self._call("resume an upload", blocks)
        return found

    def read(self, session_id: str, rel: str, limit: int) -> bytes | None:
        from azure.core.exceptions import ResourceNotFoundError

        blob = self._container.get_blob_client(self._blob(session_id, rel))

        def download() -> bytes | None:
            try:
                if int(blob.get_blob_properties().size) > limit:
                    return None
                data: bytes = blob.download_blob().readall()
            except ResourceNotFoundError:
                return None
            return data

        found: bytes | None = self._call(f"read {rel}", download)
        return found

    def finish(self, session_id: str, files: list[LocalFile]) -> None:
        return None

    def link(self, session_id: str, rel: str) -> str | None:
        """A read-only SAS link valid for AZURE_BLOB_SAS_TTL_SECONDS; None without a TTL or
        an account key."""
        return read_link(self._blobs, self._blob(session_id, rel), self.sas_ttl)
