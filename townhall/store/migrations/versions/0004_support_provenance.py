"""support provenance: network hashes on participants and votes, set-aside bursts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_set_asides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("network_hash", sa.String(length=64), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_only", sa.Boolean(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restored_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_support_set_asides_event", "support_set_asides", ["event_id", "id"], unique=False
    )
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("network_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("votes") as batch:
        batch.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("network_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("set_aside_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_votes_set_aside_id", "support_set_asides", ["set_aside_id"], ["id"]
        )
        batch.create_index("ix_votes_event_recent", ["event_id", "created_at"], unique=False)
    op.execute(
        "UPDATE votes SET event_id = "
        "(SELECT questions.event_id FROM questions WHERE questions.id = votes.question_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("votes") as batch:
        batch.drop_index("ix_votes_event_recent")
        batch.drop_constraint("fk_votes_set_aside_id", type_="foreignkey")
        batch.drop_column("set_aside_id")
        batch.drop_column("network_hash")
        batch.drop_column("event_id")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("network_hash")
    op.drop_index("ix_support_set_asides_event", table_name="support_set_asides")
    op.drop_table("support_set_asides")
