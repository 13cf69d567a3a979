"""Participation modes: the gate on asking and voting, and how a participant gets through.

The gate (`blocked_pairs`) runs inside the vote and question batches: one read for the whole
batch, whatever its size. Grants are rows in the database, so every worker agrees at once.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from townhall.actions.base import ActionRefused, Actor, Services
from townhall.actions.mailer import Mailer, MailFailed
from townhall.domain import access as rules
from townhall.domain.mail_texts import pick_language, sign_in_mail
from townhall.domain.tokens import hash_token, new_token
from townhall.store import access as store
from townhall.store import organisations, queries
from townhall.store.tables import EmailToken, Event

log = logging.getLogger(__name__)


def verification_required(mode: str) -> ActionRefused:
    return ActionRefused("verification_required", rules.HOW[mode], status=403, mode=mode)


async def blocked_pairs(
    session: AsyncSession, requests: Iterable[tuple[Actor, int]]
) -> dict[tuple[int, str], str]:
    """(event, participant) -> the event's mode, for each requester who may not ask or vote
    there. The event's moderators are never held back."""
    pairs = {
        (event_id, actor.participant_id)
        for actor, event_id in requests
        if actor.moderator_of != event_id
    }
    return await store.ungranted(session, pairs)


def gate_refusal(
    blocked: dict[tuple[int, str], str], event_id: int, actor: Actor
) -> ActionRefused | None:
    mode = blocked.get((event_id, actor.participant_id))
    return verification_required(mode) if mode is not None else None


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _event(session: AsyncSession, slug: str) -> Event:
    event = await queries.event_by_slug(session, slug)
    if event is None:
        raise ActionRefused("unknown_event", "There is no such event.", status=404)
    return event


async def status(services: Services, slug: str, participant_id: str) -> dict[str, Any]:
    """What the participant page needs to show the gate: the mode and this identity's grant."""
    async with services.read_sessions() as session:
        event = await _event(session, slug)
        granted = await store.grant_of(session, event.id, participant_id)
        organisation, endorsed = None, []
        if granted is not None and granted.kind == rules.INVITED:
            speaks_for = await organisations.of_delegate(session, event.id, participant_id)
            if speaks_for is not None:
                organisation = speaks_for.name
                endorsed = await organisations.endorsed_groups(session, event.id, speaks_for.id)
    return {
        "mode": event.access_mode,
        "allowed": event.access_mode == rules.OPEN or granted is not None,
        "granted": granted.kind if granted is not None else None,
        # A delegate (in any mode, open included) may ask and endorse on its behalf.
        "organisation": organisation,
        "endorsed": endorsed,
    }


async def join_with_code(services: Services, slug: str, participant_id: str, code: str) -> None:
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, slug)
        if event.access_mode != rules.CODE:
            raise ActionRefused("wrong_mode", "This event does not take a join code.")
        typed = "".join(code.split()).upper().encode("utf-8")
        if not hmac.compare_digest(typed, event.code.upper().encode("utf-8")):
            raise ActionRefused("bad_code", "That is not this event's join code.")
        await store.grant(session, event.id, participant_id, rules.CODE, "", now)
    await services.hub.notify(event.id)


@dataclass(frozen=True)
class MailSettings:
    mailer: Mailer | None
    secret: str
    origin: str


