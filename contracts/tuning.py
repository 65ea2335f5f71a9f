"""Tunable rule settings: per-class thresholds, zones, schedules and permits.

The same models serve the edge's local config file and the server's config push
(:class:`TunableOverlay`), so a pushed value is validated exactly like a local one.
"""

from __future__ import annotations

from datetime import date, time
from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from contracts.base import Frozen, Label, Score

Point = tuple[Annotated[float, Field(ge=0.0, le=1.0)], Annotated[float, Field(ge=0.0, le=1.0)]]
"""An image point in normalised coordinates: (x, y), both in 0..1 of the frame size."""

Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_. -]{0,63}$")]


class ClassThresholds(Frozen):
    """Rule thresholds for one violation class."""

    min_score: Score = Field(
        0.25,
        title="Instant minimum score",
        description="A detection below this score is ignored outright (0..1).",
    )
    confirm_score: Score = Field(
        0.5,
        title="Confirmation score",
        description="Median score over a track needed to confirm a violation (0..1).",
    )
    min_area: Score = Field(
        0.0,
        title="Minimum box area",
        description="Smallest box area as a fraction of the frame area (0..1).",
    )
    max_area: Score = Field(
        1.0,
        title="Maximum box area",
        description="Largest box area as a fraction of the frame area (0..1).",
    )
    min_aspect: float = Field(
        0.0, ge=0.0, title="Minimum aspect", description="Smallest box width/height ratio."
    )
    max_aspect: float = Field(
        100.0, gt=0.0, title="Maximum aspect", description="Largest box width/height ratio."
    )
    dwell_s: float = Field(
        0.0,
        ge=0.0,
        le=86400.0,
        title="Dwell time",
        description="Seconds an object must stay before it counts as a violation.",
    )

    @model_validator(mode="after")
    def _confirm_not_below_min(self) -> ClassThresholds:
        if self.confirm_score < self.min_score:
            raise ValueError(
                f"confirm_score {self.confirm_score} is below min_score {self.min_score}; "
                "a track's median can never pass a gate lower than its members"
            )
        return self

    @model_validator(mode="after")
    def _ranges_ordered(self) -> ClassThresholds:
        if self.min_area > self.max_area:
            raise ValueError(f"min_area {self.min_area} is above max_area {self.max_area}")
        if self.min_aspect > self.max_aspect:
            raise ValueError(f"min_aspect {self.min_aspect} is above max_aspect {self.max_aspect}")
        return self


class ClassOverlay(Frozen):
    """A partial :class:`ClassThresholds`: only the fields given replace local values."""

    min_score: Score | None = Field(None, description="See ClassThresholds.min_score.")
    confirm_score: Score | None = Field(None, description="See ClassThresholds.confirm_score.")
    min_area: Score | None = Field(None, description="See ClassThresholds.min_area.")
    max_area: Score | None = Field(None, description="See ClassThresholds.max_area.")
    min_aspect: float | None = Field(None, ge=0.0, description="See ClassThresholds.min_aspect.")
    max_aspect: float | None = Field(None, gt=0.0, description="See ClassThresholds.max_aspect.")
    dwell_s: float | None = Field(None, ge=0.0, le=86400.0, description="See ClassThresholds.")


class ZoneKind(str, Enum):
    """Whether a zone admits or removes detections, or only names a place."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    AREA = "area"


class Zone(Frozen):
    """An image polygon that admits (include), removes (exclude) or only names a place (area)."""

    name: Name = Field(title="Zone name", description="Unique name, used by schedules/permits.")
    kind: ZoneKind = Field(
        ZoneKind.INCLUDE,
        title="Kind",
        description=(
            "'include' admits (its classes are reported only inside include zones), 'exclude' "
            "removes, 'area' admits and removes nothing: a place that schedules and permits name."
        ),
    )
    polygon: list[Point] = Field(
        min_length=3,
        title="Polygon",
        description="At least three [x, y] points, normalised to 0..1 of the frame.",
    )
    classes: list[Label] = Field(
        default_factory=list,
        title="Classes",
        description="Classes the zone applies to; empty means all classes.",
    )


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimeWindow(Frozen):
    """A weekly local-time window; an end at or before the start wraps past midnight."""

    days: list[Weekday] = Field(
        default_factory=lambda: list(ALL_DAYS),
        min_length=1,
        title="Days",
        description="Days the window starts on (mon..sun).",
    )
    start: time = Field(title="Start", description="Local start time, HH:MM.")
    end: time = Field(title="End", description="Local end time, HH:MM; <= start wraps midnight.")

    @field_validator("start", "end")
    @classmethod
    def _local(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError(
                "give a local time HH:MM without a UTC offset (the device's timezone applies)"
            )
        return value


class ScheduleEffect(str, Enum):
    """What a schedule's windows mean for its classes."""

    ALLOW = "allow"
    ENFORCE = "enforce"


