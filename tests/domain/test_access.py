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


def test_parse_organisations_reads_profiles_in_the_header_order() -> None:
    text = "name,website,country,stakeholder group\nOxfam,https://oxfam.org,ke,Civil society\n"

    assert parse_organisations(text) == [
        Organisation("Oxfam", None, "KE", "civil_society", "https://oxfam.org")
    ]


def test_parse_organisations_reads_lines_ending_in_a_lone_carriage_return() -> None:
    assert parse_organisations(",\rOxfam\rCIVICUS") == [
        Organisation("Oxfam"),
        Organisation("CIVICUS"),
    ]


def test_parse_organisations_reads_positional_profile_columns() -> None:
    assert parse_organisations("Oxfam,a@b.org,BR,youth\n") == [
        Organisation("Oxfam", "a@b.org", "BR", "youth", None)
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Oxfam\noxfam", "Line 2: 'oxfam' is already on line 1."),
        (
            "Oxfam,a@b.org,KE,youth,https://oxfam.org,extra",
            "Line 1: at most 5 columns: name, email, country, stakeholder_group, website.",
        ),
        ("Oxfam,,XX", "Line 1: 'XX' is not an ISO 3166-1 alpha-2 country code (e.g. KE)."),
        (
            "Oxfam,,,,javascript:alert(1)",
            "Line 1: 'javascript:alert(1)' is not an http or https address.",
        ),
        (
            "name,colour\nOxfam,red",
            "Line 1: the header's columns must be among name, email, country, stakeholder_group, website.",
        ),
        (",a@b.org", "Line 1: the organisation's name is missing."),
        ("\n\n", "List at least one organisation, one a line."),
    ],
)
def test_parse_organisations_refuses_with_the_line(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_organisations(text)

    assert str(refused.value) == message
