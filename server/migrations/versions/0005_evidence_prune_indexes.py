"""Indexes for pruning early evidence: its age, and files referenced by received hash.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("event_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_evidence_received_sha256"), ["received_sha256"], unique=False
        )
    with op.batch_alter_table("pending_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_evidence_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("pending_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_evidence_received_at"))
    with op.batch_alter_table("event_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_evidence_received_sha256"))
