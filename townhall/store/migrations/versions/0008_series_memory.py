"""series memory: common questions of a series, repeats of answered questions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "common_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "series_id",
            sa.Integer(),
            sa.ForeignKey("series.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_common_questions_series", "common_questions", ["series_id", "id"])
    # Plain integers like root_id (no table rebuild on SQLite): the common question a question
    # carries into its event, and the wording of an answered group of an earlier event of the
    # series that it repeats (flag only, never a merge across events).
    op.add_column("questions", sa.Column("common_id", sa.Integer(), nullable=True))
    op.add_column("questions", sa.Column("repeat_of_id", sa.Integer(), nullable=True))
    op.add_column("questions", sa.Column("repeat_score", sa.Float(), nullable=True))
    op.create_index("ix_questions_common", "questions", ["event_id", "common_id"])


def downgrade() -> None:
    op.drop_index("ix_questions_common", table_name="questions")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("repeat_score")
        batch.drop_column("repeat_of_id")
        batch.drop_column("common_id")
    op.drop_index("ix_common_questions_series", table_name="common_questions")
    op.drop_table("common_questions")
