"""Named actions: one implementation that the WebSocket and the HTTP API both call.

Like OpenSlides' actions: each has a name, a payload schema and a handler. `perform` runs
the handler in one transaction, stores the reply under the client's id (so a retry
replays it instead of applying twice) and only then reports success and notifies screens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from townhall.domain.intake import IntakeRefusal
from townhall.live.hub import Hub
from townhall.live.metrics import Metrics
from townhall.store import queries
from townhall.store.committer import GroupCommitter
from townhall.store.db import SessionFactory
from townhall.store.tables import ActionReceipt, Event, ModerationEntry

log = logging.getLogger(__name__)

CLIENT_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
# Actions after which an event's endorsements per group are read again (they change them, or
# change which group a wording belongs to).
ENDORSEMENT_CHANGES = frozenset(
    {"endorse", "withdraw_endorsement", "merge_questions", "unmerge_question"}
)


# The largest id both databases hold: an INTEGER is 32 bits on PostgreSQL (64 on SQLite).
# A larger one would fail inside the database, and in a batch it would fail the others' work.
MAX_ID = 2**31 - 1


def whole_number(value: object) -> object:
    """JSON Schema counts 3.0 as an integer (3.5, "3" and true stay refused): for use as
    `Annotated[int, Field(ge=..., le=...), BeforeValidator(whole_number)]`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(whole_number)]


def _text_or_datetime(value: object) -> object:
    if not isinstance(value, str | datetime):
        raise ValueError("Input should be an ISO 8601 date and time, as a string")
    return value


# A moment is written as ISO 8601 text (a number is not read as a Unix time).
Moment = Annotated[datetime, Strict(False), BeforeValidator(_text_or_datetime)]
# The same, with its offset required ("2026-12-02T17:59:00Z", not a local time).
AwareMoment = Annotated[AwareDatetime, Strict(False), BeforeValidator(_text_or_datetime)]


class Payload(BaseModel):
    """Strict: a number is a JSON number and a boolean a JSON boolean, never a string (nor
    `true` a 1); a list is a list. Every payload of the API derives from this."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold a NUL (lone surrogates pydantic refuses already).
        texts = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("Text must not contain NUL characters")
        return value


class ActionRefused(Exception):
    """The action was not applied; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str, *, status: int = 400, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details


def refused_intake(refusal: IntakeRefusal) -> ActionRefused:
    """An event not taking questions or votes now; the moment that matters travels as
    `opens_at` (not open yet) or `closed_at` (closed by its window), for the page to show."""
    details: dict[str, Any] = {}
    if refusal.at is not None:
        name = "opens_at" if refusal.code == "questions_not_open_yet" else "closed_at"
        details[name] = refusal.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return ActionRefused(refusal.code, refusal.message, **details)


@dataclass(frozen=True)
class Actor:
    """Who acts: a participant (by cookie) or a moderator of one event (by key)."""

    participant_id: str
    moderator_of: int | None = None
    # Keyed hash of the client's network (web/client.py); None where there is no connection.
    network: str | None = None

    @property
    def is_moderator(self) -> bool:
        return self.moderator_of is not None

    def receipt_key(self, event_id: int) -> str:
        if self.moderator_of is not None:
            return f"m:{event_id}:{self.participant_id}"
        return f"p:{self.participant_id}"

    @property
    def log_name(self) -> str:
        return f"moderator:{self.participant_id[:8]}"


class VoteQueue(Protocol):
    def queue_vote(
        self, actor: Actor, event_slug: str, client_id: str, question_id: int, kind: str = "vote"
    ) -> asyncio.Future[Reply]: ...


class FlagCache(Protocol):
    def forget(self, event_id: int) -> None: ...


class AskQueue(Protocol):
    async def ask(
        self,
        actor: Actor,
        event_slug: str,
        client_id: str,
        text: str,
        as_organisation: bool = False,
    ) -> Reply: ...


class QuestionQueue(Protocol):
    def submit(self, question_id: int) -> bool: ...

    def forget_answers(self) -> None: ...

    def score_stored(
        self, text_a: str, blob_a: bytes | None, text_b: str, blob_b: bytes | None
    ) -> float | None: ...


@dataclass
class Services:
    """What actions need from the running app, built in the lifespan and handed down."""

    read_sessions: SessionFactory
    write_sessions: SessionFactory
    hub: Hub
    committer: GroupCommitter
    dedup: QuestionQueue | None = None
    votes: VoteQueue | None = None
    asking: AskQueue | None = None
    origin: str = "http://127.0.0.1:8000"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # The ticker's cache of burst flags (actions/views.py), refreshed after a set-aside.
    support_flags: FlagCache | None = None
    metrics: Metrics | None = None  # the server's own counters (live/metrics.py)
    # The ticker's cache of endorsements per group (actions/views.py), forgotten after an
    # action that changes them.
    endorsements: FlagCache | None = None


@dataclass
class Context:
    session: AsyncSession
    actor: Actor
    event: Event
    now: datetime
    dedup: QuestionQueue | None = None
    to_dedup: list[int] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    # An answered group changed (answered, put back, merged, unmerged): the dedup worker's
    # series memories are rebuilt once this commits.
    answers_changed: bool = False


def log_moderation(context: Context, question_id: int | None, name: str, **detail: Any) -> None:
    """One entry of the event's moderation log, in the action's transaction."""
    context.session.add(
        ModerationEntry(
            event_id=context.event.id,
            question_id=question_id,
            actor=context.actor.log_name,
            action=name,
            detail=detail,
            created_at=context.now,
        )
    )


