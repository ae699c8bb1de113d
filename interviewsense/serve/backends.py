"""Shared backends for the web API, used when configured: Azure Blob Storage for the files
it hands out (``AzureArtifacts``) and Redis for what several processes or hosts must agree
on (``RedisState``). Their SDKs are imported only here, and only when enabled."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from pathlib import Path

from interviewsense.config import Settings
from interviewsense.fsutil import ensure_dir
from interviewsense.serve.state import Engine, LocalArtifacts
from interviewsense.storage.azure_blobs import Container
from interviewsense.storage.azure_sas import read_link

log = logging.getLogger("interviewsense.serve")
BLOB_PREFIX = "serve"  # blobs are serve/<store id>/<rel>: tts/<name>, audio/a01.wav


class AzureArtifacts:
    """Artifacts as blobs in AZURE_STORAGE_CONTAINER (created if missing), with a copy in
    the session folder that this process serves and scores from. Another host that lacks
    the copy downloads it; with AZURE_BLOB_SAS_TTL_SECONDS > 0 a client gets a read-only
    link and reads the blob from Azure itself."""

    def __init__(self, settings: Settings, local: LocalArtifacts) -> None:
        self.local = local
        self.blobs = Container(settings, settings.azure_storage_container)
        self.ttl = settings.azure_blob_sas_ttl_seconds
        self._created = False
        self._create_lock = threading.Lock()

    def blob_name(self, store_id: str, rel: str) -> str:
        return f"{BLOB_PREFIX}/{store_id}/{rel}"

    def _ensure_container(self) -> None:
        if self._created:
            return
        from azure.core.exceptions import ResourceExistsError

        def create() -> None:
            with contextlib.suppress(ResourceExistsError):
                self.blobs.client.create_container()

        with self._create_lock:
            if not self._created:
                self.blobs.call(f"create the container {self.blobs.name}", create)
                self._created = True

    def put(self, store_id: str, rel: str, source: Path) -> None:
        from azure.storage.blob import ContentSettings

        self.local.put(store_id, rel, source)
        path = self.local.path(store_id, rel)
        self._ensure_container()
        kind = "audio/wav" if rel.endswith(".wav") else "application/octet-stream"
        blob = self.blobs.client.get_blob_client(self.blob_name(store_id, rel))
        with path.open("rb") as fh:
            self.blobs.call(
                f"store {rel}",
                blob.upload_blob,
                fh,
                overwrite=True,
                content_settings=ContentSettings(content_type=kind),
            )

    def get(self, store_id: str, rel: str) -> Path | None:
        found = self.local.get(store_id, rel)
        if found is not None:
            return found
        from azure.core.exceptions import ResourceNotFoundError

        blob = self.blobs.client.get_blob_client(self.blob_name(store_id, rel))
        target = self.local.path(store_id, rel)
        ensure_dir(target.parent)
        fd, tmp = tempfile.mkstemp(prefix=".get-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                try:
                    self.blobs.call(f"read {rel}", lambda: blob.download_blob().readinto(fh))
                except Exception as exc:
                    if isinstance(exc.__cause__, ResourceNotFoundError):
                        return None
                    raise
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return target

    def link(self, store_id: str, rel: str) -> str | None:
        return read_link(self.blobs, self.blob_name(store_id, rel), self.ttl)

    def check(self) -> str:
        self.local.check()
        self._ensure_container()
        self.blobs.call("reach the container", self.blobs.client.get_container_properties)
        return "ok"


def engine_for(settings: Settings) -> Engine:
    """The engine with the shared backends that are configured: Azure Blob Storage for
    artifacts."""
    engine = Engine.local(settings)
    if settings.azure_storage_connection_string:
        engine.artifacts = AzureArtifacts(settings, LocalArtifacts(engine.store))
    return engine
