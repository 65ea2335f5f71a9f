"""Config of a moving camera (``location.mode: gps``): GPS source, camera mount and patrol rules.

Used by :class:`edge.config.GpsLocation`; every model is frozen, rejects unknown keys and
documents each field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from contracts.base import Frozen, Label


class GpsSettings(Frozen):
    """Where positions come from: gpsd (``uri`` host:port), NMEA or GPX (``path``)."""

    kind: Literal["gpsd", "nmea", "gpx"] = Field(title="Kind", description="gpsd, nmea or gpx.")
    uri: str | None = Field(
        None, pattern=r"^[^\s:/]+:\d{1,5}$", title="gpsd address", description="host:port."
    )
    path: Path | None = Field(
        None,
        title="Path",
        description="NMEA serial device (set its baud rate with stty) or recorded log, "
        "or GPX track.",
    )
    uere_m: float = Field(
        5.0,
        gt=0.0,
        le=100.0,
        title="Error per HDOP",
        description="Metres of horizontal error per unit of HDOP (NMEA, GPX).",
    )
    default_accuracy_m: float = Field(
        10.0,
        gt=0.0,
        le=1000.0,
        title="Default accuracy",
        description="Accuracy assumed when the source reports none, metres.",
    )

    @model_validator(mode="after")
    def _source_matches_kind(self) -> GpsSettings:
        if self.kind == "gpsd" and (self.uri is None or self.path is not None):
            raise ValueError("gps kind 'gpsd' needs 'uri' (host:port) and no 'path'")
        if self.kind != "gpsd" and (self.path is None or self.uri is not None):
            raise ValueError(f"gps kind {self.kind!r} needs 'path' and no 'uri'")
        return self


class CameraMount(Frozen):
    """How the camera sits on the bike (for the flat-ground position of each object)."""

    yaw_deg: float = Field(
        0.0,
        ge=-180.0,
        le=180.0,
        title="Yaw",
        description="Optical axis relative to the direction of travel, degrees clockwise.",
    )
    pitch_deg: float = Field(
        2.0, ge=-10.0, le=80.0, title="Pitch", description="Degrees below the horizon."
    )
    height_m: float = Field(
        1.2, gt=0.1, le=10.0, title="Height", description="Lens height above the road, metres."
    )
    hfov_deg: float = Field(
        90.0, ge=5.0, le=170.0, title="Field of view", description="Horizontal, degrees."
    )
    max_range_m: float = Field(
        40.0,
        gt=1.0,
        le=500.0,
        title="Range",
        description="Ground points further than this are not estimated (the camera's "
        "position is reported instead).",
    )
    pitch_tolerance_deg: float = Field(
        1.0,
        ge=0.0,
        le=20.0,
        title="Pitch tolerance",
        description="Pitch uncertainty (bumps, load) used in the accuracy estimate.",
    )


class PatrolSettings(Frozen):
    """Place-based dedup, persistence and geo-fences of a moving camera."""

    radius_m: dict[Label, float] = Field(
        default_factory=dict,
        title="Same-place radius per class",
        description="Two sightings of a class within this many metres are one place.",
    )
    default_radius_m: float = Field(
        8.0, gt=0.0, le=500.0, title="Same-place radius", description="For classes not listed."
    )
    window_s: float = Field(
        3600.0,
        gt=0.0,
        le=7 * 86400.0,
        title="Same-place window",
        description="Seconds after its last sighting during which a place is still the "
        "same violation (across passes and track losses).",
    )
    min_passes: int = Field(
        2,
        ge=1,
        le=10,
        title="Passes to confirm",
        description="Passes a place must be seen on before it is reported (1: at once); "
        "replaces dwell on a moving camera.",
    )
    pass_gap_s: float = Field(
        20.0,
        gt=0.0,
        le=86400.0,
        title="Pass gap",
        description="Seconds without a sighting of a place after which the next "
        "sighting counts as a new pass.",
    )
    raised: tuple[Label, ...] = Field(
        ("illegal_signage",),
        title="Raised classes",
        description="Classes that are not seen standing on the road (signs on walls, "
        "banners): located where the bearings of their track cross as the bike rides past, "
        "not by the flat-ground projection of the box's bottom edge.",
    )
    bearing_spread_deg: float = Field(
        12.0,
        gt=0.0,
        le=90.0,
        title="Bearing spread",
        description="How far a raised object's bearings must turn before it is located.",
    )
    bearing_tolerance_deg: float = Field(
        1.5,
        ge=0.0,
        le=20.0,
        title="Bearing tolerance",
        description="Bearing error of one sighting (heading, box centre), for the accuracy.",
    )
    place_wait_s: float = Field(
        10.0,
        gt=0.0,
        le=600.0,
        title="Place wait",
        description="Seconds a track seen with a good fix but not placeable yet (a raised "
        "object whose bearings have not crossed; a point beyond range or above the horizon) "
        "is held back; after that it is reported at the bike's position (no own position).",
    )
    fences: Path | None = Field(
        None,
        title="Geo-fences",
        description="GeoJSON file of fences (properties: name, kind include|exclude, "
        "classes, windows, valid_from, valid_until); they replace image zones for placing "
        "violations.",
    )

    @field_validator("radius_m")
    @classmethod
    def _radii_positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [label for label, radius in value.items() if not 0.0 < radius <= 500.0]
        if bad:
            raise ValueError(f"radius_m of {', '.join(bad)} must be in (0, 500] metres")
        return value

    def radius_of(self, label: str) -> float:
        """Return the same-place radius of ``label``."""
        return self.radius_m.get(label, self.default_radius_m)


class GpsLocation(Frozen):
    """A moving camera: each frame's position is the GPS track at frame time."""

    mode: Literal["gps"] = Field(title="Mode", description="Positions from GPS.")
    gps: GpsSettings = Field(title="GPS source", description="Where the positions come from.")
    max_fix_age_s: float = Field(
        5.0, gt=0.0, le=600.0, title="Fix age", description="Older fixes are marked stale."
    )
    max_gap_s: float = Field(
        5.0,
        gt=0.0,
        le=600.0,
        title="Interpolation gap",
        description="Fixes further apart than this are not interpolated between.",
    )
    camera: CameraMount = Field(
        default_factory=CameraMount, title="Camera mount", description="Yaw, pitch, height, FOV."
    )
    patrol: PatrolSettings = Field(
        default_factory=PatrolSettings,
        title="Patrol",
        description="Place dedup, passes and geo-fences.",
    )
