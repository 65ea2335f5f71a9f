"""Edge config sections: tracking, events, delivery and the fixed camera's calibration.

They live here to keep :mod:`edge.config` short; :class:`edge.config.EdgeConfig` uses them.
Every model follows the config conventions: frozen, ``extra="forbid"``, a title and a
description on every field, cross-field checks as small named validators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field, model_validator

from contracts.base import Frozen
from contracts.tuning import ClassThresholds
from streetwatch.yamlerrors import KeyPath

Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class TrackingSettings(Frozen):
    """The ByteTrack-style tracker (see :mod:`edge.tracking.bytetrack`)."""

    high_score: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        title="High score",
        description="Detections at or above it are matched first and may start tracks; "
        "keep it at or below the lowest class min_score.",
    )
    low_score: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        title="Low score",
        description="Detections between it and high_score only extend existing tracks; "
        "the detector keeps nothing below it.",
    )
    match_iou: float = Field(
        0.2, gt=0.0, le=1.0, title="Match IoU", description="Least IoU to match a track."
    )
    lost_s: float = Field(
        2.0,
        gt=0.0,
        le=600.0,
        title="Lost-track memory",
        description="Seconds a track unseen is kept to be found again under the same id.",
    )
    stationary_drift: float = Field(
        0.5,
        gt=0.0,
        le=10.0,
        title="Stationary drift",
        description="How far (in box diagonals) an object may move before its dwell "
        "clock starts again.",
    )

    @model_validator(mode="after")
    def _scores_ordered(self) -> TrackingSettings:
        if self.low_score > self.high_score:
            raise ValueError("low_score is above high_score")
        return self


def track_start_problems(
    high_score: float, classes: Mapping[str, ClassThresholds]
) -> list[tuple[KeyPath, str]]:
    """Return a (key path, message) for each class whose ``min_score`` is below ``high_score``.

    Such a class's boxes scoring between the two pass its gate but can never start a track.
    For a validator of the model holding both ``tracking`` and ``rules``, and for checking
    rules pushed at run time against the tracker in use.
    """
    return [
        (
            ("rules", "classes", label, "min_score"),
            f"class {label!r} min_score {gates.min_score} is below tracking.high_score "
            f"{high_score}, so its boxes scoring between the two never start a track; set "
            f"tracking.high_score to at most {gates.min_score}",
        )
        for label, gates in classes.items()
        if gates.min_score < high_score
    ]


class SampleSettings(Frozen):
    """Near misses (track median between min_score and confirm_score) sent for tuning."""

    fraction: Unit = Field(
        0.25,
        title="Fraction",
        description="Share of near-miss tracks sent as samples (0 turns samples off).",
    )
    max_per_hour: int = Field(
        30, ge=0, le=3600, title="Rate limit", description="Most samples sent per hour."
    )
    seed: int = Field(0, title="Seed", description="Seed of the sampling draw (reproducible).")


class EventSettings(Frozen):
    """How sightings become one lifecycle per physical violation."""

    end_after_s: float = Field(
        30.0,
        gt=0.0,
        le=86400.0,
        title="End after",
        description="Seconds a violation must be gone before its 'end' event.",
    )
    cooldown_s: float = Field(
        120.0,
        gt=0.0,
        le=86400.0,
        title="Cooldown",
        description="Seconds after its last sighting during which the same class in the "
        "same place is still the same violation (reopened with an 'update' after its end).",
    )
    region_iou: float = Field(
        0.3,
        gt=0.0,
        le=1.0,
        title="Same-place IoU",
        description="Least overlap (IoU) of two boxes of a fixed camera to be one place.",
    )
    update_min_gain: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        title="Update gain",
        description="Evidence quality gain (0..1 score) needed for an 'update' event.",
    )
    update_min_interval_s: float = Field(
        10.0,
        ge=0.0,
        le=86400.0,
        title="Update interval",
        description="Least seconds between two events of one violation.",
    )
    samples: SampleSettings = Field(
        default_factory=SampleSettings,
        title="Samples",
        description="Near-miss samples for threshold tuning.",
    )

    @model_validator(mode="after")
    def _cooldown_covers_end(self) -> EventSettings:
        if self.cooldown_s < self.end_after_s:
            raise ValueError(
                "cooldown_s is below end_after_s: an object found again before its end "
                "would become a second violation"
            )
        return self


class DeliverySettings(Frozen):
    """How the outbox is published and drained."""

    mqtt_version: Literal["auto", "5", "3.1.1"] = Field(
        "auto",
        title="MQTT version",
        description="'auto' tries MQTT 5 and falls back to 3.1.1 if the broker refuses it.",
    )
    session_expiry_s: int = Field(
        86400,
        ge=0,
        le=2**32 - 1,
        title="Session expiry",
        description="MQTT 5 session expiry; the broker keeps the session this long.",
    )
    ack_timeout_s: float = Field(
        30.0,
        gt=0.0,
        le=86400.0,
        title="Ack timeout",
        description="Seconds to wait for the server's commit-ack before publishing again.",
    )
    backlog_per_s: float = Field(
        5.0,
        gt=0.0,
        le=1000.0,
        title="Backlog rate",
        description="Backlog events published per second after a reconnect; live events "
        "go first and are not limited.",
    )
    max_inflight: int = Field(
        20,
        ge=1,
        le=1000,
        title="In flight",
        description="Most backlog events published and waiting for their commit-ack.",
    )


class CalibrationPoint(Frozen):
    """One image point of a fixed camera and the ground position it shows."""

    pixel: tuple[Unit, Unit] = Field(
        title="Image point", description="[x, y] normalised to 0..1 of the frame."
    )
    lat: float = Field(ge=-90.0, le=90.0, title="Latitude", description="WGS-84 degrees.")
    lon: float = Field(ge=-180.0, le=180.0, title="Longitude", description="WGS-84 degrees.")


Calibration = Annotated[
    list[CalibrationPoint],
    Field(
        min_length=4,
        title="Ground calibration",
        description="Four or more image points with their WGS-84 positions (a homography).",
    ),
]
