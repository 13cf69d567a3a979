"""Server-to-client messages, serialised once per audience (docs/protocol.md)."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from townhall.domain.questions import PUBLIC_STATUSES, Queue, QueueItem
from townhall.domain.series import AnsweredIn
from townhall.store.tables import Event, ModerationEntry

AUDIENCES = ("participant", "moderator")


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


@functools.lru_cache(maxsize=16_384)  # every item of every queue, five times a second
def iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_summary(event: Event, *, moderator: bool = False) -> dict[str, Any]:
    """`code` is None for the public in a join-code event: it is what lets them in, so only
    the room (the stage screen, opened from the moderator console) shows it."""
    return {
        "slug": event.slug,
        "code": event.code if moderator or event.access_mode != "code" else None,
        "title": event.title,
        "kind": event.kind,
        "status": event.status,
        "questions_open": event.questions_open,
        # The advance window (domain/intake.py); null sides are open.
        "questions_from": None if event.questions_from is None else iso(event.questions_from),
        "questions_until": None if event.questions_until is None else iso(event.questions_until),
        "moderation_mode": event.moderation_mode,
        "access_mode": event.access_mode,
        "starts_at": iso(event.starts_at),
        "timezone": event.timezone,
        "duration_minutes": event.duration_minutes,
    }


def _item(item: QueueItem, *, moderator: bool) -> dict[str, Any]:
    # Wordings merged in while still awaiting approval stay private to moderators.
    merged = [
        {
            "id": wording.id,
            "text": wording.text,
            "language": wording.language,
            "similarity": wording.similarity,
            "organisation": wording.organisation,
        }
        for wording in item.merged
        if moderator or wording.status in PUBLIC_STATUSES
    ]
    # Every organisation that asked a wording of the group: its name stays on the group.
    askers = list(
        dict.fromkeys(
            name
            for name in [item.organisation, *(wording["organisation"] for wording in merged)]
            if name is not None
        )
    )
    data: dict[str, Any] = {
        "id": item.id,
        "text": item.text,
        "language": item.language,
        "status": item.status.value,
        "votes": item.votes,
        "asked_by": 1 + len(merged),
        "created_at": iso(item.created_at),
        "merged": merged,
        "organisation": item.organisation,
        "organisations": askers,
    }
    if item.common is not None:
        data["common"] = {"id": item.common.common_id, "texts": dict(item.common.texts)}
    if item.endorsed is not None:
        # Apart from `votes`, never added to them; public screens get the aggregates only.
        data["endorsements"] = {
            "organisations": item.endorsed.count,
            "regions": len(item.endorsed.regions),
        }
        if moderator:
            data["endorsements"]["names"] = list(item.endorsed.organisations)
            data["endorsements"]["region_names"] = list(item.endorsed.regions)
    if moderator and item.suggested_id is not None:
        data["possible_duplicate_of"] = {"id": item.suggested_id, "score": item.suggested_score}
    if moderator and item.answered_in is not None:
        data["answered_in"] = answered_in(item.answered_in)
    return data


def answered_in(found: AnsweredIn) -> dict[str, Any]:
    """Where a question was already answered in the series (docs/protocol.md)."""
    return {
        "event": found.event_slug,
        "at": iso(found.at) if found.at is not None else None,
        "title": found.event_title,
        "candidates": list(found.candidates),
        "question_id": found.question_id,
        "url": found.record_url,
    }


def _items(items: Sequence[QueueItem], *, moderator: bool) -> list[dict[str, Any]]:
    return [_item(item, moderator=moderator) for item in items]


def _flag(items: list[dict[str, Any]], flags: Mapping[int, str]) -> list[dict[str, Any]]:
    for item in items:
        if item["id"] in flags:
            item["support_flag"] = flags[item["id"]]
    return items


def queue_body(
    event: Event, queue: Queue, audience: str, flags: Mapping[int, str] | None = None
) -> dict[str, Any]:
    moderator = audience == "moderator"
    body: dict[str, Any] = {
        "event": event_summary(event, moderator=moderator),
        "now_answering": _item(queue.answering[0], moderator=moderator)
        if queue.answering
        else None,
        "open": _items(queue.open, moderator=moderator),
        "answered": _items(queue.answered, moderator=moderator),
        "totals": dict(queue.totals),
    }
    if moderator:
        body["pending"] = _items(queue.pending, moderator=True)
        body["hidden"] = _items(queue.hidden, moderator=True)
        if flags:  # where support comes from is for moderators only
            now = [body["now_answering"]] if body["now_answering"] else []
            for section in ("open", "answered", "pending", "hidden"):
                _flag(body[section], flags)
            _flag(now, flags)
    return body


def render_queue(
    event: Event,
    queue: Queue,
    flags: Mapping[int, str] | None = None,
    audiences: Collection[str] = AUDIENCES,
) -> dict[str, dict[str, Any]]:
    """The queue body per audience (of `audiences`); the hub turns each into one shared diff or
    full message."""
    return {
        audience: queue_body(event, queue, audience, flags)
        for audience in AUDIENCES
        if audience in audiences
    }


def snapshot_of(body: dict[str, Any], *, voted: list[int], mine: list[int]) -> str:
    return dumps({"type": "snapshot", **body, "you": {"voted": voted, "mine": mine}})


def snapshot(
    event: Event,
    queue: Queue,
    audience: str,
    *,
    voted: list[int],
    mine: list[int],
    flags: Mapping[int, str] | None = None,
) -> str:
    return dumps(
        {
            "type": "snapshot",
            **queue_body(event, queue, audience, flags),
            "you": {"voted": voted, "mine": mine},
        }
    )


def welcome(participant_id: str, role: str, event: Event) -> str:
    return dumps(
        {
            "type": "welcome",
            "participant_id": participant_id,
            "role": role,
            "event": event_summary(event, moderator=role == "moderator"),
        }
    )


def ack(action: str, client_id: str, result: dict[str, Any], *, replayed: bool) -> str:
    return dumps(
        {
            "type": "ack",
            "action": action,
            "client_id": client_id,
            "result": result,
            "replayed": replayed,
        }
    )


def refused(
    action: str | None, client_id: str | None, code: str, message: str, **details: Any
) -> str:
    """`details` name what the refusal is about (e.g. `mode` for `verification_required`)."""
    return dumps(
        {
            "type": "refused",
            "action": action,
            "client_id": client_id,
            "code": code,
            "message": message,
            **details,
        }
    )


def error(code: str, message: str) -> str:
    return dumps({"type": "error", "code": code, "message": message})


def log_entry(entry: ModerationEntry) -> dict[str, Any]:
    """One moderation-log entry as the console and the exports show it."""
    return {
        "id": entry.id,
        "at": iso(entry.created_at),
        "actor": entry.actor,
        "action": entry.action,
        "question_id": entry.question_id,
        "score": entry.score,
        "detail": entry.detail,
    }
