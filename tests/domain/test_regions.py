from __future__ import annotations

from collections import Counter

import pycountry
import pytest

from townhall.domain import regions
from townhall.domain.regions import (
    M49_REGIONS,
    REGIONAL_GROUPS,
    country_codes,
    m49_region,
    m49_subregion,
    normalise_country,
    un_regional_group,
)

# The 193 UN member states, by English short name, written out independently of the module.
_MEMBERS = (
    "AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI "
    "CV KH CM CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM DO EC EG SV GQ ER "
    "EE SZ ET FJ FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT "
    "JM JP JO KZ KE KI KW KG LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM "
    "MC MN ME MA MZ MM NA NR NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR "
    "MD RO RU RW KN LC VC WS SM ST SA SN RS SC SL SG SK SI SB SO ZA SS ES LK SD SR SE CH "
    "SY TJ TH TL TG TO TT TN TR TM TV UG UA AE GB TZ US UY UZ VU VE VN YE ZM ZW"
)
UN_MEMBER_STATES = _MEMBERS.split()


def test_member_state_list_has_193_distinct_codes() -> None:
    assert (len(UN_MEMBER_STATES), len(set(UN_MEMBER_STATES))) == (193, 193)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("fr", "FR"),
        (" gb ", "GB"),
        ("TW", "TW"),
        ("UK", None),  # exceptionally reserved, not assigned
        ("XK", None),  # user-assigned (Kosovo), not in ISO 3166-1
        ("EU", None),
        ("FRA", None),  # alpha-3 is not accepted
        ("", None),
        ("F", None),
        ("1a", None),
        ("ÉS", None),
    ],
)
def test_normalise_country_accepts_only_assigned_alpha2(given: str, expected: str | None) -> None:
    assert normalise_country(given) == expected


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("NG", ("Africa", "Western Africa", "African Group")),
        ("EG", ("Africa", "Northern Africa", "African Group")),
        ("BR", ("Americas", "South America", "Latin American and Caribbean Group")),
        ("JM", ("Americas", "Caribbean", "Latin American and Caribbean Group")),
        ("US", ("Americas", "Northern America", "Western European and Others Group")),
        ("CN", ("Asia", "Eastern Asia", "Asia-Pacific Group")),
        ("IL", ("Asia", "Western Asia", "Western European and Others Group")),
        ("TR", ("Asia", "Western Asia", "Western European and Others Group")),
        ("AM", ("Asia", "Western Asia", "Eastern European Group")),
        ("RU", ("Europe", "Eastern Europe", "Eastern European Group")),
        ("FR", ("Europe", "Western Europe", "Western European and Others Group")),
        ("JE", ("Europe", "Northern Europe", None)),
        ("VA", ("Europe", "Southern Europe", None)),
        ("PS", ("Asia", "Western Asia", None)),
        ("AU", ("Oceania", "Australia and New Zealand", "Western European and Others Group")),
        ("KI", ("Oceania", "Micronesia", None)),
        ("fj", ("Oceania", "Melanesia", "Asia-Pacific Group")),
        ("AQ", (None, None, None)),
    ],
)
def test_regions_of_a_country(country: str, expected: tuple[str | None, ...]) -> None:
    assert (m49_region(country), m49_subregion(country), un_regional_group(country)) == expected


def test_every_member_state_has_a_group_except_kiribati() -> None:
    without = [code for code in UN_MEMBER_STATES if un_regional_group(code) is None]
    assert without == ["KI"]


def test_only_member_states_have_a_group() -> None:
    members = set(UN_MEMBER_STATES)
    assert [
        code for code in country_codes() if un_regional_group(code) and code not in members
    ] == []


def test_group_sizes() -> None:
    sizes = Counter(un_regional_group(code) for code in UN_MEMBER_STATES)
    assert sizes == {
        "African Group": 54,
        "Asia-Pacific Group": 53,
        "Eastern European Group": 23,
        "Latin American and Caribbean Group": 33,
        "Western European and Others Group": 29,
        None: 1,
    }


def test_every_assigned_code_has_a_region_except_antarctica() -> None:
    assert [code for code in country_codes() if m49_region(code) is None] == ["AQ"]


def test_the_tables_name_only_assigned_codes_and_known_regions() -> None:
    assigned = {country.alpha_2 for country in pycountry.countries}
    assert set(country_codes()) == assigned
    assert set(regions._REGION) | set(regions._GROUP) <= assigned
    total = sum(len(codes.split()) for codes in regions._M49.values())
    assert total == len(regions._REGION)  # no code listed in two sub-regions
    assert {m49_region(code) for code in assigned} == {*M49_REGIONS, None}
    assert {un_regional_group(code) for code in assigned} == {*REGIONAL_GROUPS, None}
