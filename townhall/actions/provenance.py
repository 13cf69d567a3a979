"""Where support comes from: the moderator's breakdown, and setting a burst aside.

Set-aside votes are kept, not counted and restorable in one step; both moves go in the
moderation log. A participant whose vote was set aside still sees it as theirs (telling a
script which of its votes were caught would teach it what to change; docs/integrity.md).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, model_validator

from townhall.actions.base import (
    ActionRefused,
    AwareMoment,
    Context,
    Id,
    Payload,
    action,
    log_moderation,
)
from townhall.actions.questions import load_question
from townhall.domain.provenance import RULES, SupportSummary, summarise
from townhall.store import provenance
from townhall.store.db import SessionFactory
from townhall.store.tables import Question, SupportSetAside

NETWORK_PATTERN = r"^[0-9a-f]{16,64}$"


class SetAsidePayload(Payload):
    question_id: Id = Field(description="Any wording of the group.")
    network: str | None = Field(
        default=None, pattern=NETWORK_PATTERN, description="A network hash from the breakdown."
    )
    since: AwareMoment | None = Field(default=None, description="Votes cast at or after.")
    until: AwareMoment | None = Field(default=None, description="Votes cast at or before.")
    new_only: bool = Field(
        default=False, strict=True, description="Only votes of identities minutes old."
    )

    @model_validator(mode="after")
    def _narrowed(self) -> SetAsidePayload:
        if self.network is None and self.since is None and self.until is None:
            raise ValueError("name a network, a time window or both")
        if self.since is not None and self.until is not None and self.until < self.since:
            raise ValueError("until is before since")
        return self


class RestorePayload(Payload):
    set_aside_id: Id


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def set_aside_view(decision: SupportSetAside) -> dict[str, Any]:
    return {
        "id": decision.id,
        "question_id": decision.question_id,
        "network": decision.network_hash,
        "since": _iso(decision.since),
        "until": _iso(decision.until),
        "new_only": decision.new_only,
        "votes": decision.votes,
        "by": decision.actor,
        "at": _iso(decision.created_at),
        "restored_at": _iso(decision.restored_at),
        "restored_by": decision.restored_by,
    }


@action(
    "set_aside_support",
    SetAsidePayload,
    summary="Stop counting a burst of a question's votes (kept, restorable, logged).",
    moderator_only=True,
)
async def set_aside_support(context: Context, payload: SetAsidePayload) -> dict[str, Any]:
    question = await load_question(context, payload.question_id)
    selection = provenance.Selection(
        payload.network, payload.since, payload.until, payload.new_only
    )
    # The store locks the group's root and acts on the group as it stands then.
    decision, supporters = await provenance.set_aside(
        context.session,
        context.event.id,
        question.id,
        selection,
        actor=context.actor.log_name,
        now=context.now,
    )
    root_id = decision.question_id
    view = set_aside_view(decision)
    log_moderation(
        context,
        root_id,
        "set_aside_support",
        **{k: v for k, v in view.items() if k not in ("by", "question_id")},
    )
    return {"question_id": root_id, "set_aside": view, "votes": supporters}


@action(
    "restore_support",
    RestorePayload,
    summary="Count a set-aside burst of votes again.",
    moderator_only=True,
)
async def restore_support(context: Context, payload: RestorePayload) -> dict[str, Any]:
    decision = await context.session.get(
        SupportSetAside, payload.set_aside_id, with_for_update=True
    )
    if decision is None or decision.event_id != context.event.id:
        raise ActionRefused("unknown_set_aside", "There is no such set-aside here.", status=404)
    if decision.restored_at is not None:
        raise ActionRefused("already_restored", "Those votes are already counted again.")
    restored, roots = await provenance.restore(
        context.session, decision, actor=context.actor.log_name, now=context.now
    )
    counts = {}
    for root_id in roots:
        root = await context.session.get(Question, root_id)
        if root is not None:
            await context.session.refresh(root, ["supporters"])
            counts[str(root_id)] = root.supporters
    log_moderation(
        context, decision.question_id, "restore_support", set_aside_id=decision.id, votes=restored
    )
    return {"set_aside_id": decision.id, "restored": restored, "votes": counts}


def summary_view(summary: SupportSummary) -> dict[str, Any]:
    data = asdict(summary)
    data["top_networks"] = [asdict(share) for share in summary.top_networks]
    data["rules"] = {
        "window_minutes": RULES.window.total_seconds() / 60,
        "new_identity_minutes": RULES.new_identity.total_seconds() / 60,
    }
    return data


async def support_breakdown(
    sessions: SessionFactory, event_id: int, question_id: int, now: datetime
) -> dict[str, Any] | None:
    """What the moderator sees for one question's group; None if it is not in the event."""
    async with sessions() as session:
        question = await session.get(Question, question_id)
        if question is None or question.event_id != event_id:
            return None
        root_id = question.root_id or question.id
        votes = await provenance.support_votes(session, root_id)
        decisions = await provenance.set_asides(session, root_id)
    return {
        "question_id": root_id,
        **summary_view(summarise(votes, now)),
        # Where "set this burst aside" starts: the window the flag looked at.
        "window_since": _iso(now - RULES.window),
        "set_asides": [set_aside_view(decision) for decision in decisions],
    }
