"""Participants' actions: ask, upvote, take an upvote back."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from townhall.actions.asking import QuestionRequest, apply_questions
from townhall.actions.base import ActionRefused, Context, Id, Payload, action
from townhall.actions.votes import VoteRequest, apply_votes
from townhall.domain.organisations import STAKEHOLDER_GROUPS
from townhall.domain.regions import normalise_country
from townhall.domain.text import MAX_QUESTION_CHARS, tame_marks
from townhall.store.tables import Participant, Question


class SubmitQuestion(Payload):
    text: str = Field(max_length=MAX_QUESTION_CHARS * 4, description="The question, as written.")
    as_organisation: bool = Field(
        default=False,
        description="Ask on behalf of the organisation whose delegate link this identity "
        "opened (shown with its name); refused with `not_a_delegate` otherwise.",
    )


class QuestionRef(Payload):
    question_id: Id


async def load_question(context: Context, question_id: int, *, lock: bool = False) -> Question:
    """The question, row-locked on PostgreSQL when its counter is about to change."""
    question = await context.session.get(Question, question_id, with_for_update=lock)
    if question is None or question.event_id != context.event.id:
        raise ActionRefused(
            "unknown_question", "There is no such question in this event.", status=404
        )
    return question


@action("submit_question", SubmitQuestion, summary="Ask a question; the asker backs it at once.")
async def submit_question(context: Context, payload: SubmitQuestion) -> dict[str, Any]:
    # One question on its own follows the same rules as the bulk path the app normally takes.
    request = QuestionRequest(
        context.actor, context.event.slug, "", payload.text, payload.as_organisation
    )
    await apply_questions(context.session, [request], context.now, set(), store_receipts=False)
    if isinstance(request.outcome, ActionRefused):
        raise request.outcome
    assert request.outcome is not None and request.question_id is not None
    context.to_dedup.append(request.question_id)
    return request.outcome.result


@action(
    "vote", QuestionRef, summary="Upvote a question (once per person, merged wordings included)."
)
async def vote(context: Context, payload: QuestionRef) -> dict[str, Any]:
    return await _one_vote(context, payload.question_id, "vote")


async def _one_vote(context: Context, question_id: int, kind: str) -> dict[str, Any]:
    # One vote on its own follows the same rules as the bulk path the app normally takes.
    request = VoteRequest(context.actor, context.event.slug, "", question_id, kind)
    await apply_votes(context.session, [request], context.now, set(), store_receipts=False)
    if isinstance(request.outcome, ActionRefused):
        raise request.outcome
    assert request.outcome is not None
    return request.outcome.result


@action("unvote", QuestionRef, summary="Take back an upvote (from every wording in the group).")
async def unvote(context: Context, payload: QuestionRef) -> dict[str, Any]:
    return await _one_vote(context, payload.question_id, "unvote")


class ProfilePayload(Payload):
    display_name: str | None = Field(default=None, max_length=80)
    country: str | None = Field(
        default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code."
    )
    stakeholder_group: Literal[STAKEHOLDER_GROUPS] | None = None  # type: ignore[valid-type]


@action(
    "set_profile",
    ProfilePayload,
    summary="Optionally give a display name, country and stakeholder group; a field left out "
    "keeps its value, null clears it.",
)
async def set_profile(context: Context, payload: ProfilePayload) -> dict[str, Any]:
    given = payload.model_fields_set
    country = None
    if "country" in given and payload.country is not None:
        country = normalise_country(payload.country)
        if country is None:
            raise ActionRefused(
                "unknown_country", "That is not an ISO 3166-1 country code.", field="country"
            )
    participant = await context.session.get(Participant, context.actor.participant_id)
    assert participant is not None  # perform() ensured it
    if "display_name" in given:
        participant.display_name = " ".join(tame_marks(payload.display_name or "").split()) or None
    if "country" in given:
        participant.country = country
    if "stakeholder_group" in given:
        participant.stakeholder_group = payload.stakeholder_group
    return {
        "display_name": participant.display_name,
        "country": participant.country,
        "stakeholder_group": participant.stakeholder_group,
    }
