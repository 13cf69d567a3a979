from __future__ import annotations

import pytest

from townhall.domain.network import (
    UNKNOWN,
    client_address,
    network_hash,
    network_of,
    parse_networks,
)

PROXIES = parse_networks("127.0.0.1, 10.0.0.0/8")


def test_client_address_ignores_forwarded_for_from_an_untrusted_peer() -> None:
    assert client_address("203.0.113.7", ["198.51.100.1"], PROXIES) == "203.0.113.7"


def test_client_address_takes_the_rightmost_untrusted_hop_behind_trusted_proxies() -> None:
    forwarded = ["6.6.6.6, 198.51.100.9", "10.1.2.3"]
    assert client_address("127.0.0.1", forwarded, PROXIES) == "198.51.100.9"


def test_client_address_stops_at_a_malformed_hop() -> None:
    assert client_address("127.0.0.1", ["6.6.6.6, garbage"], PROXIES) == "127.0.0.1"


def test_client_address_without_a_peer_is_unknown() -> None:
    assert client_address(None, ["6.6.6.6"], PROXIES) == UNKNOWN


def test_client_address_reads_ports_and_mapped_ipv4() -> None:
    assert client_address("127.0.0.1", ["[2001:db8::5]:443"], PROXIES) == "2001:db8::5"
    assert client_address("::ffff:203.0.113.7", [], PROXIES) == "203.0.113.7"


def test_network_of_groups_ipv6_by_64_and_keeps_ipv4_whole() -> None:
    assert network_of("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert network_of("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert network_of("203.0.113.7") == "203.0.113.7"
    assert network_of("nonsense") == UNKNOWN


def test_network_hash_depends_on_the_key() -> None:
    assert network_hash(b"a", "203.0.113.7") == network_hash(b"a", "203.0.113.7")
    assert network_hash(b"a", "203.0.113.7") != network_hash(b"b", "203.0.113.7")


def test_parse_networks_names_the_bad_part() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33'"):
        parse_networks("127.0.0.1, 10.0.0.0/33")
