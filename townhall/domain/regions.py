"""Countries, the UN M49 regions and the five UN regional groups (pure data and look-ups).

A participant may give a country (ISO 3166-1 alpha-2). Everything regional is derived
from that one code, so nothing but the code is ever stored.

Sources and choices:

- ISO 3166-1: which codes exist comes from pycountry (a maintained copy of the ISO list
  from Debian's iso-codes). Only officially assigned alpha-2 codes are accepted: not the
  exceptionally reserved "UK" or "EU", nor the user-assigned "XK" for Kosovo.
- M49: the UN Statistics Division's "Standard country or area codes for statistical use"
  (M49). `m49_region` is its top level (Africa, Americas, Asia, Europe, Oceania).
  `m49_subregion` is the finest geographic level M49 names for a country: the
  intermediate region where M49 has one ("Western Africa", "South America", "Caribbean"
  rather than "Sub-Saharan Africa" or "Latin America and the Caribbean"), otherwise the
  sub-region ("Northern Africa", "Eastern Asia"). The only other intermediate region,
  the Channel Islands (Guernsey, Jersey), is left at its sub-region, "Northern Europe".
- M49 lists no region for Antarctica (AQ): it has none here. M49 does not list Taiwan
  separately; ISO 3166-1 does (TW), and it is placed in Eastern Asia as the UN's
  statistics place it with China.
- Regional groups: the UN's five regional groups of member states (Department for
  General Assembly and Conference Management). Only the 193 member states have one;
  observer states (the Holy See, the State of Palestine) and territories have none.
  Choices where the official list is not a plain partition:
  - the United States belongs to no group but attends the Western European and Others
    Group as an observer and is counted with it for elections: it is counted in WEOG;
  - Türkiye takes part in both the Asia-Pacific Group and WEOG but is counted with WEOG
    for elections: it is counted in WEOG only;
  - Israel is a full member of WEOG (it is in Western Asia for M49);
  - Kiribati, although in Oceania, is a member of no group: it has none here.
"""

from __future__ import annotations

import pycountry

M49_REGIONS: tuple[str, ...] = ("Africa", "Americas", "Asia", "Europe", "Oceania")

REGIONAL_GROUPS: tuple[str, ...] = (
    "African Group",
    "Asia-Pacific Group",
    "Eastern European Group",
    "Latin American and Caribbean Group",
    "Western European and Others Group",
)

# (region, sub-region or intermediate region) -> alpha-2 codes, from the M49 tables.
_M49: dict[tuple[str, str], str] = {
    ("Africa", "Northern Africa"): "DZ EG LY MA SD TN EH",
    ("Africa", "Eastern Africa"): (
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW"
    ),
    ("Africa", "Middle Africa"): "AO CM CF TD CG CD GQ GA ST",
    ("Africa", "Southern Africa"): "BW SZ LS NA ZA",
    ("Africa", "Western Africa"): "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    ("Americas", "Caribbean"): (
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI"
    ),
    ("Americas", "Central America"): "BZ CR SV GT HN MX NI PA",
    ("Americas", "South America"): "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
    ("Americas", "Northern America"): "BM CA GL PM US",
    ("Asia", "Central Asia"): "KZ KG TJ TM UZ",
    ("Asia", "Eastern Asia"): "CN HK MO KP JP MN KR TW",
    ("Asia", "South-eastern Asia"): "BN KH ID LA MY MM PH SG TH TL VN",
    ("Asia", "Southern Asia"): "AF BD BT IN IR MV NP PK LK",
    ("Asia", "Western Asia"): "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    ("Europe", "Eastern Europe"): "BY BG CZ HU PL MD RO RU SK UA",
    ("Europe", "Northern Europe"): "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB",
    ("Europe", "Southern Europe"): "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES",
    ("Europe", "Western Europe"): "AT BE FR DE LI LU MC NL CH",
    ("Oceania", "Australia and New Zealand"): "AU CX CC HM NZ NF",
    ("Oceania", "Melanesia"): "FJ NC PG SB VU",
    ("Oceania", "Micronesia"): "GU KI MH FM NR MP PW UM",
    ("Oceania", "Polynesia"): "AS CK PF NU PN WS TK TO TV WF",
}

# Regional group -> alpha-2 codes of its member states (choices in the docstring).
_GROUPS: dict[str, str] = {
    "African Group": (
        "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE "
        "LS LR LY MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TG TN UG TZ "
        "ZM ZW"
    ),
    "Asia-Pacific Group": (
        "AF BH BD BT BN KH CN CY KP FJ IN ID IR IQ JP JO KZ KW KG LA LB MY MV MH FM MN "
        "MM NR NP OM PK PW PG PH QA KR WS SA SG SB LK SY TJ TH TL TO TM TV AE UZ VU VN "
        "YE"
    ),
    "Eastern European Group": (
        "AL AM AZ BY BA BG HR CZ EE GE HU LV LT ME MK MD PL RO RU RS SK SI UA"
    ),
    "Latin American and Caribbean Group": (
        "AG AR BS BB BZ BO BR CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE "
        "KN LC VC SR TT UY VE"
    ),
    "Western European and Others Group": (
        "AD AT AU BE CA DK FI FR DE GR IS IE IL IT LI LU MT MC NL NZ NO PT SM ES SE CH TR GB US"
    ),
}

_REGION: dict[str, tuple[str, str]] = {
    code: key for key, codes in _M49.items() for code in codes.split()
}
_GROUP: dict[str, str] = {code: group for group, codes in _GROUPS.items() for code in codes.split()}


def normalise_country(code: str) -> str | None:
    """The upper-case ISO 3166-1 alpha-2 code, or None if `code` is not an assigned one."""
    candidate = code.strip().upper()
    if len(candidate) != 2 or not candidate.isascii() or not candidate.isalpha():
        return None
    if pycountry.countries.get(alpha_2=candidate) is None:
        return None
    return candidate


def m49_region(country: str) -> str | None:
    """The M49 region of an alpha-2 code ("Africa" ... "Oceania"), None if it has none."""
    found = _REGION.get(country.upper())
    return found[0] if found else None


def m49_subregion(country: str) -> str | None:
    """The M49 sub-region (or intermediate region, see the module docstring)."""
    found = _REGION.get(country.upper())
    return found[1] if found else None


def un_regional_group(country: str) -> str | None:
    """The UN regional group of a member state, None for every other code."""
    return _GROUP.get(country.upper())


def country_codes() -> tuple[str, ...]:
    """Every assigned ISO 3166-1 alpha-2 code, sorted (for a country picker)."""
    return tuple(sorted(country.alpha_2 for country in pycountry.countries))