async def send_link(
    services: Services,
    mail: MailSettings,
    slug: str,
    participant_id: str,
    raw_email: str,
    *,
    language: str | None = None,
    accept_language: str | None = None,
) -> None:
    """Store a one-time token for this address and mail its link (refused when throttled),
    in `language` (the page's) or else as `accept_language` and the event's languages say."""
    if mail.mailer is None:
        raise ActionRefused(
            "mail_not_configured",
            "This server cannot send e-mail; ask the organiser to set TOWNHALL_SMTP_URL.",
            status=503,
        )
    try:
        address = rules.normalise_email(raw_email)
    except rules.InvalidInput as error:
        raise ActionRefused("bad_email", str(error)) from None
    keyed = rules.address_hash(mail.secret, address)
    now = services.clock()
    token = new_token()
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, slug)
        if event.access_mode != rules.EMAIL:
            raise ActionRefused("wrong_mode", "This event does not verify e-mail addresses.")
        if await store.identities_of_address(session, event.id, keyed) >= (
            rules.IDENTITIES_PER_ADDRESS
        ):
            raise ActionRefused(
                "address_used_up",
                f"This address has already verified {rules.IDENTITIES_PER_ADDRESS} "
                "participants for this event.",
            )
        since = now - rules.SEND_WINDOW
        if (
            await store.links_sent_since(session, since, address=keyed) >= rules.SENDS_PER_ADDRESS
            or await store.links_sent_since(session, since, participant=participant_id)
            >= rules.SENDS_PER_PARTICIPANT
        ):
            raise ActionRefused(
                "mail_throttled",
                "Several links were sent already; use the last one or try again later.",
                status=429,
                retry_after=int(rules.SEND_WINDOW.total_seconds()),
            )
        session.add(
            EmailToken(
                event_id=event.id,
                participant_id=participant_id,
                address_hash=keyed,
                token_hash=hash_token(token),
                created_at=now,
                expires_at=now + rules.LINK_LIFETIME,
            )
        )
        title, event_languages = event.title, list(event.languages or ())
    # In the language of the person who asked (domain/mail_texts.py), never English by default.
    text = sign_in_mail(
        pick_language(language, accept_language, event_languages),
        title=title,
        minutes=int(rules.LINK_LIFETIME.total_seconds() // 60),
        link=f"{mail.origin}/e/{slug}#verify={token}",
    )
    try:
        await mail.mailer.send(address, text.subject, text.body, text.language)
    except MailFailed:
        raise ActionRefused(
            "mail_failed", "The message could not be sent; try again later.", status=502
        ) from None


async def verify_link(services: Services, slug: str, participant_id: str, token: str) -> None:
    """Spend the token: the identity that opens the link is verified for the event."""
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, slug)
        found = await store.email_token(session, hash_token(token), lock=True)
        if found is None or found.event_id != event.id:
            raise ActionRefused("bad_link", "That sign-in link is not valid for this event.")
        if found.used_at is not None:
            raise ActionRefused(
                "link_used", "That sign-in link was used already; ask for a new one."
            )
        if _aware(found.expires_at) <= now:
            raise ActionRefused("link_expired", "That sign-in link has expired; ask for a new one.")
        found.used_at = now
        await session.flush()
        current = await store.grant_of(session, event.id, participant_id)
        if current is None or current.detail != found.address_hash:
            used = await store.identities_of_address(session, event.id, found.address_hash)
            if used >= rules.IDENTITIES_PER_ADDRESS:
                raise ActionRefused(
                    "address_used_up",
                    f"This address has already verified {rules.IDENTITIES_PER_ADDRESS} "
                    "participants for this event.",
                )
            await store.grant(
                session, event.id, participant_id, rules.EMAIL, found.address_hash, now
            )
    await services.hub.notify(event.id)


async def claim_invitation(services: Services, slug: str, participant_id: str, token: str) -> str:
    """The identity opening a delegate link becomes a delegate; returns the organisation."""
    now = services.clock()
    async with services.write_sessions() as session, session.begin():
        event = await _event(session, slug)
        invitation = await store.invitation_by_token(session, hash_token(token))
        if invitation is None or invitation.event_id != event.id:
            raise ActionRefused("bad_link", "That delegate link is not valid for this event.")
        if invitation.revoked_at is not None:
            raise ActionRefused("link_revoked", "That delegate link was revoked by the organiser.")
        current = await store.grant_of(session, event.id, participant_id)
        if current is None or current.detail != str(invitation.id):
            holders = await store.delegates_per_invitation(session, event.id)
            if holders.get(str(invitation.id), 0) >= rules.IDENTITIES_PER_LINK:
                raise ActionRefused(
                    "link_used_up",
                    f"This delegate link already serves {rules.IDENTITIES_PER_LINK} devices; "
                    "ask the organiser for a new one.",
                )
        await store.grant(session, event.id, participant_id, rules.INVITED, str(invitation.id), now)
        name = invitation.name
    await services.hub.notify(event.id)
    return name
