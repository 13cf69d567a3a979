"""Scheduling clashes: the same candidate, moderator or venue booked twice at once (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from townhall.domain.schedule import CalendarEvent


@dataclass(frozen=True)
class Slot:
    """The parts of an event that can clash; `end_utc` is exclusive."""

    id: str
    start_utc: datetime
    end_utc: datetime
    candidates: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    venue: str | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class Clash:
    """`other_id` overlaps the proposed slot and shares these people or this venue."""

    other_id: str
    candidates: tuple[str, ...]
    moderators: tuple[str, ...]
    venue: str | None


def slot_of(event: CalendarEvent) -> Slot:
    return Slot(
        id=event.uid,
        start_utc=event.start_utc,
        end_utc=event.end_utc,
        candidates=event.candidates,
        moderators=event.moderators,
        venue=event.venue,
        cancelled=event.cancelled,
    )


def _venue_key(venue: str | None) -> str | None:
    # "UN HQ, Conference Room 4" and "un hq,  conference room 4" are the same room.
    if venue is None:
        return None
    key = " ".join(venue.casefold().split())
    return key or None


def overlaps(a: Slot, b: Slot) -> bool:
    """Half-open intervals: one ending at 10:00 and the next starting at 10:00 do not overlap."""
    return a.start_utc < b.end_utc and b.start_utc < a.end_utc


def find_clashes(proposed: Slot, existing: Iterable[Slot]) -> list[Clash]:
    """Every existing slot that clashes with `proposed`, earliest first.

    The proposed slot's own id is skipped (an edit does not clash with its old self), and
    cancelled slots, on either side, clash with nothing.
    """
    if proposed.cancelled:
        return []
    venue = _venue_key(proposed.venue)
    found: list[tuple[datetime, str, Clash]] = []
    for other in existing:
        if other.id == proposed.id or other.cancelled or not overlaps(proposed, other):
            continue
        candidates = tuple(name for name in proposed.candidates if name in other.candidates)
        moderators = tuple(name for name in proposed.moderators if name in other.moderators)
        same_venue = venue is not None and venue == _venue_key(other.venue)
        if candidates or moderators or same_venue:
            clash = Clash(
                other_id=other.id,
                candidates=candidates,
                moderators=moderators,
                venue=other.venue if same_venue else None,
            )
            found.append((other.start_utc, other.id, clash))
    return [clash for _, _, clash in sorted(found, key=lambda item: (item[0], item[1]))]
