"""The public record of an ended event (pure): what was answered, in order, and what was not.

The store reads plain rows (`QuestionRow`, `TakeRow`); `groups_from` folds them into merge
groups, `build_record` assembles the record that the JSON, the CSV, the page and the widget
show (docs/record.md, schema in docs/record.schema.json).

Each field of a question row is one `RowPart`: a function of the group and the inputs that
returns the fields it adds. A new field (an organisation's endorsements, a question's regional
spread) is one more function appended to `ANSWERED_PARTS` and/or `NOT_REACHED_PARTS`, with the
value it needs read by `store/record.py` into a field of `RecordInputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from townhall.domain.organisations import Endorsed
from townhall.domain.recording import recording_link
from townhall.domain.spread import Spread

RECORD_VERSION = 1
# What the record shows of a question: a hidden one never; a wording merged in while still
# awaiting approval stays private, as on the participant page.
ANSWERED = frozenset({"answered", "answering"})
NOT_REACHED = frozenset({"open"})
_PRIVATE = frozenset({"hidden", "pending"})


@dataclass(frozen=True)
class QuestionRow:
    """One stored question of the event, as the record needs it."""

    id: int
    root_id: int
    status: str
    text: str
    language: str | None
    asked_at: datetime
    supporters: int  # the group's, on its root
    status_changed_at: datetime | None = None
    organisation: str | None = None  # asked on behalf of it


@dataclass(frozen=True)
class TakeRow:
    """One moderation-log entry that may mark a question taken (see `take_moments`)."""

    question_id: int
    action: str
    before: str | None
    at: datetime


@dataclass(frozen=True)
class Wording:
    id: int
    text: str
    language: str | None
    asked_at: datetime
    organisation: str | None = None


@dataclass(frozen=True)
class Group:
    """A question and the wordings merged into it (root first, then by id)."""

    root_id: int
    status: str
    supporters: int
    wordings: tuple[Wording, ...]
    taken: tuple[datetime, ...] = ()  # each moment it was taken, earliest first


@dataclass(frozen=True)
class Recording:
    url: str
    started_at: datetime


@dataclass(frozen=True)
class Licence:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class RecordEvent:
    slug: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    updated_at: datetime
    candidates: tuple[str, ...] = ()
    series_slug: str | None = None
    series_title: str | None = None


@dataclass(frozen=True)
class RecordInputs:
    event: RecordEvent
    origin: str
    groups: tuple[Group, ...] = ()
    recording: Recording | None = None
    licence: Licence | None = None
    last_change: datetime | None = None  # the newest moderation-log entry
    # Regional spread of the groups not reached, by root, folded at `privacy_minimum`
    # (domain/spread.py): no count of fewer people is ever in the record.
    spreads: Mapping[int, Spread] = field(default_factory=dict)
    # Organisations endorsing each group, by root (apart from votes; aggregates only, as on
    # the public screens).
    endorsements: Mapping[int, Endorsed] = field(default_factory=dict)
    privacy_minimum: int = 5

    @property
    def record_url(self) -> str:
        return record_url(self.origin, self.event.slug)


def record_url(origin: str, slug: str) -> str:
    return f"{origin}/e/{slug}/record"


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; everything is UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def take_moments(entries: Iterable[TakeRow]) -> dict[int, list[datetime]]:
    """When each question was taken: put on stage (`answering`), or marked answered straight
    from the queue (`answered` from `open`: the moment it was marked, the best there is). An
    `answered` from `answering` ends a take, it does not start one."""
    moments: dict[int, list[datetime]] = {}
    for entry in entries:
        if entry.action == "answering" or (entry.action == "answered" and entry.before == "open"):
            moments.setdefault(entry.question_id, []).append(entry.at)
    return moments


def groups_from(rows: Iterable[QuestionRow], takes: Iterable[TakeRow]) -> tuple[Group, ...]:
    """The event's public groups (roots answered, on stage or open), each with its public
    wordings and the moments any of them was taken. A group answered without a logged take (a
    log from before this record existed) falls back to its root's last status change."""
    moments = take_moments(takes)
    by_root: dict[int, list[QuestionRow]] = {}
    for row in rows:
        by_root.setdefault(row.root_id, []).append(row)
    groups = []
    for root_id, members in by_root.items():
        root = next((row for row in members if row.id == root_id), None)
        if root is None or root.status in _PRIVATE:
            continue
        wordings = sorted(
            (row for row in members if row.id == root_id or row.status not in _PRIVATE),
            key=lambda row: (row.id != root_id, row.id),
        )
        taken = sorted(moment for row in members for moment in moments.get(row.id, ()))
        if not taken and root.status in ANSWERED:
            taken = [root.status_changed_at or root.asked_at]
        groups.append(
            Group(
                root_id=root_id,
                status=root.status,
                supporters=root.supporters,
                wordings=tuple(
                    Wording(r.id, r.text, r.language, r.asked_at, r.organisation) for r in wordings
                ),
                taken=tuple(taken),
            )
        )
    return tuple(groups)


def answered_in_order(groups: Iterable[Group]) -> list[Group]:
    """Answered (or still on stage at the end) groups, in the order they were first taken."""
    answered = [group for group in groups if group.status in ANSWERED]
    return sorted(answered, key=lambda group: (group.taken[0], group.root_id))


def not_reached(groups: Iterable[Group]) -> list[Group]:
    """Groups left in the queue, by support (then the earliest asked), as the queue ranked them."""
    waiting = [group for group in groups if group.status in NOT_REACHED]
    return sorted(waiting, key=lambda g: (-g.supporters, g.wordings[0].asked_at, g.root_id))


# --- the fields of a question row, one function each ------------------------------------------
RowPart = Callable[[Group, RecordInputs], dict[str, Any]]


