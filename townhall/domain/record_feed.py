"""The Atom feed of new public records (RFC 4287), built from plain values (pure).

One entry per ended event of a published series, newest first. An entry's id is the event's
calendar UID as a URN (it never changes, not even when the event is edited), `published` is
the event's end (when its record appeared) and `updated` the record's last change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

from townhall.domain.record import Licence, iso

ATOM = "http://www.w3.org/2005/Atom"
FEED_TITLE = "townhall: public records of ended events"


@dataclass(frozen=True)
class FeedEntry:
    uid: str
    slug: str
    title: str
    published: datetime
    updated: datetime
    answered: int
    not_reached: int
    series_title: str | None = None
    licence: Licence | None = None


def entry_id(uid: str, record_url: str) -> str:
    """`urn:uuid:…` for the UUID part of a calendar UID (`<uuid>@townhall`), else the record's
    address (stable too: slugs do not change)."""
    try:
        return uuid.UUID(uid.split("@", 1)[0]).urn
    except ValueError:
        return record_url


def _text(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    element.text = text
    return element


def _rights(licence: Licence) -> str:
    return f"{licence.name} ({licence.url})" if licence.url else licence.name


def build_feed(entries: Sequence[FeedEntry], origin: str, now: datetime) -> bytes:
    """The feed; its `updated` is the newest entry's, or `now` for an empty feed."""
    ordered = sorted(entries, key=lambda e: (e.published, e.slug), reverse=True)
    feed = ET.Element("feed", {"xmlns": ATOM})
    _text(feed, "id", f"{origin}/records.atom")
    _text(feed, "title", FEED_TITLE)
    _text(feed, "updated", iso(max((e.updated for e in ordered), default=now)))
    author = ET.SubElement(feed, "author")
    _text(author, "name", "townhall")
    ET.SubElement(feed, "link", {"rel": "self", "href": f"{origin}/records.atom"})
    ET.SubElement(feed, "link", {"rel": "alternate", "href": f"{origin}/"})
    for item in ordered:
        record_url = f"{origin}/e/{item.slug}/record"
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", entry_id(item.uid, record_url))
        _text(entry, "title", item.title)
        _text(entry, "published", iso(item.published))
        _text(entry, "updated", iso(item.updated))
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": record_url})
        ET.SubElement(
            entry,
            "link",
            {
                "rel": "alternate",
                "type": "application/json",
                "href": f"{origin}/api/events/{item.slug}/record",
            },
        )
        if item.series_title:
            ET.SubElement(entry, "category", {"term": item.series_title})
        summary = (
            f"{item.answered} questions answered, {item.not_reached} not reached."
            if item.answered != 1
            else f"1 question answered, {item.not_reached} not reached."
        )
        _text(entry, "summary", summary)
        if item.licence is not None:
            _text(entry, "rights", _rights(item.licence))
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
