"""Who is on the other end of a connection: address, network and scheme, proxy-aware.

`X-Forwarded-For` and `X-Forwarded-Proto` count only when the peer is one of
`TOWNHALL_TRUSTED_PROXIES`; from anyone else they change nothing (docs/integrity.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from townhall.domain.network import (
    client_address,
    is_trusted,
    network_hash,
    network_of,
    parse_networks,
)


@dataclass(frozen=True)
class Client:
    address: str
    network: str  # IPv4 address or IPv6 /64: what limits count
    network_hash: str  # keyed hash of `network`: what is stored
    https: bool


class ClientIdentifier:
    def __init__(self, secret_key: str, trusted_proxies: str, *, public_https: bool) -> None:
        self._trusted = parse_networks(trusted_proxies)
        self._key = hashlib.sha256(f"network:{secret_key}".encode()).digest()
        self._public_https = public_https

    def of(self, connection: HTTPConnection) -> Client:
        peer = connection.client.host if connection.client else None
        forwarded = connection.headers.getlist("x-forwarded-for")
        address = client_address(peer, forwarded, self._trusted)
        network = network_of(address)
        return Client(address, network, self.hash(network), self._is_https(connection, peer))

    def hash(self, network: str) -> str:
        return network_hash(self._key, network)

    def _is_https(self, connection: HTTPConnection, peer: str | None) -> bool:
        if self._public_https or connection.url.scheme in ("https", "wss"):
            return True
        if not is_trusted(peer, self._trusted):
            return False
        proto = connection.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return proto == "https"
