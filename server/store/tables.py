"""Every table, imported in one place (migrations compare against this metadata)."""

from typing import cast

from sqlalchemy import Table

from server.store.base import Base
from server.store.tables_cases import CaseLinkRow, CaseRow, SightingRow, TransitionRow
from server.store.tables_ingest import (
    ApiTokenRow,
    DeadLetterRow,
    DeviceRow,
    DeviceStatusRow,
    EventEvidenceRow,
    EventRow,
    EvidenceBlobRow,
    PendingEvidenceRow,
)
from server.store.tables_tuning import ConfigPushRow, SampleVerdictRow
from server.store.tables_web import UserRow, WebSessionRow

metadata = Base.metadata


def table_of(row_type: type[Base]) -> Table:
    """Return the Core table of a mapped row class."""
    return cast(Table, row_type.__table__)


__all__ = [
    "ApiTokenRow",
    "Base",
    "CaseLinkRow",
    "CaseRow",
    "ConfigPushRow",
    "DeadLetterRow",
    "DeviceRow",
    "DeviceStatusRow",
    "EventEvidenceRow",
    "EventRow",
    "EvidenceBlobRow",
    "PendingEvidenceRow",
    "SampleVerdictRow",
    "SightingRow",
    "TransitionRow",
    "UserRow",
    "WebSessionRow",
    "metadata",
    "table_of",
]
