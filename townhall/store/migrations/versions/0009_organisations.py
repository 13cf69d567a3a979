"""organisations: profiles per series, invitations referencing them, questions asked on
behalf of one, endorsements

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:40:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "series_id", sa.Integer(), sa.ForeignKey("series.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("stakeholder_group", sa.String(30), nullable=True),
        sa.Column("website", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("series_id", "name", name="uq_organisation_name"),
    )
    _profiles_for_invitations()
    with op.batch_alter_table("invitations") as batch:
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_invitations_organisation_id",
            "organisations",
            ["organisation_id"],
            ["id"],
            ondelete="CASCADE",
        )
    # Questions are referenced by votes, set-asides and the log (ON DELETE CASCADE): SQLite
    # must not rebuild the table (its DROP would delete them), so the column is added in place,
    # which SQLite allows for a nullable reference.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE questions ADD COLUMN organisation_id INTEGER REFERENCES organisations (id)"
        )
    else:
        op.add_column("questions", sa.Column("organisation_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_questions_organisation_id",
            "questions",
            "organisations",
            ["organisation_id"],
            ["id"],
        )
    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("questions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "participant_id", sa.String(36), sa.ForeignKey("participants.id"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("question_id", "organisation_id", name="uq_endorse_once"),
    )
    op.create_index("ix_endorsements_event", "endorsements", ["event_id"])


def _profiles_for_invitations() -> None:
    """One organisation per series and name (case-folded) for the invitations already made;
    an event outside any series gets its own. Their profiles start empty."""
    op.add_column("invitations", sa.Column("organisation_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT invitations.id, invitations.name, invitations.created_at, events.series_id "
            "FROM invitations JOIN events ON events.id = invitations.event_id "
            "ORDER BY invitations.id"
        )
    ).all()
    made: dict[tuple[int, str], int] = {}
    for invitation_id, name, created_at, series_id in rows:
        key = (series_id, name.casefold())
        organisation_id = made.get(key) if series_id is not None else None
        if organisation_id is None:
            organisation_id = bind.execute(
                sa.text(
                    "INSERT INTO organisations (series_id, name, created_at, updated_at) "
                    "VALUES (:series, :name, :at, :at) RETURNING id"
                ),
                {"series": series_id, "name": name, "at": created_at or datetime.now(UTC)},
            ).scalar_one()
            if series_id is not None:
                made[key] = organisation_id
        bind.execute(
            sa.text("UPDATE invitations SET organisation_id = :organisation WHERE id = :id"),
            {"organisation": organisation_id, "id": invitation_id},
        )


def downgrade() -> None:
    op.drop_index("ix_endorsements_event", table_name="endorsements")
    op.drop_table("endorsements")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE questions DROP COLUMN organisation_id")
    else:
        op.drop_constraint("fk_questions_organisation_id", "questions", type_="foreignkey")
        op.drop_column("questions", "organisation_id")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_constraint("fk_invitations_organisation_id", type_="foreignkey")
        batch.drop_column("organisation_id")
    op.drop_table("organisations")
