"""Where a request comes from: the client's address behind trusted proxies, and its network.

Pure: the caller passes the peer address, the `X-Forwarded-For` header and the proxies it
trusts. Limits and provenance work on networks, not addresses: an IPv4 address is its own
network, an IPv6 client is its /64 (one household or phone usually holds a whole /64, so
counting single IPv6 addresses would let one machine be millions of clients).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

IPV6_PREFIX = 64
UNKNOWN = "unknown"


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """'127.0.0.1, 10.0.0.0/8, ::1' -> networks; ValueError names the bad part."""
    networks = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {part!r}") from None
    return tuple(networks)


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:5000"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(peer: str | None, trusted: Sequence[IPNetwork]) -> bool:
    address = _address(peer) if peer else None
    return address is not None and any(address in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[IPNetwork]
) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    right-most `X-Forwarded-For` entry that is not itself a trusted proxy (entries to its left
    were written by the client and prove nothing)."""
    address = _address(peer) if peer else None
    if address is None:
        return UNKNOWN
    if not any(address in network for network in trusted):
        return str(address)
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        forwarded = _address(hop)
        if forwarded is None:
            break  # a malformed hop: trust nothing further to the left
        if not any(forwarded in network for network in trusted):
            return str(forwarded)
        address = forwarded
    return str(address)


def network_of(address: str) -> str:
    """The network limits count: an IPv4 address itself, an IPv6 address's /64."""
    parsed = _address(address)
    if parsed is None:
        return UNKNOWN
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, IPV6_PREFIX), strict=False))
    return str(parsed)


def network_hash(key: bytes, network: str) -> str:
    """A keyed hash of a network, stored instead of the address (it cannot be reversed by
    trying every IPv4 address without the key)."""
    return hmac.new(key, network.encode("ascii", "replace"), hashlib.sha256).hexdigest()[:32]