class Schedule(Frozen):
    """Weekly arming windows per class and zone.

    ``allow``: the classes are tolerated during the windows (e.g. breakfast stalls 06:00-09:00).
    ``enforce``: the classes are reported only during the windows.
    """

    name: Name = Field(title="Schedule name", description="Unique name.")
    effect: ScheduleEffect = Field(title="Effect", description="'allow' or 'enforce'.")
    classes: list[Label] = Field(
        default_factory=list, title="Classes", description="Classes; empty means all."
    )
    zones: list[Name] = Field(
        default_factory=list, title="Zones", description="Zone names; empty means everywhere."
    )
    windows: list[TimeWindow] = Field(
        min_length=1, title="Windows", description="The weekly time windows."
    )


class GeoPoint(Frozen):
    """A WGS-84 position."""

    lat: float = Field(ge=-90.0, le=90.0, title="Latitude", description="WGS-84 degrees.")
    lon: float = Field(ge=-180.0, le=180.0, title="Longitude", description="WGS-84 degrees.")


class Permit(Frozen):
    """Permission for some classes in an image zone or around a place, until it expires."""

    name: Name = Field(title="Permit name", description="Permit reference, e.g. its number.")
    holder: str | None = Field(None, max_length=200, description="Who holds the permit.")
    classes: list[Label] = Field(
        min_length=1, title="Classes", description="Classes the permit allows."
    )
    zone: Name | None = Field(None, description="Image zone the permit covers.")
    point: GeoPoint | None = Field(None, description="Centre of the permitted place.")
    radius_m: float = Field(25.0, gt=0.0, le=5000.0, description="Radius around point, metres.")
    valid_from: date | None = Field(None, description="First valid day (local), if any.")
    valid_until: date = Field(description="Last valid day (local); expired permits are ignored.")

    @model_validator(mode="after")
    def _zone_or_point(self) -> Permit:
        if (self.zone is None) == (self.point is None):
            raise ValueError("give exactly one of 'zone' or 'point'")
        if self.valid_from is not None and self.valid_from > self.valid_until:
            raise ValueError(f"valid_from {self.valid_from} is after valid_until")
        return self


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} is used twice")
        seen.add(name)


class Tunables(Frozen):
    """The effective tunable settings of one device."""

    classes: dict[Label, ClassThresholds] = Field(
        default_factory=dict,
        title="Classes",
        description="Thresholds per violation class; a class not listed is not reported.",
    )
    zones: list[Zone] = Field(default_factory=list, description="Image zones.")
    schedules: list[Schedule] = Field(default_factory=list, description="Arming schedules.")
    permits: list[Permit] = Field(default_factory=list, description="Permits.")

    @model_validator(mode="after")
    def _names_unique(self) -> Tunables:
        _unique([z.name for z in self.zones], "zone")
        _unique([s.name for s in self.schedules], "schedule")
        _unique([p.name for p in self.permits], "permit")
        return self

    @model_validator(mode="after")
    def _references_exist(self) -> Tunables:
        zones = {z.name for z in self.zones}
        for schedule in self.schedules:
            for zone in schedule.zones:
                if zone not in zones:
                    raise ValueError(f"schedule {schedule.name!r} names unknown zone {zone!r}")
        for permit in self.permits:
            if permit.zone is not None and permit.zone not in zones:
                raise ValueError(f"permit {permit.name!r} names unknown zone {permit.zone!r}")
        return self

    def overlaid(self, overlay: TunableOverlay) -> Tunables:
        """Return these settings with ``overlay`` applied (validated as a whole).

        Classes merge per class and per field; zones, schedules and permits, when given,
        replace the local lists whole.
        """
        classes = dict(self.classes)
        for label, patch in (overlay.classes or {}).items():
            base = classes.get(label, ClassThresholds())
            changes = patch.model_dump(exclude_none=True)
            classes[label] = ClassThresholds.model_validate(base.model_dump() | changes)
        return Tunables(
            classes=classes,
            zones=self.zones if overlay.zones is None else overlay.zones,
            schedules=self.schedules if overlay.schedules is None else overlay.schedules,
            permits=self.permits if overlay.permits is None else overlay.permits,
        )


class TunableOverlay(Frozen):
    """The tunable fields a config push may set; a field left out keeps the local value."""

    classes: dict[Label, ClassOverlay] | None = Field(
        None, description="Per-class, per-field threshold changes."
    )
    zones: list[Zone] | None = Field(None, description="Replaces the local zones when given.")
    schedules: list[Schedule] | None = Field(
        None, description="Replaces the local schedules when given."
    )
    permits: list[Permit] | None = Field(None, description="Replaces the local permits.")
