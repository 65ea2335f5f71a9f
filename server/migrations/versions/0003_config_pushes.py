"""Tuning loop: the versioned config pushes sent to each device.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "config_pushes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("overlay", sa.Text(), nullable=False),
        sa.Column("issued_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=128), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("published_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_pushes")),
        sa.UniqueConstraint("device_id", "version", name=op.f("uq_config_pushes_device_id")),
    )
    with op.batch_alter_table("config_pushes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_config_pushes_device_id"), ["device_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("config_pushes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_config_pushes_device_id"))
    op.drop_table("config_pushes")