def identity_part(group: Group, inputs: RecordInputs) -> dict[str, Any]:
    anchor = f"q-{group.root_id}"
    return {"id": group.root_id, "anchor": anchor, "url": f"{inputs.record_url}#{anchor}"}


def wordings_part(group: Group, inputs: RecordInputs) -> dict[str, Any]:
    return {
        "wordings": [
            {
                "id": w.id,
                "text": w.text,
                "language": w.language,
                "asked_at": iso(w.asked_at),
                "organisation": w.organisation,
            }
            for w in group.wordings
        ]
    }


def support_part(group: Group, inputs: RecordInputs) -> dict[str, Any]:
    return {"supporters": group.supporters}


def _cells(cells: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"key": cell.key, "supporters": cell.supporters} for cell in cells]


def spread_part(group: Group, inputs: RecordInputs) -> dict[str, Any]:
    """How the group's support spread across regions and stakeholder groups (None when no
    supporter gave a country or a group, or all cells were below the privacy threshold)."""
    spread = inputs.spreads.get(group.root_id)
    if spread is None or not (spread.by_region or spread.by_group or spread.by_stakeholder):
        return {"spread": None}
    return {
        "spread": {
            "regions": spread.regions,
            "by_region": _cells(spread.by_region),
            "by_group": _cells(spread.by_group),
            "by_stakeholder": _cells(spread.by_stakeholder),
        }
    }


def endorsements_part(group: Group, inputs: RecordInputs) -> dict[str, Any]:
    endorsed = inputs.endorsements.get(group.root_id)
    if endorsed is None or not endorsed.count:
        return {"endorsements": None}
    return {"endorsements": {"organisations": endorsed.count, "regions": list(endorsed.regions)}}


def _take(moment: datetime, recording: Recording | None) -> dict[str, Any]:
    link = recording_link(recording.url, recording.started_at, moment) if recording else None
    return {"taken_at": iso(moment), "recording_link": link}


def taken_part(group: Group, inputs: RecordInputs) -> dict[str, Any]:
    first, *again = group.taken
    return {
        **_take(first, inputs.recording),
        "taken_again": [_take(moment, inputs.recording) for moment in again],
    }


ANSWERED_PARTS: tuple[RowPart, ...] = (
    identity_part,
    wordings_part,
    support_part,
    endorsements_part,
    taken_part,
)
NOT_REACHED_PARTS: tuple[RowPart, ...] = (
    identity_part,
    wordings_part,
    support_part,
    endorsements_part,
    spread_part,
)


def _row(group: Group, inputs: RecordInputs, parts: Iterable[RowPart], position: int) -> Any:
    row: dict[str, Any] = {"position": position}
    for part in parts:
        row.update(part(group, inputs))
    return row


def updated_at(inputs: RecordInputs) -> datetime:
    """When the record last changed: the event's end, a later edit or moderation entry."""
    moments = [inputs.event.ends_at, inputs.event.updated_at]
    if inputs.last_change is not None:
        moments.append(inputs.last_change)
    return max(moment if moment.tzinfo else moment.replace(tzinfo=UTC) for moment in moments)


def event_part(inputs: RecordInputs) -> dict[str, Any]:
    event = inputs.event
    series = (
        {"slug": event.series_slug, "title": event.series_title}
        if event.series_slug is not None
        else None
    )
    return {
        "slug": event.slug,
        "title": event.title,
        "kind": event.kind,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "timezone": event.timezone,
        "candidates": list(event.candidates),
        "series": series,
        "url": f"{inputs.origin}/e/{event.slug}",
    }


def build_record(inputs: RecordInputs) -> dict[str, Any]:
    answered = answered_in_order(inputs.groups)
    waiting = not_reached(inputs.groups)
    recording = inputs.recording
    licence = inputs.licence
    return {
        "version": RECORD_VERSION,
        "event": event_part(inputs),
        "record_url": inputs.record_url,
        "json_url": f"{inputs.origin}/api/events/{inputs.event.slug}/record",
        "csv_url": f"{inputs.origin}/api/events/{inputs.event.slug}/record.csv",
        "updated_at": iso(updated_at(inputs)),
        "licence": {"name": licence.name, "url": licence.url} if licence else None,
        "privacy_threshold": inputs.privacy_minimum,
        "recording": (
            {"url": recording.url, "started_at": iso(recording.started_at)} if recording else None
        ),
        "answered": [_row(group, inputs, ANSWERED_PARTS, n) for n, group in enumerate(answered, 1)],
        "not_reached": [
            _row(group, inputs, NOT_REACHED_PARTS, n) for n, group in enumerate(waiting, 1)
        ],
    }


CSV_COLUMNS = (
    "section",
    "position",
    "question_id",
    "wording_id",
    "language",
    "text",
    "supporters",
    "taken_at",
    "recording_link",
    "support_by_region",
)


def _region_cells(row: Mapping[str, Any]) -> str:
    spread = row.get("spread")
    if not spread:
        return ""
    return "; ".join(f"{cell['key']}: {cell['supporters']}" for cell in spread["by_region"])


def csv_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One line per wording: a group's line first, its merged wordings after it (same
    position and question id), answered questions then those not reached."""
    lines = []
    for section in ("answered", "not_reached"):
        for row in record[section]:
            for wording in row["wordings"]:
                lines.append(
                    {
                        "section": section,
                        "position": row["position"],
                        "question_id": row["id"],
                        "wording_id": wording["id"],
                        "language": wording["language"] or "",
                        "text": wording["text"],
                        "supporters": row["supporters"],
                        "taken_at": row.get("taken_at", ""),
                        "recording_link": row.get("recording_link") or "",
                        "support_by_region": _region_cells(row),
                    }
                )
    return lines
