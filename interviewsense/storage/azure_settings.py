"""Reading an Azure Storage connection string without ever showing its secrets."""

from __future__ import annotations

from interviewsense.errors import BadInputError

SECRET_KEYS = {"accountkey", "sharedaccesssignature"}


def _is_base64(text: str) -> bool:
    import base64
    import binascii

    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def parse_connection_string(text: str) -> dict[str, str]:
    """The key=value pairs of a connection string; a malformed one raises without echoing it."""
    parts: dict[str, str] = {}
    for chunk in text.strip().strip(";").split(";"):
        if not chunk.strip():
            continue
        key, sep, value = chunk.partition("=")
        if not sep or not key.strip():
            raise BadInputError(
                "AZURE_STORAGE_CONNECTION_STRING is malformed (expected Key=Value pairs "
                "separated by ';')",
                hint="copy it again from the storage account's 'Access keys' page",
            )
        parts[key.strip()] = value.strip()
    lowered = {k.lower() for k in parts}
    if "usedevelopmentstorage" in lowered:  # Azurite's shortcut, which the SDK accepts
        return parts
    secret = next((v for k, v in parts.items() if k.lower() == "accountkey"), None)
    if secret is not None and not _is_base64(secret):  # Azure is never asked: the key is not one
        raise BadInputError(
            "AZURE_STORAGE_CONNECTION_STRING is malformed: its AccountKey is not base64",
            hint="copy it again from the storage account's 'Access keys' page",
        )
    if "accountname" not in lowered and "blobendpoint" not in lowered:
        raise BadInputError(
            "AZURE_STORAGE_CONNECTION_STRING has neither AccountName nor BlobEndpoint",
            hint="copy it again from the storage account's 'Access keys' page",
        )
    return parts


def describe_connection_string(text: str) -> str:
    """Account and endpoint, with the key or SAS only said to be present."""
    try:
        parts = parse_connection_string(text)
    except BadInputError as exc:
        return exc.message
    lower = {k.lower(): v for k, v in parts.items()}
    account = lower.get("accountname", "?")
    scheme = lower.get("defaultendpointsprotocol", "https")
    suffix = lower.get("endpointsuffix", "core.windows.net")
    from interviewsense.audio.urls import shown

    endpoint = shown(lower.get("blobendpoint") or f"{scheme}://{account}.blob.{suffix}")
    if "accountkey" in lower:
        cred = "key (hidden)"
    elif "sharedaccesssignature" in lower:
        cred = "SAS (hidden)"
    else:
        cred = "no credential"
    return f"account {account} at {endpoint}, {cred}"
