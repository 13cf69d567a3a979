"""participation modes: access mode per event, grants, invitations, e-mail tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("access_mode", sa.String(10), server_default="open", nullable=False)
        )
    op.create_table(
        "event_access",
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "participant_id", sa.String(36), sa.ForeignKey("participants.id"), nullable=False
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("detail", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "participant_id"),
    )
    op.create_index("ix_event_access_detail", "event_access", ["event_id", "kind", "detail"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("event_id", "name", name="uq_invitation_name"),
    )
    op.create_table(
        "email_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "event_id", sa.Integer(), sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("participant_id", sa.String(36), nullable=False),
        sa.Column("address_hash", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_email_tokens_address", "email_tokens", ["address_hash", "created_at"])
    op.create_index("ix_email_tokens_participant", "email_tokens", ["participant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_email_tokens_participant", table_name="email_tokens")
    op.drop_index("ix_email_tokens_address", table_name="email_tokens")
    op.drop_table("email_tokens")
    op.drop_table("invitations")
    op.drop_index("ix_event_access_detail", table_name="event_access")
    op.drop_table("event_access")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("access_mode")
