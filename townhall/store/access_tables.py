"""Tables of who may do what: participants' grants to events that are not open, delegates'
invitations, sign-in e-mail tokens, organisers' sessions and series roles, failed sign-ins.
Imported by `townhall.store.tables`, through which the rest of the code names them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from townhall.store.base import Base


class EventAccess(Base):
    """A participant identity's grant to ask and vote in an event that is not open."""

    __tablename__ = "event_access"
    __table_args__ = (Index("ix_event_access_detail", "event_id", "kind", "detail"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # code, email or invited
    # email: the address's keyed hash; invited: the invitation's id; code: empty.
    detail: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Invitation(Base):
    """An organisation invited to an event; its delegate link's token is stored hashed.
    `name` repeats the organisation's (kept in step on a rename) for the per-event unique
    constraint and the lists that show it."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "name", name="uq_invitation_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailToken(Base):
    """A one-time sign-in link sent to an address (kept hashed; the address too)."""

    __tablename__ = "email_tokens"
    __table_args__ = (
        Index("ix_email_tokens_address", "address_hash", "created_at"),
        Index("ix_email_tokens_participant", "participant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    participant_id: Mapped[str] = mapped_column(String(36))
    address_hash: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OrganiserSession(Base):
    """A signed-in organiser's session: the cookie holds the token, only its hash is kept."""

    __tablename__ = "organiser_sessions"
    __table_args__ = (Index("ix_organiser_sessions_organiser", "organiser_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisers.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SeriesRole(Base):
    """An organiser's role in one series: 'owner' (edits, manages editors) or 'editor'."""

    __tablename__ = "series_roles"
    __table_args__ = (Index("ix_series_roles_organiser", "organiser_id"),)

    series_id: Mapped[int] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), primary_key=True
    )
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """One failed organiser sign-in, kept for throttling (keyed hashes, never the address)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key", "key", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # A keyed hash of what is limited: a network, an account on a network, an account, a device.
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
