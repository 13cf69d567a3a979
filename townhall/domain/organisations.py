"""Organisations taking part as organisations: their profile rules and how endorsements add
up (pure).

An organisation (NGO, coalition, network) has a name, a country (ISO 3166-1 alpha-2), a
stakeholder group and a website. Its endorsements of a question are counted apart from votes:
one per organisation per question group, summed up as "endorsed by n organisations from m
regions" (UN M49 regions of the organisations' countries).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from townhall.domain.regions import m49_region, normalise_country

STAKEHOLDER_GROUPS = (
    "civil_society",
    "academia",
    "private_sector",
    "government",
    "international_organisation",
    "media",
    "youth",
    "other",
)

MAX_NAME_CHARS = 200
MAX_WEBSITE_CHARS = 500


class InvalidProfile(ValueError):
    """A profile field the organiser must correct; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Profile:
    name: str
    country: str | None = None
    stakeholder_group: str | None = None
    website: str | None = None


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidProfile("name", "The organisation's name is missing.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidProfile("name", f"The name is over {MAX_NAME_CHARS} characters.")
    return name


def clean_country(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    country = normalise_country(raw.strip())
    if country is None:
        raise InvalidProfile(
            "country", f"{raw.strip()!r} is not an ISO 3166-1 alpha-2 country code (e.g. KE)."
        )
    return country


def clean_group(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    group = raw.strip().lower().replace(" ", "_").replace("-", "_")
    if group not in STAKEHOLDER_GROUPS:
        raise InvalidProfile(
            "stakeholder_group",
            f"{raw.strip()!r} is not a stakeholder group ({', '.join(STAKEHOLDER_GROUPS)}).",
        )
    return group


def clean_website(raw: str | None) -> str | None:
    """An absolute http or https URL with a host, no credentials, no spaces; else refused."""
    if raw is None or not raw.strip():
        return None
    website = raw.strip()
    refusal = InvalidProfile("website", f"{website[:80]!r} is not an http or https address.")
    if len(website) > MAX_WEBSITE_CHARS:
        raise InvalidProfile("website", f"The website is over {MAX_WEBSITE_CHARS} characters.")
    if any(c.isspace() or ord(c) < 32 or c in "<>\"'`\\" for c in website):
        raise refusal
    try:
        parts = urlsplit(website)
        host = parts.hostname
        parts.port  # noqa: B018  # raises ValueError on a port out of range
    except ValueError:
        raise refusal from None
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        raise refusal
    if "." not in host and host != "localhost" and not host.startswith("["):
        raise refusal
    return website


def check_profile(
    name: str,
    country: str | None = None,
    stakeholder_group: str | None = None,
    website: str | None = None,
) -> Profile:
    return Profile(
        clean_name(name),
        clean_country(country),
        clean_group(stakeholder_group),
        clean_website(website),
    )


@dataclass(frozen=True)
class Endorsed:
    """The organisations endorsing one question group and the regions they come from."""

    organisations: tuple[str, ...]  # names, sorted
    regions: tuple[str, ...]  # UN M49 region names, sorted; organisations with no country add none

    @property
    def count(self) -> int:
        return len(self.organisations)


def endorsements_by_group(
    rows: Iterable[tuple[int, int, str, str | None]],
) -> dict[int, Endorsed]:
    """(group root, organisation id, name, country) -> each group's endorsements, an
    organisation counted once however many wordings of the group it endorsed."""
    names: dict[int, dict[int, str]] = {}
    regions: dict[int, set[str]] = {}
    for root, organisation_id, name, country in rows:
        names.setdefault(root, {})[organisation_id] = name
        region = m49_region(country) if country else None
        found = regions.setdefault(root, set())
        if region is not None:
            found.add(region)
    return {
        root: Endorsed(
            tuple(sorted(by_id.values(), key=str.casefold)), tuple(sorted(regions[root]))
        )
        for root, by_id in names.items()
    }
