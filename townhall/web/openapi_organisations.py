"""/openapi.json's organisations part: the profiles of a series and inviting them to an
event (routes in web/organisations.py)."""

from __future__ import annotations

from typing import Any

from townhall.actions import organisations
from townhall.domain.organisations import STAKEHOLDER_GROUPS
from townhall.web.openapi_parts import id_parameter, json_object, organiser, organiser_read, slug

_NULLABLE_TEXT = {"type": ["string", "null"]}

ORGANISATION_SCHEMAS: dict[str, Any] = {
    "Organisation": json_object(
        id={"type": "integer"},
        name={"type": "string"},
        country=_NULLABLE_TEXT,
        stakeholder_group={"enum": [*STAKEHOLDER_GROUPS, None]},
        website=_NULLABLE_TEXT,
    ),
    "OrganisationList": json_object(
        organisations={"type": "array", "items": {"$ref": "#/components/schemas/Organisation"}}
    ),
}


def organisation_paths() -> dict[str, Any]:
    series = "/api/organiser/series/{slug}/organisations"
    return {
        series: {
            "get": organiser_read(
                "The organisations of the series, with their profiles.",
                parameters=(slug("series"),),
                refusals=("403", "404"),
                answer="OrganisationList",
            ),
            "post": organiser(
                "Add an organisation to the series: name, country (ISO 3166-1 alpha-2), "
                "stakeholder group, website (http or https).",
                "201",
                model=organisations.ProfilePayload,
                parameters=(slug("series"),),
                refusals=("404", "409"),
                answer="Organisation",
            ),
        },
        series + "/{organisation_id}": {
            "patch": organiser(
                "Replace an organisation's profile (a new name reaches its invitations).",
                model=organisations.ProfilePayload,
                parameters=(slug("series"), id_parameter("organisation_id", "organisation")),
                refusals=("404", "409"),
                answer="Organisation",
            )
        },
        "/api/organiser/events/{slug}/invited-organisations": {
            "post": organiser(
                "Invite organisations of the event's series by id, all or none; answers each "
                "one's delegate link once.",
                "201",
                model=organisations.InviteExisting,
                parameters=(slug("event"),),
                refusals=("404",),
                answer="InvitationsMade",
            )
        },
    }
