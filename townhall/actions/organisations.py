"""Organisers' side of organisations: the profiles of a series, and inviting them to events.

A profile belongs to a series (an organisation takes part in many of its events); an
invitation (actions/invitations.py) gives it a delegate link for one event.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from townhall.actions import invitations
from townhall.actions.base import ActionRefused, Id, Payload, Services
from townhall.actions.series_roles import OrganiserActor, find_series, require_event, require_series
from townhall.domain import organisations as rules
from townhall.domain.access import MAX_INVITATIONS_PER_IMPORT
from townhall.domain.access import Organisation as Invitee
from townhall.store import organisations as store
from townhall.store import queries
from townhall.store.tables import Organisation, Series


class ProfilePayload(Payload):
    name: str = Field(min_length=1, max_length=rules.MAX_NAME_CHARS * 2)
    country: str | None = Field(
        default=None, max_length=10, description="ISO 3166-1 alpha-2 code, e.g. KE."
    )
    stakeholder_group: Literal[rules.STAKEHOLDER_GROUPS] | None = None  # type: ignore[valid-type]
    website: str | None = Field(
        default=None, max_length=rules.MAX_WEBSITE_CHARS, description="http or https only."
    )


class InviteExisting(Payload):
    organisation_ids: list[Id] = Field(min_length=1, max_length=MAX_INVITATIONS_PER_IMPORT)


def profile_json(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "country": organisation.country,
        "stakeholder_group": organisation.stakeholder_group,
        "website": organisation.website,
    }


def _checked(payload: ProfilePayload) -> rules.Profile:
    try:
        return rules.check_profile(
            payload.name, payload.country, payload.stakeholder_group, payload.website
        )
    except rules.InvalidProfile as error:
        raise ActionRefused("invalid", str(error), field=error.field) from None


async def listing(services: Services, who: OrganiserActor, slug: str) -> list[dict[str, Any]]:
    async with services.read_sessions() as session:
        series = await find_series(session, slug)
        await require_series(session, who, series)
        return [profile_json(o) for o in await store.of_series(session, series.id)]


async def _no_namesake(session: Any, series: Series, name: str, but: int | None = None) -> None:
    same = (await store.by_names(session, series.id, [name])).get(name.casefold())
    if same is not None and same.id != but:
        raise ActionRefused(
            "organisation_exists",
            f"{same.name!r} is already an organisation of this series.",
            status=409,
        )


async def create(
    services: Services, who: OrganiserActor, slug: str, payload: ProfilePayload
) -> dict[str, Any]:
    profile = _checked(payload)
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        series = await find_series(session, slug)
        await require_series(session, who, series)
        await _no_namesake(session, series, profile.name)
        organisation = Organisation(
            series_id=series.id,
            name=profile.name,
            country=profile.country,
            stakeholder_group=profile.stakeholder_group,
            website=profile.website,
            created_at=now,
            updated_at=now,
        )
        session.add(organisation)
        await session.flush()
        return profile_json(organisation)


async def _organisation(session: Any, series: Series, organisation_id: int) -> Organisation:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None or organisation.series_id != series.id:
        raise ActionRefused("unknown_organisation", "There is no such organisation.", status=404)
    assert isinstance(organisation, Organisation)
    return organisation


async def edit(
    services: Services,
    who: OrganiserActor,
    slug: str,
    organisation_id: int,
    payload: ProfilePayload,
) -> dict[str, Any]:
    """Replace the profile (fields left out are cleared); a rename reaches its invitations."""
    profile = _checked(payload)
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        series = await find_series(session, slug)
        await require_series(session, who, series)
        organisation = await _organisation(session, series, organisation_id)
        await _no_namesake(session, series, profile.name, but=organisation.id)
        if organisation.name != profile.name:
            await store.rename(session, organisation, profile.name)
        organisation.country = profile.country
        organisation.stakeholder_group = profile.stakeholder_group
        organisation.website = profile.website
        organisation.updated_at = now
        events = await store.events_inviting(session, organisation.id)
        result = profile_json(organisation)
    for event_id in events:  # names and regions show on the event's screens
        if services.endorsements is not None:
            services.endorsements.forget(event_id)
        await services.hub.notify(event_id)
    return result


async def invite_existing(
    services: Services, who: OrganiserActor, slug: str, payload: InviteExisting
) -> list[invitations.InvitationView]:
    """Invite organisations of the event's series to the event, each with its own link."""
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        event = await queries.event_by_slug(session, slug)
        if event is None:
            raise ActionRefused("unknown_event", "There is no such event.", status=404)
        await require_event(session, who, event)
        found = await invitations.profiles_of(session, list(payload.organisation_ids))
        if event.series_id is None or any(
            found.get(i) is None or found[i].series_id != event.series_id
            for i in payload.organisation_ids
        ):
            raise ActionRefused(
                "unknown_organisation", "There is no such organisation.", status=404
            )
        chosen = list(dict.fromkeys(payload.organisation_ids))
        return await invitations.invite(
            session, event, [Invitee(found[i].name) for i in chosen], now
        )
