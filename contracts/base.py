"""Shared building blocks of the payload models: the frozen base and field types."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

from contracts.ids import ULID_PATTERN


class Frozen(BaseModel):
    """Immutable model that rejects unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _to_utc_ms(value: datetime) -> datetime:
    utc = value.astimezone(timezone.utc)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def _format_utc_ms(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


UtcMs = Annotated[
    AwareDatetime,
    AfterValidator(_to_utc_ms),
    PlainSerializer(_format_utc_ms, return_type=str, when_used="json"),
]
"""A timezone-aware instant, normalised to UTC and millisecond precision (ISO 8601, ``Z``)."""

Ulid = Annotated[str, Field(pattern=ULID_PATTERN, description="ULID: time-ordered, 26 characters.")]

DEVICE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
DeviceId = Annotated[
    str,
    Field(
        pattern=DEVICE_ID_PATTERN,
        description="Device identifier: letters, digits, '_', '.', '-' (safe in MQTT topics).",
    ),
]

LABEL_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
Label = Annotated[
    str, Field(pattern=LABEL_PATTERN, description="Violation class name, e.g. 'garbage'.")
]

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="Lower-case hex SHA-256.")]

Score = Annotated[float, Field(ge=0.0, le=1.0)]
