"""supporters counter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:13:42.127331
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "questions", sa.Column("supporters", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index(
        "ix_questions_queue",
        "questions",
        ["event_id", "status", "canonical_id", "supporters", "created_at"],
        unique=False,
    )
    # Existing groups get their exact counts once; from now on every action keeps them.
    op.execute(
        """
        UPDATE questions SET supporters = (
            SELECT COUNT(DISTINCT votes.participant_id) FROM votes
            JOIN questions AS member ON member.id = votes.question_id
            WHERE member.root_id = questions.id
        )
        WHERE canonical_id IS NULL
        """
    )


def downgrade() -> None:
    op.drop_index("ix_questions_queue", table_name="questions")
    op.drop_column("questions", "supporters")
