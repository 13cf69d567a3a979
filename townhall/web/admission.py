"""Admission of new identities and per-network limits, checked before an action runs.

The rules are in domain/admission.py; this module picks the book (Redis when
`TOWNHALL_REDIS_URL` is set, so every worker counts together; memory otherwise), knows which
participants are already stored (they were admitted before a restart), and turns a refusal
into a 429 with `Retry-After` over HTTP or a `refused` frame over the WebSocket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from starlette.responses import JSONResponse

from townhall.actions.base import Actor
from townhall.domain.admission import (
    NETWORK_QUESTIONS,
    NETWORK_VOTES,
    NEW_IDENTITY,
    AdmissionBook,
    AdmissionLimits,
    Attempt,
    Refusal,
)
from townhall.domain.rates import parse_rates
from townhall.settings import Settings
from townhall.store.db import SessionFactory
from townhall.store.tables import Participant
from townhall.web.admission_redis import RedisAdmissionBook
from townhall.web.messages import dumps

log = logging.getLogger(__name__)

MAX_ID = 2**63 - 1
KNOWN_LIMIT = 100_000
WARN_EVERY = 60.0

MESSAGES = {
    NEW_IDENTITY: (
        "Many new participants joined from your network just now. You can follow along; "
        "try again in {seconds} s."
    ),
    NETWORK_VOTES: (
        "This question has had many votes from your network; try again in {seconds} s."
    ),
    NETWORK_QUESTIONS: (
        "Many questions came from your network just now; try again in {seconds} s."
    ),
}


def limits_from(settings: Settings) -> AdmissionLimits:
    return AdmissionLimits(
        new_identities=parse_rates(settings.rate_new_identities),
        questions=parse_rates(settings.rate_network_questions),
        supporters=parse_rates(settings.rate_network_supporters)[0],
        venue_factor=settings.venue_factor,
    )


def message_for(refused: Refusal) -> str:
    return MESSAGES[refused.code].format(seconds=refused.retry_after)


def problem_for(refused: Refusal, action: str, client_id: str) -> JSONResponse:
    error = {
        "code": refused.code,
        "message": message_for(refused),
        "retry_after": refused.retry_after,
        "action": action,
        "client_id": client_id,
    }
    return JSONResponse(
        {"error": error}, status_code=429, headers={"Retry-After": str(refused.retry_after)}
    )


def refused_frame(action: str, client_id: str, refused: Refusal) -> str:
    return dumps(
        {
            "type": "refused",
            "action": action,
            "client_id": client_id,
            "code": refused.code,
            "message": message_for(refused),
            "retry_after": refused.retry_after,
        }
    )


def _question_id(payload: Mapping[str, Any]) -> int | None:
    value = payload.get("question_id")
    if type(value) is int and 1 <= value <= MAX_ID:
        return value
    return None


class Admission:
    def __init__(
        self,
        limits: AdmissionLimits,
        sessions: SessionFactory,
        *,
        redis_url: str | None,
        grant_seconds: float,
    ) -> None:
        self._memory = AdmissionBook(limits)
        self._redis: RedisAdmissionBook | None = None
        if redis_url:
            import redis.asyncio as redis  # the memory book needs no Redis client

            self._redis = RedisAdmissionBook(redis.Redis.from_url(redis_url), limits)
        self._sessions = sessions
        self._grant_seconds = grant_seconds
        self._known: set[str] = set()  # admitted here: no need to ask whether they are new
        self._warned = 0.0

    async def check(
        self, actor: Actor, event: str, action: str, payload: Mapping[str, Any]
    ) -> Refusal | None:
        """None to go ahead (and the attempt is counted), or why not."""
        if actor.is_moderator:
            return None  # moderators act for the audience, under time pressure
        participant = actor.participant_id
        known = participant in self._known
        attempt = Attempt(
            participant,
            actor.network or "unknown",
            event,
            action,
            _question_id(payload) if action == "vote" else None,
            established=known,
        )
        if known and attempt.kind == "other":
            return None
        refused = await self._check(attempt)
        if refused is not None and refused.code == NEW_IDENTITY and await self._stored(participant):
            # Admitted before the book forgot it (a restart, an expired mark): not new.
            refused = await self._check(replace(attempt, established=True))
        if refused is None:  # admitted now (a refusal of any kind admits nobody)
            self._remember(participant)
        return refused

    async def grant_venue(self, network: str | None, event: str) -> None:
        """Give this network its own, larger allowance for this event for a while."""
        network = network or "unknown"
        self._memory.grant_venue(network, event, time.monotonic(), self._grant_seconds)
        if self._redis is not None:
            try:
                await self._redis.grant_venue(network, event, self._grant_seconds)
            except Exception:
                self._warn("could not record a venue grant in Redis")

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()

    async def _check(self, attempt: Attempt) -> Refusal | None:
        if self._redis is not None:
            try:
                return await self._redis.check(attempt)
            except Exception:
                # Availability first: fall back to this worker's own book until Redis is back.
                self._warn("Redis is unreachable; identity limits count per worker")
        return self._memory.check(attempt, time.monotonic())

    async def _stored(self, participant: str) -> bool:
        async with self._sessions() as session:
            return await session.get(Participant, participant) is not None

    def _remember(self, participant: str) -> None:
        if len(self._known) >= KNOWN_LIMIT:
            self._known.clear()
        self._known.add(participant)

    def _warn(self, message: str) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY:
            self._warned = now
            log.warning(message, exc_info=True)
