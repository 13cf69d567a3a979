"""Moderators' actions: approve, hide, restore, now answering, answered, merge, unmerge."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import select

from townhall.actions.base import ActionRefused, Context, Id, Payload, action, log_moderation
from townhall.actions.questions import QuestionRef, load_question
from townhall.domain.questions import Move, RefusedMove, Status, apply_move
from townhall.store import merging
from townhall.store.tables import Question


class MergePayload(Payload):
    question_id: Id = Field(description="The question to fold in.")
    into_id: Id = Field(description="The question it repeats.")


class QuestionsOpenPayload(Payload):
    open: bool


async def _move(context: Context, question_id: int, move: Move) -> dict[str, Any]:
    question = await load_question(context, question_id)
    if question.canonical_id is not None:
        raise ActionRefused(
            "merged", f"Question {question.id} is merged into {question.root_id}; unmerge it first."
        )
    before = Status(question.status)
    try:
        after = apply_move(before, move)
    except RefusedMove as error:
        raise ActionRefused("bad_move", str(error)) from None
    if after is Status.ANSWERING:
        # One question on stage at a time: the one before it has been answered.
        others = await context.session.scalars(
            select(Question).where(
                Question.event_id == context.event.id,
                Question.status == Status.ANSWERING.value,
                Question.id != question.id,
            )
        )
        for other in others:
            other.status, other.status_changed_at = Status.ANSWERED.value, context.now
            log_moderation(context, other.id, "answered", before="answering", after="answered")
    question.status, question.status_changed_at = after.value, context.now
    log_moderation(context, question.id, move.value, before=before.value, after=after.value)
    # What later events of the series may repeat changed (on stage: the one before is answered).
    if Status.ANSWERED in (before, after) or after is Status.ANSWERING:
        context.answers_changed = True
    return {"question_id": question.id, "status": after.value}


def _register_move(name: str, move: Move, summary: str) -> None:
    async def handler(context: Context, payload: QuestionRef) -> dict[str, Any]:
        return await _move(context, payload.question_id, move)

    action(name, QuestionRef, summary=summary, moderator_only=True)(handler)


_register_move("approve_question", Move.APPROVE, "Let a pending question into the public queue.")
_register_move("hide_question", Move.HIDE, "Hide a question from the public (kept in the log).")
_register_move(
    "restore_question", Move.RESTORE, "Put a hidden or answered question back in the queue."
)
_register_move("mark_answering", Move.ANSWERING, "Put a question on stage as the one now answered.")
_register_move("mark_answered", Move.ANSWERED, "Mark a question answered.")


def _merge_score(context: Context, source: Question, target: Question) -> float | None:
    """The dedup score of the pair, for the log (the suggestion's, or computed afresh)."""
    if source.suggested_id == (target.root_id or target.id) and source.similarity is not None:
        return source.similarity
    if context.dedup is None:
        return None
    return context.dedup.score_stored(source.text, source.embedding, target.text, target.embedding)


@action(
    "merge_questions",
    MergePayload,
    summary="Merge a repeated question into the one it repeats.",
    moderator_only=True,
)
async def merge_questions(context: Context, payload: MergePayload) -> dict[str, Any]:
    if payload.question_id == payload.into_id:
        raise ActionRefused("bad_merge", "A question cannot be merged into itself.")
    source = await load_question(context, payload.question_id)
    target = await load_question(context, payload.into_id)
    if source.common_id is not None:
        raise ActionRefused(
            "common_question",
            "The series' common question stays in the queue; merge the other question into it.",
        )
    score = _merge_score(context, source, target)
    try:
        root = await merging.merge(
            context.session,
            source,
            target,
            score=score,
            actor=context.actor.log_name,
            action="merge",
            now=context.now,
        )
    except merging.MergeRefused as error:
        raise ActionRefused("bad_merge", str(error)) from None
    context.answers_changed = True
    return {"question_id": source.id, "into_id": target.id, "root_id": root}


@action(
    "unmerge_question",
    QuestionRef,
    summary="Undo a merge: the wording stands alone again.",
    moderator_only=True,
)
async def unmerge_question(context: Context, payload: QuestionRef) -> dict[str, Any]:
    question = await load_question(context, payload.question_id)
    try:
        await merging.unmerge(
            context.session, question, actor=context.actor.log_name, now=context.now
        )
    except merging.MergeRefused as error:
        raise ActionRefused("bad_merge", str(error)) from None
    context.answers_changed = True
    return {"question_id": question.id, "root_id": question.id}


@action(
    "keep_apart",
    QuestionRef,
    summary="Dismiss a possible-duplicate suggestion.",
    moderator_only=True,
)
async def keep_apart(context: Context, payload: QuestionRef) -> dict[str, Any]:
    question = await load_question(context, payload.question_id)
    if question.suggested_id is None:
        raise ActionRefused("no_suggestion", "This question has no possible duplicate to dismiss.")
    log_moderation(
        context, question.id, "keep_apart", other=question.suggested_id, score=question.similarity
    )
    question.suggested_id = None
    return {"question_id": question.id}


@action(
    "set_questions_open",
    QuestionsOpenPayload,
    summary="Open or close the event for new questions.",
    moderator_only=True,
)
async def set_questions_open(context: Context, payload: QuestionsOpenPayload) -> dict[str, Any]:
    context.event.questions_open = payload.open
    log_moderation(context, None, "open_questions" if payload.open else "close_questions")
    return {"questions_open": payload.open}
