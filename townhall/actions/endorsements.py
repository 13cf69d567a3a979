"""Organisations endorse questions through their delegates: counted apart from votes.

One endorsement per organisation per question group: it stays on the wording endorsed (like a
vote), so merges and unmerges carry it with that wording, and screens count it once per group
by organisation (domain/organisations.py). Nothing here touches `supporters`: an endorsement
never adds to a question's votes, and the queue stays ordered by votes alone.
"""

from __future__ import annotations

from typing import Any

from townhall.actions.base import ActionRefused, Context, action
from townhall.actions.questions import QuestionRef, load_question
from townhall.domain.organisations import endorsements_by_group
from townhall.domain.questions import Status
from townhall.store import organisations as store
from townhall.store.tables import Organisation

ENDORSABLE = frozenset({Status.OPEN, Status.ANSWERING, Status.ANSWERED})


async def delegate_organisation(context: Context) -> Organisation:
    """The organisation the actor speaks for in this event (by its delegate link)."""
    organisation = await store.of_delegate(
        context.session, context.event.id, context.actor.participant_id
    )
    if organisation is None:
        raise ActionRefused(
            "not_a_delegate",
            "Only a delegate of an invited organisation may do that; open your delegate link.",
            status=403,
        )
    return organisation


async def _result(context: Context, root: int, organisation: Organisation) -> dict[str, Any]:
    rows = await store.endorsement_rows(context.session, context.event.id, root)
    summary = endorsements_by_group(rows).get(root)
    return {
        "question_id": root,
        "organisation": organisation.name,
        "endorsed": await store.group_endorsed_by(context.session, root, organisation.id),
        "organisations": summary.count if summary is not None else 0,
        "regions": len(summary.regions) if summary is not None else 0,
    }


@action(
    "endorse",
    QuestionRef,
    summary="Endorse a question on behalf of your organisation (delegates only; once per "
    "organisation per group; never counted as a vote).",
)
async def endorse(context: Context, payload: QuestionRef) -> dict[str, Any]:
    organisation = await delegate_organisation(context)
    if context.event.status in ("cancelled", "ended"):
        raise ActionRefused("event_closed", f"This event is {context.event.status}.")
    question = await load_question(context, payload.question_id)
    if question.canonical_id is not None:
        raise ActionRefused(
            "merged",
            f"This question was merged into question {question.root_id}; endorse that one.",
        )
    if Status(question.status) not in ENDORSABLE:
        raise ActionRefused(
            "not_endorsable", f"A question that is {question.status} takes no endorsements."
        )
    root = question.root_id or question.id
    if not await store.group_endorsed_by(context.session, root, organisation.id):
        await store.endorse(
            context.session, question, organisation.id, context.actor.participant_id, context.now
        )
    return await _result(context, root, organisation)


@action(
    "withdraw_endorsement",
    QuestionRef,
    summary="Withdraw your organisation's endorsement of a question's group (delegates only).",
)
async def withdraw_endorsement(context: Context, payload: QuestionRef) -> dict[str, Any]:
    organisation = await delegate_organisation(context)
    question = await load_question(context, payload.question_id)
    root = question.root_id or question.id
    await store.withdraw(context.session, root, organisation.id)
    return await _result(context, root, organisation)
