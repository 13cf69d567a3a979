"""questions in advance: the window in which an event takes questions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: existing events have no window and follow the moderator's switch alone
    # (adding a column needs no table rebuild on SQLite).
    op.add_column("events", sa.Column("questions_from", sa.DateTime(timezone=True)))
    op.add_column("events", sa.Column("questions_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("questions_until")
        batch.drop_column("questions_from")