P = TypeVar("P", bound=Payload)
Handler = Callable[[Context, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    payload: type[Payload]
    handler: Handler
    moderator_only: bool
    summary: str


ACTIONS: dict[str, ActionSpec] = {}


def action(
    name: str, payload: type[P], *, summary: str, moderator_only: bool = False
) -> Callable[[Callable[[Context, P], Awaitable[dict[str, Any]]]], Handler]:
    def register(handler: Callable[[Context, P], Awaitable[dict[str, Any]]]) -> Handler:
        ACTIONS[name] = ActionSpec(name, payload, handler, moderator_only, summary)
        return handler

    return register


@dataclass(frozen=True)
class Reply:
    action: str
    client_id: str
    result: dict[str, Any]
    replayed: bool = False


def parse_payload_model(model: type[P], raw: dict[str, Any]) -> P:
    """Validate a payload; a refusal names the first field at fault."""
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise ActionRefused("bad_payload", f"{where}: {first['msg']}", field=where) from None


def parse_payload(spec: ActionSpec, raw: dict[str, Any]) -> Payload:
    return parse_payload_model(spec.payload, raw)


def queue_vote(
    services: Services,
    actor: Actor,
    event_slug: str,
    name: str,
    client_id: str,
    raw_payload: dict[str, Any],
) -> asyncio.Future[Reply] | None:
    """A vote or unvote handed to the vote batcher without waiting: its answer is the
    future's. None where the server has no batcher (then `perform` applies it). A bad payload
    or a busy batcher raises `ActionRefused` here."""
    if name not in ("vote", "unvote") or services.votes is None:
        return None
    return services.votes.queue_vote(
        actor, event_slug, client_id, question_ref(name, raw_payload), name
    )


def question_ref(name: str, raw_payload: dict[str, Any]) -> int:
    """The question a vote or unvote names. What nearly every vote sends, one whole number in
    range, is taken as it is: the QuestionRef model would accept it unchanged, at several
    times the cost per vote. Anything else goes through the model, for its refusal."""
    value = raw_payload.get("question_id")
    if len(raw_payload) == 1 and type(value) is int and 1 <= value <= MAX_ID:
        return value
    payload = parse_payload(ACTIONS[name], raw_payload)
    question_id: int = payload.question_id  # type: ignore[attr-defined]  # QuestionRef
    return question_id


async def perform(
    services: Services,
    actor: Actor,
    event_slug: str,
    name: str,
    client_id: str,
    raw_payload: dict[str, Any],
) -> Reply:
    spec = ACTIONS.get(name)
    if spec is None:
        raise ActionRefused("unknown_action", f"There is no action called {name!r}.")
    # The hot path: applied in bulk with the other votes of the moment (actions/votes.py).
    queued = queue_vote(services, actor, event_slug, name, client_id, raw_payload)
    if queued is not None:
        return await queued
    payload = parse_payload(spec, raw_payload)
    if name == "submit_question" and services.asking is not None:
        text: str = payload.text  # type: ignore[attr-defined]  # SubmitQuestion
        on_behalf: bool = payload.as_organisation  # type: ignore[attr-defined]  # SubmitQuestion
        return await services.asking.ask(actor, event_slug, client_id, text, on_behalf)
    now = services.clock()

    async def apply(session: AsyncSession) -> Reply | Context:
        event = await queries.event_by_slug(session, event_slug)
        if event is None:
            raise ActionRefused("unknown_event", "There is no such event.", status=404)
        key = actor.receipt_key(event.id)
        stored = await queries.receipt(session, key, client_id)
        if stored is not None:
            return Reply(name, client_id, dict(stored.response), replayed=True)
        if spec.moderator_only and actor.moderator_of != event.id:
            raise ActionRefused(
                "forbidden", "Only this event's moderators may do that.", status=403
            )
        await queries.ensure_participant(session, actor.participant_id, now, actor.network)
        context = Context(session, actor, event, now, services.dedup)
        context.result = await spec.handler(context, payload)
        session.add(
            ActionReceipt(
                actor=key, client_id=client_id, action=name, response=context.result, created_at=now
            )
        )
        await session.flush()
        return context

    try:
        outcome = await services.committer.run(apply, kind=name)
    except IntegrityError:
        # The same client id arrived twice at once; the other attempt committed first.
        replay = await _replay(services, actor, event_slug, client_id)
        if replay is None:
            raise
        return Reply(name, client_id, replay, replayed=True)
    if isinstance(outcome, Reply):
        return outcome
    context, event, result = outcome, outcome.event, outcome.result
    for question_id in context.to_dedup:
        if services.dedup is not None and not services.dedup.submit(question_id):
            log.info("dedup queue full; question %s waits for the sweep", question_id)
    if context.answers_changed and services.dedup is not None:
        services.dedup.forget_answers()
    if name in ("set_aside_support", "restore_support") and services.support_flags is not None:
        services.support_flags.forget(event.id)
    if name in ENDORSEMENT_CHANGES and services.endorsements is not None:
        services.endorsements.forget(event.id)
    await services.hub.notify(event.id)
    return Reply(name, client_id, result)


async def _replay(
    services: Services, actor: Actor, event_slug: str, client_id: str
) -> dict[str, Any] | None:
    async with services.read_sessions() as session:
        event = await queries.event_by_slug(session, event_slug)
        if event is None:
            return None
        stored = await queries.receipt(session, actor.receipt_key(event.id), client_id)
        return dict(stored.response) if stored is not None else None
