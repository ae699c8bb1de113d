"""Which addresses a download may connect to: the web API's guard against server-side
request forgery through ``audio_url`` (a client making the server fetch from its own
loopback, the cloud metadata service at 169.254.169.254, or the private network behind it).

``AddressPolicy`` admits public (globally routable) addresses, plus the host names and
networks of ``INTERVIEWSENSE_SERVE_FETCH_ALLOW``. ``guarded_transport`` makes httpx connect
only through it: every connection (the first, and each redirect to a new host) resolves
the name once, checks every address it resolves to, and connects to the address it
checked, so a name that resolves to a public address for the check and to a private one
for the connection (DNS rebinding) gets nowhere. The CLI does not use it: a person
fetching from their own network is the point there.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from interviewsense.errors import BadInputError, RefusedAddressError

if TYPE_CHECKING:
    import httpx

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOW_SETTING = "INTERVIEWSENSE_SERVE_FETCH_ALLOW"
_HOST = r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$"


def _address(text: str) -> Address:
    """An address as getaddrinfo gives it (an IPv6 scope '%eth0' dropped); an IPv4 address
    mapped into IPv6 (::ffff:127.0.0.1) judged as the IPv4 address it is."""
    addr = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses, plus ``names`` (whatever they resolve to) and ``networks``."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, setting: str) -> AddressPolicy:
        """``INTERVIEWSENSE_SERVE_FETCH_ALLOW``: host names and networks (``10.0.0.0/8``,
        ``192.168.1.20``, ``fd00::/8``), separated by commas or spaces."""
        import re

        names: set[str] = set()
        networks: list[Network] = []
        for entry in setting.replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry.lower().rstrip(".")
            if not re.fullmatch(_HOST, name):
                raise BadInputError(
                    f"{ALLOW_SETTING} has '{entry[:60]}', neither a host name nor a network",
                    hint="list host names and networks separated by commas, e.g. "
                    "'audio.lan,10.0.0.0/8'",
                )
            names.add(name)
        return cls(frozenset(names), tuple(networks))

    def permits(self, host: str, address: str) -> bool:
        if host.lower().rstrip(".") in self.names:
            return True
        addr = _address(address)
        if any(addr in net for net in self.networks if net.version == addr.version):
            return True
        return addr.is_global and not addr.is_multicast

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``, in the resolver's order: every one it
        resolves to must be permitted (one private answer among public ones refuses all)."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OSError(f"cannot resolve {host}") from exc  # a connection error: retried
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        refused = [a for a in addresses if not self.permits(host, a)]
        if refused or not addresses:
            raise RefusedAddressError(
                f"audio_url's host {host} is at {', '.join(refused[:3]) or 'no address'}: this "
                "server does not fetch from private, loopback or link-local addresses",
                hint="give a public URL, or upload the recording; an operator can allow "
                f"hosts or networks with {ALLOW_SETTING} (docs/api.md)",
            )
        return addresses

    def check_url(self, url: str) -> None:
        """Refuse ``url`` now if it is not a URL (as bad input, named without its user name,
        password or query: a SAS signature is never echoed) or its host is not permitted (the
        connection checks again)."""
        from interviewsense.audio.urls import check_url

        check_url(url)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        try:
            self.resolve(parts.hostname or "", port)
        except OSError:
            return  # cannot resolve now: the download reports it, after its retries


def guarded_transport(policy: AddressPolicy) -> httpx.HTTPTransport:
    """An httpx transport whose every connection goes through ``policy.resolve``."""
    import httpcore
    import httpx

    class Backend(httpcore.SyncBackend):
        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> httpcore.NetworkStream:
            try:
                addresses = policy.resolve(host, port)
            except OSError as exc:
                raise httpcore.ConnectError(str(exc)) from exc
            # The checked addresses, not the name again (TLS still verifies the name: httpcore
            # gives the origin's host as the server name), each in turn as a resolver would.
            for address in addresses[:-1]:
                try:
                    return super().connect_tcp(
                        address, port, timeout, local_address, socket_options
                    )
                except httpcore.ConnectError:
                    continue
            return super().connect_tcp(addresses[-1], port, timeout, local_address, socket_options)

    transport = httpx.HTTPTransport()
    # httpx takes no network backend; its pool is httpcore's, which does. Same defaults.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=Backend()
    )
    return transport
