"""SQLAlchemy models: the same schema on SQLite and PostgreSQL (see the Alembic migration).
The tables of access and sign-in are in `access_tables.py`, named here too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from townhall.store.access_tables import (
    EmailToken,
    EventAccess,
    Invitation,
    OrganiserSession,
    SeriesRole,
    SignInFailure,
)
from townhall.store.base import Base, Slug

__all__ = [
    "ActionReceipt",
    "Base",
    "Candidate",
    "CommonQuestion",
    "EmailToken",
    "Endorsement",
    "Event",
    "EventAccess",
    "EventCandidate",
    "EventModerator",
    "Invitation",
    "ModerationEntry",
    "Moderator",
    "Organisation",
    "Organiser",
    "OrganiserSession",
    "Participant",
    "Question",
    "Series",
    "SeriesRole",
    "SignInFailure",
    "Slug",
    "SupportSetAside",
    "Vote",
]


class Series(Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(Slug(), unique=True)
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Drafts are visible to organisers only; publishing shows the schedule and its feed.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The licence notice of its events' public records (docs/record.md), e.g. "CC BY 4.0".
    licence_name: Mapped[str | None] = mapped_column(String(200))
    licence_url: Mapped[str | None] = mapped_column(String(500))


class Organiser(Base):
    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # An admin may do everything; others act only on series they hold a role in.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class Moderator(Base):
    """A person who moderates events (listed on invites; checked for double bookings)."""

    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))


class Candidate(Base):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(80))


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    slug: Mapped[str] = mapped_column(Slug(), unique=True)
    # The calendar UID: fixed at creation, never changed (calendars match updates by it).
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    venue: Mapped[str | None] = mapped_column(String(200))
    stream_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    questions_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # The advance window (domain/intake.py): when questions and votes are taken; None is open.
    questions_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    questions_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    moderation_mode: Mapped[str] = mapped_column(String(10), default="post")
    # Who may ask and vote (domain/access.py): open, code, email or invited.
    access_mode: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    moderator_key_hash: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The recording, for the public record's links into it at each question (docs/record.md).
    recording_url: Mapped[str | None] = mapped_column(String(500))
    recording_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EventCandidate(Base):
    __tablename__ = "event_candidates"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )


class EventModerator(Base):
    __tablename__ = "event_moderators"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True
    )


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    country: Mapped[str | None] = mapped_column(String(2))
    stakeholder_group: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Keyed hash of the network it was first stored from; cleared after the retention days.
    network_hash: Mapped[str | None] = mapped_column(String(64))


class Organisation(Base):
    """An organisation (NGO, coalition, network) of a series: invited to its events, it asks
    and endorses questions through its delegates. Names are unique per series (case-folded in
    code); an event outside any series has its own (series_id None)."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("series_id", "name", name="uq_organisation_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    stakeholder_group: Mapped[str | None] = mapped_column(String(30))
    website: Mapped[str | None] = mapped_column(String(500))  # http or https only
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_event_status", "event_id", "status"),
        Index("ix_questions_root", "root_id"),
        Index(
            "ix_questions_queue", "event_id", "status", "canonical_id", "supporters", "created_at"
        ),
        Index("ix_questions_common", "event_id", "common_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    author_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    # Direct parent when merged (a merged question may itself hold merged ones);
    # root_id is the top of that chain, kept in step so counts group in one query.
    canonical_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    root_id: Mapped[int | None] = mapped_column(Integer)
    similarity: Mapped[float | None] = mapped_column(Float)
    # Distinct participants backing the group this question roots, kept exact in the same
    # transaction as every vote, unvote, merge and unmerge (so reads never count votes).
    supporters: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    suggested_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    dedup_state: Mapped[str] = mapped_column(String(10), default="pending")
    # ISO 639-1 code detected by the dedup worker with the embedding (townhall/dedup/language.py);
    # None until then.
    language: Mapped[str | None] = mapped_column(String(8))
    # Asked by a delegate on behalf of this organisation (shown with its name); None otherwise.
    # No ON DELETE: SQLite cannot reflect it on a column added in place (migration 0009), and
    # organisations are never deleted (a series' deletion would first clear these).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The common question of the series this question carries into its event (at the top of
    # the queue, never merged away): common_questions.id.
    common_id: Mapped[int | None] = mapped_column(Integer)
    # A wording of an answered group of an earlier event of the series (a candidate in
    # common) that this question repeats, by the dedup model: a flag, never a merge.
    repeat_of_id: Mapped[int | None] = mapped_column(Integer)
    repeat_score: Mapped[float | None] = mapped_column(Float)


class CommonQuestion(Base):
    """A question an organiser puts to every candidate of a series; each event carries it as
    a question of its own (questions.common_id), answered there or not."""

    __tablename__ = "common_questions"
    __table_args__ = (Index("ix_common_questions_series", "series_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    # The organiser's own wordings per language (ISO 639-1 -> text); `text` is the first.
    texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("question_id", "participant_id", name="uq_vote_once"),
        Index("ix_votes_participant", "participant_id"),
        # The moderator queue's burst flag reads only the event's last minutes of votes.
        Index("ix_votes_event_recent", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The question's event, copied so the last minutes of an event's votes are one index
    # range (None only for rows a caller stored without it; those are never flagged).
    event_id: Mapped[int | None] = mapped_column(Integer)
    # Keyed hash of the voter's network; cleared after the retention days.
    network_hash: Mapped[str | None] = mapped_column(String(64))
    # Set aside by a moderator: kept, not counted, restorable (support_set_asides).
    set_aside_id: Mapped[int | None] = mapped_column(ForeignKey("support_set_asides.id"))


class Endorsement(Base):
    """An organisation's endorsement of a question, by one of its delegates. Like votes, it
    stays on the wording endorsed and counts by group root, one per organisation per group;
    it never adds to `supporters`."""

    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint("question_id", "organisation_id", name="uq_endorse_once"),
        Index("ix_endorsements_event", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SupportSetAside(Base):
    """A moderator's decision to stop counting a burst of votes; restorable, never deleted."""

    __tablename__ = "support_set_asides"
    __table_args__ = (Index("ix_support_set_asides_event", "event_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    network_hash: Mapped[str | None] = mapped_column(String(64))
    since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    new_only: Mapped[bool] = mapped_column(Boolean, default=False)
    votes: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    restored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    restored_by: Mapped[str | None] = mapped_column(String(80))


class ModerationEntry(Base):
    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_event", "event_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ActionReceipt(Base):
    """The stored answer to an acknowledged action, so a retry with its client id replays it."""

    __tablename__ = "action_receipts"

    actor: Mapped[str] = mapped_column(String(80), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    response: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
