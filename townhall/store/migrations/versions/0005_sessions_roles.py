"""organiser sessions, series roles, admins and sign-in throttling

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisers") as batch:
        batch.add_column(sa.Column("is_admin", sa.Boolean(), server_default="0", nullable=False))
    # Before this revision every organiser could do everything: keep it so for the accounts
    # that exist, so an upgrade locks nobody out (an admin can be demoted with
    # `townhall create-organiser --email ... --no-admin`).
    op.execute("UPDATE organisers SET is_admin = TRUE")
    op.create_table(
        "organiser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organiser_id"], ["organisers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(
        "ix_organiser_sessions_organiser", "organiser_sessions", ["organiser_id"], unique=False
    )
    op.create_table(
        "series_roles",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organiser_id"], ["organisers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("series_id", "organiser_id"),
    )
    op.create_index("ix_series_roles_organiser", "series_roles", ["organiser_id"], unique=False)
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_sign_in_failures_key", "sign_in_failures", ["key", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_key", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_series_roles_organiser", table_name="series_roles")
    op.drop_table("series_roles")
    op.drop_index("ix_organiser_sessions_organiser", table_name="organiser_sessions")
    op.drop_table("organiser_sessions")
    with op.batch_alter_table("organisers") as batch:
        batch.drop_column("is_admin")
