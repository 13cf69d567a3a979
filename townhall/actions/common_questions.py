"""Organisers' common questions: one question put to every candidate of a series, carried
into each of its events at the top of the queue (docs/protocol.md, "Common questions")."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from townhall.actions.base import ActionRefused, Payload, Services
from townhall.actions.series_roles import OrganiserActor, find_series, require_series
from townhall.domain.series import PAGE_LANGUAGES, clean_common
from townhall.domain.text import MAX_QUESTION_CHARS, InvalidText
from townhall.store import series as store
from townhall.store.tables import CommonQuestion

_MAX = MAX_QUESTION_CHARS * 4


class CommonPayload(Payload):
    text: str = Field(
        default="", max_length=_MAX, description="The question as written (else the first wording)."
    )
    texts: dict[str, str] = Field(
        default_factory=dict,
        max_length=len(PAGE_LANGUAGES),
        description="The question in each language it is given in (ar, en, es, fr, ru, zh).",
    )


def common_json(common: CommonQuestion) -> dict[str, Any]:
    return {"id": common.id, "text": common.text, "texts": dict(common.texts or {})}


async def add_common_question(
    services: Services, who: OrganiserActor, series_slug: str, payload: CommonPayload
) -> dict[str, Any]:
    if any(len(value) > _MAX for value in payload.texts.values()):
        raise ActionRefused(
            "invalid_text", f"Each wording holds at most {MAX_QUESTION_CHARS} characters."
        )
    try:
        text, texts = clean_common(payload.text, payload.texts)
    except InvalidText as error:
        raise ActionRefused("invalid_text", str(error)) from None
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        series = await find_series(session, series_slug)
        await require_series(session, who, series)
        common, copies, events = await store.add_common(
            session, series, text, texts, created_by=f"organiser:{who.organiser_id}", now=now
        )
        body = common_json(common)
    await carried(services, copies, events)
    return body


async def carried(services: Services, copies: list[int], event_ids: list[int]) -> None:
    """After the commit: the copies go through dedup (so repeats merge into them) and the
    events' screens show them."""
    for question_id in copies:
        if services.dedup is not None:
            services.dedup.submit(question_id)  # if full, the sweep takes it
    for event_id in event_ids:
        await services.hub.notify(event_id)


async def list_common_questions(
    services: Services, who: OrganiserActor, series_slug: str
) -> list[dict[str, Any]]:
    async with services.read_sessions() as session:
        series = await find_series(session, series_slug)
        await require_series(session, who, series)
        return [common_json(common) for common in await store.commons_of(session, series.id)]
