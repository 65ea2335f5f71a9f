"""Initial schema: devices, events, evidence, cases, audit trail, dead letters, tokens.

Revision ID: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("taxonomy", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("weighted_lat", sa.Float(), nullable=False),
        sa.Column("weighted_lon", sa.Float(), nullable=False),
        sa.Column("grid_id", sa.String(length=64), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("first_seen", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("sighting_count", sa.Integer(), nullable=False),
        sa.Column("evidence_count", sa.Integer(), nullable=False),
        sa.Column("evidence_mismatches", sa.Integer(), nullable=False),
        sa.Column("reported_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("cycle_started_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("filed_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("dispatched_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("handled_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("rejected_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=32), nullable=True),
        sa.Column("deadline_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("time_to_dispatch_s", sa.Float(), nullable=True),
        sa.Column("time_to_close_s", sa.Float(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("updated_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["cases.id"], name=op.f("fk_cases_merged_into_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_code_lat", ["code", "lat"], unique=False)
        batch_op.create_index("ix_cases_code_status", ["code", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_deadline_at"), ["deadline_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_department"), ["department"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_first_seen"), ["first_seen"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_label"), ["label"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_last_seen"), ["last_seen"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_status"), ["status"], unique=False)

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=512), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("event_id", sa.String(length=26), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("payload_bytes", sa.Integer(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_dead_letters_dedup_key")),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dead_letters_device_id"), ["device_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dead_letters_first_at"), ["first_at"], unique=False)

    op.create_table(
        "device_status",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column("state_since", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("state_received_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("software_version", sa.String(length=64), nullable=True),
        sa.Column("last_heartbeat_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("config_version", sa.Integer(), nullable=True),
        sa.Column("outbox_depth", sa.Integer(), nullable=True),
        sa.Column("outbox_oldest_age_s", sa.Float(), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=True),
        sa.Column("last_event_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_status")),
    )
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("location_note", sa.String(length=256), nullable=False),
        sa.Column("credentials_ref", sa.String(length=256), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_devices")),
    )
    op.create_table(
        "evidence_blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("stored_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_evidence_blobs")),
    )
    op.create_table(
        "pending_evidence",
        sa.Column("event_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("received_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "kind", name=op.f("pk_pending_evidence")),
    )
    op.create_table(
        "case_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("other_case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["other_case_id"], ["cases.id"], name=op.f("fk_case_links_other_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_links")),
    )
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_links_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_links_other_case_id"), ["other_case_id"], unique=False
        )

    op.create_table(
        "case_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_transitions_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transitions")),
    )
    with op.batch_alter_table("case_transitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_transitions_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_transitions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("event_id", sa.String(length=26), nullable=False),
        sa.Column("violation_id", sa.String(length=26), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("device_code", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("first_seen", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("quarantine_reason", sa.String(length=500), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("evidence_pending", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_events_case_id_cases")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_device_id"), ["device_id"], unique=False)
        batch_op.create_index("ix_events_device_seq", ["device_id", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_violation_id"), ["violation_id"], unique=False)

    op.create_table(
        "sightings",
        sa.Column("violation_id", sa.String(length=26), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("first_seen", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen", server.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_sightings_case_id_cases")),
        sa.PrimaryKeyConstraint("violation_id", name=op.f("pk_sightings")),
    )
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sightings_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sightings_device_id"), ["device_id"], unique=False)

    op.create_table(
        "event_evidence",
        sa.Column("event_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("received_sha256", sa.String(length=64), nullable=True),
        sa.Column("problem", sa.String(length=500), nullable=True),
        sa.Column("received_at", server.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.event_id"], name=op.f("fk_event_evidence_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", "kind", name=op.f("pk_event_evidence")),
    )
    with op.batch_alter_table("event_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_evidence_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("event_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_evidence_sha256"))

    op.drop_table("event_evidence")
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sightings_device_id"))
        batch_op.drop_index(batch_op.f("ix_sightings_case_id"))

    op.drop_table("sightings")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_violation_id"))
        batch_op.drop_index(batch_op.f("ix_events_state"))
        batch_op.drop_index("ix_events_device_seq")
        batch_op.drop_index(batch_op.f("ix_events_device_id"))
        batch_op.drop_index(batch_op.f("ix_events_case_id"))

    op.drop_table("events")
    with op.batch_alter_table("case_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_transitions_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_transitions_at"))

    op.drop_table("case_transitions")
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_links_other_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_links_case_id"))

    op.drop_table("case_links")
    op.drop_table("pending_evidence")
    op.drop_table("evidence_blobs")
    op.drop_table("devices")
    op.drop_table("device_status")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letters_first_at"))
        batch_op.drop_index(batch_op.f("ix_dead_letters_device_id"))

    op.drop_table("dead_letters")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_status"))
        batch_op.drop_index(batch_op.f("ix_cases_reported_at"))
        batch_op.drop_index(batch_op.f("ix_cases_last_seen"))
        batch_op.drop_index(batch_op.f("ix_cases_label"))
        batch_op.drop_index(batch_op.f("ix_cases_grid_id"))
        batch_op.drop_index(batch_op.f("ix_cases_first_seen"))
        batch_op.drop_index(batch_op.f("ix_cases_department"))
        batch_op.drop_index(batch_op.f("ix_cases_deadline_at"))
        batch_op.drop_index("ix_cases_code_status")
        batch_op.drop_index("ix_cases_code_lat")

    op.drop_table("cases")
    op.drop_table("api_tokens")
