"""public record: recording link and start on events, licence notice on series

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: adding them needs no table rebuild on SQLite.
    op.add_column("events", sa.Column("recording_url", sa.String(length=500), nullable=True))
    op.add_column(
        "events", sa.Column("recording_started_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("series", sa.Column("licence_name", sa.String(length=200), nullable=True))
    op.add_column("series", sa.Column("licence_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("series") as batch:
        batch.drop_column("licence_url")
        batch.drop_column("licence_name")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("recording_started_at")
        batch.drop_column("recording_url")
