"""Organisers' settings of the public record: the recording of an event (its link and the
moment it started) and the licence notice of a series (its events' records inherit it)."""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import select

from townhall.actions.base import ActionRefused, AwareMoment, Payload, Services
from townhall.actions.series_roles import OrganiserActor, find_series, require_event, require_series
from townhall.domain.recording import BadRecordingUrl, check_recording_url
from townhall.domain.text import tame_marks
from townhall.store.tables import Event, Series


class RecordingPayload(Payload):
    """Both or neither: `null` for both removes the recording."""

    recording_url: str | None = Field(
        default=None, max_length=500, description="http or https link to the recording."
    )
    recording_started_at: AwareMoment | None = Field(
        default=None, description="When the recording starts (with its offset, e.g. `Z`)."
    )


class LicencePayload(Payload):
    """`licence_name` `null` (or empty) removes the notice."""

    licence_name: str | None = Field(
        default=None, max_length=200, description="The notice, e.g. `CC BY 4.0`."
    )
    licence_url: str | None = Field(default=None, max_length=500, description="Its text.")


def _link(url: str, field: str) -> str:
    try:
        return check_recording_url(url)
    except BadRecordingUrl as error:
        raise ActionRefused("bad_url", str(error), field=field) from None


async def set_recording(
    services: Services, who: OrganiserActor, slug: str, payload: RecordingPayload
) -> Event:
    url, started = payload.recording_url, payload.recording_started_at
    if (url is None or not url.strip()) != (started is None):
        raise ActionRefused(
            "invalid",
            "Give both the recording's link and when it started (or neither, to remove it).",
            field="recording_url" if started is not None else "recording_started_at",
        )
    async with services.write_sessions() as session, session.begin():
        event = await session.scalar(select(Event).where(Event.slug == slug))
        if event is None:
            raise ActionRefused("unknown_event", "There is no such event.", status=404)
        await require_event(session, who, event)
        event.recording_url = _link(url, "recording_url") if url and url.strip() else None
        event.recording_started_at = started
        event.updated_at = services.clock()
    return event


async def set_licence(
    services: Services, who: OrganiserActor, slug: str, payload: LicencePayload
) -> Series:
    name = " ".join(tame_marks(payload.licence_name or "").split())
    url = (payload.licence_url or "").strip()
    if url and not name:
        raise ActionRefused("invalid", "Name the licence as well.", field="licence_name")
    async with services.write_sessions() as session, session.begin():
        series = await find_series(session, slug)
        await require_series(session, who, series)
        series.licence_name = name or None
        series.licence_url = _link(url, "licence_url") if url else None
        series.updated_at = services.clock()
    return series
