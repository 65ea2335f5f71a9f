"""Tuning loop: operators' verdicts on near-miss sample events.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "sample_verdicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=26), nullable=False),
        sa.Column("positive", sa.Boolean(), nullable=False),
        sa.Column("judged_by", sa.String(length=128), nullable=False),
        sa.Column("judged_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.event_id"],
            name=op.f("fk_sample_verdicts_event_id_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_verdicts")),
        sa.UniqueConstraint("event_id", name=op.f("uq_sample_verdicts_event_id")),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("sample_verdicts")
