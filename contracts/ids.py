"""Time-ordered identifiers (ULIDs) for events and violations."""

from __future__ import annotations

from datetime import datetime, timezone

from ulid import ULID

ULID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
"""Canonical ULID text: 26 Crockford base-32 characters, sortable by creation time."""


def new_ulid(at: datetime | None = None) -> str:
    """Return a new ULID string, time-ordered by ``at`` (default: now, UTC)."""
    if at is None:
        return str(ULID())
    return str(ULID.from_datetime(at.astimezone(timezone.utc)))


def ulid_time(value: str) -> datetime:
    """Return the UTC creation time (millisecond precision) encoded in a ULID string."""
    created: datetime = ULID.from_str(value).datetime
    return created
