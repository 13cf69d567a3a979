"""Participation-mode rules: addresses, their keyed hash, organisation lists."""

from __future__ import annotations

import pytest

from townhall.domain.access import (
    InvalidInput,
    Organisation,
    address_hash,
    normalise_email,
    parse_organisations,
)


def test_normalise_email_trims_and_lowers() -> None:
    assert normalise_email("  Ada@Example.ORG ") == "ada@example.org"


@pytest.mark.parametrize("raw", ["ada", "ada@", "@example.org", "ada@example", "a b@c.org"])
def test_normalise_email_refuses_non_addresses(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_email(raw)


def test_address_hash_is_keyed_and_stable() -> None:
    assert address_hash("k1", "a@b.org") == address_hash("k1", "a@b.org")
    assert address_hash("k1", "a@b.org") != address_hash("k2", "a@b.org")
    assert "a@b.org" not in address_hash("k1", "a@b.org")


def test_parse_organisations_reads_csv_with_header_and_quotes() -> None:
    text = '\ufeffname,email\n"Médecins, Sans Frontières",MSF@example.org\n\nOxfam\n'

    assert parse_organisations(text) == [
        Organisation("Médecins, Sans Frontières", "msf@example.org"),
        Organisation("Oxfam", None),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Oxfam\noxfam", "Line 2: 'oxfam' is already on line 1."),
        ("Oxfam,a@b.org,extra", "Line 1: at most two columns, name and e-mail."),
        (",a@b.org", "Line 1: the organisation's name is missing."),
        ("\n\n", "List at least one organisation, one a line."),
    ],
)
def test_parse_organisations_refuses_with_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_organisations(text)

    assert str(refused.value) == message
