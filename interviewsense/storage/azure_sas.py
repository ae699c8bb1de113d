"""Read-only SAS links to single blobs, made one way for sync and serve."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interviewsense.storage.azure_blobs import Container

SAS_START_SKEW = timedelta(minutes=15)


def read_link(container: Container, blob_name: str, ttl_s: int) -> str | None:
    """A link that reads one blob for ``ttl_s`` seconds from now (valid from 15 min back,
    for clock skew); None without a TTL or without an account key to sign with."""
    key = getattr(container.service.credential, "account_key", None)
    if ttl_s <= 0 or not key:
        return None
    from azure.storage.blob import BlobSasPermissions, generate_blob_sas

    now = datetime.now(UTC)
    token = generate_blob_sas(
        account_name=container.service.account_name,
        container_name=container.name,
        blob_name=blob_name,
        account_key=key,
        permission=BlobSasPermissions(read=True),
        start=now - SAS_START_SKEW,
        expiry=now + timedelta(seconds=ttl_s),
    )
    url: str = container.client.get_blob_client(blob_name).url
    return f"{url}?{token}"
