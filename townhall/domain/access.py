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
    name: str
    email: str | None = None


def parse_organisations(text: str) -> list[Organisation]:
    """Organisations pasted or imported as CSV: one a line, `name` or `name,e-mail`
    (a header line `name,email` is skipped)."""
    rows: list[tuple[int, str, str | None]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] in (
            ["name", "email"],
            ["name", "e-mail"],
        ):
            continue
        if len(cells) > 2 and any(cells[2:]):
            raise InvalidInput(f"Line {number}: at most two columns, name and e-mail.")
        rows.append((number, cells[0], cells[1] if len(cells) > 1 and cells[1] else None))
    return check_organisations(rows)


def check_organisations(rows: list[tuple[int, str, str | None]]) -> list[Organisation]:
    """(line, name, e-mail) checked: names present, short and unique (case-insensitive),
    e-mails valid; a refusal names the line."""
    found: list[Organisation] = []
    seen: dict[str, int] = {}
    for number, raw_name, raw_email in rows:
        name = " ".join(raw_name.split())
        if not name:
            raise InvalidInput(f"Line {number}: the organisation's name is missing.")
        if len(name) > MAX_ORGANISATION_CHARS:
            raise InvalidInput(f"Line {number}: the name is over {MAX_ORGANISATION_CHARS} chars.")
        email = None
        if raw_email is not None and raw_email.strip():
            try:
                email = normalise_email(raw_email)
            except InvalidInput:
                raise InvalidInput(
                    f"Line {number}: {raw_email!r} is not an e-mail address."
                ) from None
        key = name.casefold()
        if key in seen:
            raise InvalidInput(f"Line {number}: {name!r} is already on line {seen[key]}.")
        seen[key] = number
        found.append(Organisation(name, email))
        if len(found) > MAX_INVITATIONS_PER_IMPORT:
            raise InvalidInput(f"At most {MAX_INVITATIONS_PER_IMPORT} organisations at once.")
    if not found:
        raise InvalidInput("List at least one organisation, one a line.")
    return found
