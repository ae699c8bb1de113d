"""One Azure Blob Storage container through the SDK, shared by sync, batch input and serve:
the client with bounded retries and time-outs, and every SDK error turned into one line that
names no secret. The SDK is imported only when a container is opened."""

from __future__ import annotations

import re
import threading
from typing import Any, ClassVar, NamedTuple

from interviewsense.config import Settings
from interviewsense.errors import BadInputError, MissingDependencyError, ServiceError
from interviewsense.storage.azure_settings import parse_connection_string


class Timeouts(NamedTuple):
    connect_s: float  # each connection
    read_s: float  # each wait for a reply
    retries: int  # tries after the first


TRANSFER = Timeouts(10, 60, 2)  # sync and batch: long transfers, a few retries
CONTAINER_NAME = re.compile(r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")


def check_container_name(name: str) -> str:
    if not CONTAINER_NAME.fullmatch(name):
        raise BadInputError(
            f"'{name}' is not a valid Azure container name",
            hint="use 3-63 lowercase letters, digits and single hyphens, starting and ending "
            "with a letter or digit (AZURE_STORAGE_CONTAINER)",
        )
    return name


class Container:
    """A blob container: ``client`` (the SDK's ContainerClient) and ``call`` for SDK calls.
    ``Container.shared`` gives one per container and process, for code that opens many
    blobs (batch input): one client keeps its connections (and TLS sessions) alive."""

    _shared: ClassVar[dict[tuple[str, str], Container]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def shared(cls, settings: Settings, container: str) -> Container:
        """This process's client for ``container`` (the SDK's clients are thread-safe)."""
        key = (settings.azure_storage_connection_string, container)
        with cls._shared_lock:
            found = cls._shared.get(key)
            if found is None:
                found = cls._shared[key] = cls(settings, container)
        return found

    def __init__(
        self,
        settings: Settings,
        container: str,
        *,
        probe_s: float | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        """``probe_s``: one try, each connection and read given this many seconds (doctor,
        /readyz); ``timeouts`` as told; by default ``TRANSFER``: a few retries and timeouts
        sized for long transfers."""
        if timeouts is None:
            timeouts = TRANSFER if probe_s is None else Timeouts(probe_s, probe_s, 0)
        conn = settings.azure_storage_connection_string
        if not conn:
            raise BadInputError(
                "no Azure settings: AZURE_STORAGE_CONNECTION_STRING is not set",
                hint="set it in the environment or .env (docs/storage.md); sync can also go "
                "to a folder with --target local:PATH",
            )
        self.name = check_container_name(container)
        try:
            from azure.storage.blob import BlobServiceClient, ExponentialRetry
        except ImportError as exc:  # pragma: no cover - a broken install
            raise MissingDependencyError(
                "azure-storage-blob is not installed", hint="pip install azure-storage-blob"
            ) from exc
        retry = ExponentialRetry(
            initial_backoff=1,
            increment_base=2,
            retry_total=timeouts.retries,
            random_jitter_range=1,
        )
        parse_connection_string(conn)  # a malformed string or key: one line, Azure unasked
        try:
            self.service: Any = BlobServiceClient.from_connection_string(
                conn,
                retry_policy=retry,
                connection_timeout=timeouts.connect_s,
                read_timeout=timeouts.read_s,
            )
        except ValueError:
            raise BadInputError(  # the SDK's message can quote the string: keep it out
                "AZURE_STORAGE_CONNECTION_STRING is malformed",
                hint="copy it again from the storage account's 'Access keys' page",
            ) from None
        self.client: Any = self.service.get_container_client(self.name)

    @property
    def endpoint(self) -> str:
        """The blob endpoint as it may be shown: no SAS query, no user or password."""
        from interviewsense.audio.urls import shown

        return shown(str(self.service.url)).removesuffix("?…")

    def call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run an SDK call, turning its errors into one line that names no secret."""
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )

        try:
            return fn(*args, **kwargs)
        except ClientAuthenticationError as exc:
            raise ServiceError(
                f"Azure refused the credentials while trying to {what} ({_status(403, exc)})",
                hint="check the account key or SAS in AZURE_STORAGE_CONNECTION_STRING",
            ) from exc
        except HttpResponseError as exc:
            status = getattr(exc, "status_code", "?")
            if status in (401, 403):
                raise ServiceError(
                    f"Azure refused the credentials while trying to {what} "
                    f"({_status(status, exc)})",
                    hint="check the account key or SAS in AZURE_STORAGE_CONNECTION_STRING",
                ) from exc
            raise ServiceError(
                f"Azure could not {what} ({_status(status, exc)})",
                hint="try again; if it persists, check the storage account in the Azure portal",
            ) from exc
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise ServiceError(
                f"could not reach Azure Blob Storage at {self.endpoint} to {what} "
                f"({type(exc).__name__})",
                hint="check your connection and the BlobEndpoint, then try again (what was "
                "already copied is not copied again)",
            ) from exc


def unreachable(exc: BaseException) -> bool:
    """Whether a ``Container.call`` error is Azure not reached (no connection, no reply)
    rather than Azure answering no."""
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    return isinstance(exc.__cause__, (ServiceRequestError, ServiceResponseError))


def _status(status: object, exc: Exception) -> str:
    """The status and the error code the reply named ("404 ContainerNotFound"), or the
    status alone."""
    return " ".join(part for part in (str(status), error_code(exc)) if part)


def error_code(exc: Exception) -> str:
    """The error code an Azure reply named ("ContainerNotFound"), or ""."""
    raw = getattr(exc, "error_code", "") or ""
    return str(getattr(raw, "value", raw))
