"""The Atom feed of records: valid Atom (RFC 4287), newest first, read by feedparser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import feedparser

from townhall.domain.record import Licence
from townhall.domain.record_feed import ATOM, FeedEntry, build_feed

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def entry(slug: str, days_ago: int, **kw: object) -> FeedEntry:
    end = NOW - timedelta(days=days_ago)
    return FeedEntry(
        uid=kw.pop("uid", "6f1c2d9e-8a4b-4c3d-9e2f-1a2b3c4d5e6f@townhall"),  # type: ignore[arg-type]
        slug=slug,
        title=f"Dialogue {slug} <&>",
        published=end,
        updated=end,
        answered=3,
        not_reached=1,
        **kw,  # type: ignore[arg-type]
    )


def test_build_feed_is_atom_that_feedparser_reads_newest_first() -> None:
    body = build_feed(
        [entry("old", 9), entry("new", 1, licence=Licence("CC BY 4.0", "https://cc.example/by"))],
        "https://th.example",
        NOW,
    )

    feed = feedparser.parse(body)

    assert feed.bozo is False
    assert feed.version == "atom10"
    assert [e.link for e in feed.entries] == [
        "https://th.example/e/new/record",
        "https://th.example/e/old/record",
    ]
    assert feed.entries[0].title == "Dialogue new <&>"
    assert feed.entries[0].id == "urn:uuid:6f1c2d9e-8a4b-4c3d-9e2f-1a2b3c4d5e6f"
    assert feed.entries[0].rights == "CC BY 4.0 (https://cc.example/by)"
    assert feed.feed.updated == "2026-12-02T12:00:00Z"


def test_build_feed_has_the_elements_rfc_4287_requires() -> None:
    root = ET.fromstring(build_feed([entry("a", 1, uid="not-a-uuid")], "https://th.example", NOW))

    def names(element: ET.Element) -> set[str]:
        return {child.tag.removeprefix(f"{{{ATOM}}}") for child in element}

    assert root.tag == f"{{{ATOM}}}feed"
    assert {"id", "title", "updated", "author", "link"} <= names(root)
    only = root.find(f"{{{ATOM}}}entry")
    assert only is not None
    assert {"id", "title", "updated", "link", "summary"} <= names(only)
    assert only.findtext(f"{{{ATOM}}}id") == "https://th.example/e/a/record"


def test_build_feed_empty_is_updated_now() -> None:
    feed = feedparser.parse(build_feed([], "https://th.example", NOW))

    assert (feed.bozo, feed.feed.updated, feed.entries) == (False, "2026-12-03T12:00:00Z", [])
