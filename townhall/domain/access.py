"""Participation modes: who may ask and vote in an event (pure rules, no I/O).

`open` lets anyone; the other modes need a grant for the participant identity:
`code` (the event's join code typed once), `email` (a one-time link sent to an address),
`invited` (a delegate link given to one organisation).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import timedelta

from townhall.domain.organisations import InvalidProfile, check_profile

OPEN = "open"
CODE = "code"
EMAIL = "email"
INVITED = "invited"
MODES = (OPEN, CODE, EMAIL, INVITED)

# One mailbox verifies at most this many identities per event (a person with a phone and a
# laptop, or a shared office address), so one address cannot mint voters.
IDENTITIES_PER_ADDRESS = 3
# A delegate link serves at most this many identities (the delegate's phone and laptop); a
# leaked link cannot mint voters, and the organiser sees how many use each.
IDENTITIES_PER_LINK = 3
# Sign-in links: how long one stays valid, and how many may be sent in a window per address
# and per participant (counted in the database, so every worker agrees).
LINK_LIFETIME = timedelta(minutes=15)
SEND_WINDOW = timedelta(hours=1)
SENDS_PER_ADDRESS = 3
SENDS_PER_PARTICIPANT = 5

MAX_EMAIL_CHARS = 254
MAX_ORGANISATION_CHARS = 200
MAX_INVITATIONS_PER_IMPORT = 5000

HOW = {
    CODE: "Enter the event's join code (shown on the stage screen) to ask and vote.",
    EMAIL: "Give your e-mail address and follow the sign-in link sent to you to ask and vote.",
    INVITED: "Open the delegate link your organisation received to ask and vote.",
}


class InvalidInput(ValueError):
    """Input the organiser or participant must correct; the message says how."""


def needs_grant(mode: str) -> bool:
    return mode != OPEN


def normalise_email(raw: str) -> str:
    """The address as compared: trimmed, lower-cased; refused when clearly not an address."""
    address = raw.strip().lower()
    local, _, domain = address.rpartition("@")
    if (
        not local
        or "." not in domain
        or domain.startswith(".")
        or domain.endswith(".")
        or len(address) > MAX_EMAIL_CHARS
        or any(c.isspace() or c in "<>,;\"'" for c in address)
    ):
        raise InvalidInput("That does not look like an e-mail address.")
    return address


def address_hash(secret: str, address: str) -> str:
    """A keyed hash of a normalised address: the address itself is never stored."""
    return hmac.new(
        secret.encode("utf-8"), b"townhall.email:" + address.encode("utf-8"), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class Organisation:
    """An organisation to invite, with the profile fields given (None: not given)."""

    name: str
    email: str | None = None
    country: str | None = None
    stakeholder_group: str | None = None
    website: str | None = None


# Columns of an imported list, in this order when the file has no header line.
COLUMNS = ("name", "email", "country", "stakeholder_group", "website")
_HEADER_NAMES = {
    "name": "name",
    "organisation": "name",
    "email": "email",
    "e-mail": "email",
    "country": "country",
    "stakeholder_group": "stakeholder_group",
    "stakeholder group": "stakeholder_group",
    "group": "stakeholder_group",
    "website": "website",
    "url": "website",
}


def parse_organisations(text: str) -> list[Organisation]:
    """Organisations pasted or imported as CSV: one a line, `name,email,country,
    stakeholder_group,website` (only the name is needed; trailing columns may be left out).
    A first line starting with `name` is a header and may order the columns its own way."""
    rows: list[tuple[int, Organisation]] = []
    columns: tuple[str, ...] = COLUMNS
    # Universal newlines: a file from an old Mac ends lines with a lone CR, which the csv
    # module refuses in an unquoted field.
    lines = io.StringIO(text.lstrip("\ufeff"), newline=None)
    try:
        parsed = list(csv.reader(lines))
    except csv.Error as error:
        raise InvalidInput(f"The list is not readable as CSV: {error}.") from None
    for number, row in enumerate(parsed, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if not rows and columns is COLUMNS and cells[0].lower() in ("name", "organisation"):
            named = [_HEADER_NAMES.get(cell.lower()) for cell in cells]
            if None in named or len(set(named)) != len(named):
                raise InvalidInput(
                    f"Line {number}: the header's columns must be among {', '.join(COLUMNS)}."
                )
            columns = tuple(name for name in named if name is not None)
            continue
        if len(cells) > len(columns) and any(cells[len(columns) :]):
            raise InvalidInput(
                f"Line {number}: at most {len(columns)} columns: {', '.join(columns)}."
            )
        given = dict(zip(columns, cells, strict=False))
        rows.append(
            (
                number,
                Organisation(
                    given.get("name", ""),
                    given.get("email") or None,
                    given.get("country") or None,
                    given.get("stakeholder_group") or None,
                    given.get("website") or None,
                ),
            )
        )
    return check_organisations(rows)


def check_organisations(rows: list[tuple[int, Organisation]]) -> list[Organisation]:
    """(line, organisation as given) checked: names present, short and unique
    (case-insensitive), e-mails valid, profiles valid; a refusal names the line."""
    found: list[Organisation] = []
    seen: dict[str, int] = {}
    for number, raw in rows:
        try:
            profile = check_profile(raw.name, raw.country, raw.stakeholder_group, raw.website)
        except InvalidProfile as error:
            message = str(error)
            raise InvalidInput(f"Line {number}: {message[:1].lower()}{message[1:]}") from None
        email = None
        if raw.email is not None and raw.email.strip():
            try:
                email = normalise_email(raw.email)
            except InvalidInput:
                raise InvalidInput(
                    f"Line {number}: {raw.email!r} is not an e-mail address."
                ) from None
        key = profile.name.casefold()
        if key in seen:
            raise InvalidInput(f"Line {number}: {profile.name!r} is already on line {seen[key]}.")
        seen[key] = number
        found.append(
            Organisation(
                profile.name, email, profile.country, profile.stakeholder_group, profile.website
            )
        )
        if len(found) > MAX_INVITATIONS_PER_IMPORT:
            raise InvalidInput(f"At most {MAX_INVITATIONS_PER_IMPORT} organisations at once.")
    if not found:
        raise InvalidInput("List at least one organisation, one a line.")
    return found
