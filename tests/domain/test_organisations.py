from __future__ import annotations

import pytest

from townhall.domain.organisations import (
    Endorsed,
    InvalidProfile,
    Profile,
    check_profile,
    clean_website,
    endorsements_by_group,
)


def test_check_profile_cleans_every_field() -> None:
    assert check_profile(
        "  Oxfam   International ", " ke ", "Civil society", "https://oxfam.org/"
    ) == (Profile("Oxfam International", "KE", "civil_society", "https://oxfam.org/"))


def test_check_profile_leaves_empty_fields_unset() -> None:
    assert check_profile("Oxfam", "", " ", None) == Profile("Oxfam")


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "ftp://example.org",
        "https://",
        "https://user:pw@example.org",
        "https://exa mple.org",
        "example.org",
        "https://example.org:99999",
        "https://intranet",
        'https://example.org/"onmouseover=x',
    ],
)
def test_clean_website_refuses_what_is_not_a_web_address(website: str) -> None:
    with pytest.raises(InvalidProfile) as refused:
        clean_website(website)

    assert refused.value.field == "website"


def test_clean_website_keeps_http_and_https_addresses() -> None:
    assert [clean_website(w) for w in ("http://a.org", "HTTPS://b.org/x?y=1")] == [
        "http://a.org",
        "HTTPS://b.org/x?y=1",
    ]


@pytest.mark.parametrize(
    ("field", "values"),
    [("name", ("  ",)), ("country", ("X", "XX")), ("stakeholder_group", ("x", "lobby"))],
)
def test_check_profile_names_the_field_at_fault(field: str, values: tuple[str, ...]) -> None:
    for value in values:
        with pytest.raises(InvalidProfile) as refused:
            check_profile(**{"name": "Oxfam", field: value})

        assert refused.value.field == field


def test_endorsements_count_each_organisation_once_per_group() -> None:
    rows = [
        (1, 10, "Oxfam", "KE"),
        (1, 10, "Oxfam", "KE"),  # a second wording of the same group
        (1, 11, "ActionAid", "NG"),
        (1, 12, "Amnesty", "FR"),
        (1, 13, "No Country", None),
        (2, 10, "Oxfam", "KE"),
    ]

    assert endorsements_by_group(rows) == {
        1: Endorsed(("ActionAid", "Amnesty", "No Country", "Oxfam"), ("Africa", "Europe")),
        2: Endorsed(("Oxfam",), ("Africa",)),
    }
    assert endorsements_by_group(rows)[1].count == 4
