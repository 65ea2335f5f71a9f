"""Tunable settings and the config-push overlay semantics."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from contracts import (
    ClassOverlay,
    ClassThresholds,
    Permit,
    Schedule,
    TimeWindow,
    TunableOverlay,
    Tunables,
    Zone,
)

SIDEWALK = Zone(name="sidewalk", polygon=[(0.0, 0.5), (1.0, 0.5), (1.0, 1.0)])


def _local() -> Tunables:
    return Tunables(
        classes={
            "garbage": ClassThresholds(min_score=0.3, confirm_score=0.5),
            "street_vending": ClassThresholds(confirm_score=0.6, dwell_s=120.0),
        },
        zones=[SIDEWALK],
        schedules=[
            Schedule(
                name="breakfast",
                effect="allow",
                classes=["street_vending"],
                zones=["sidewalk"],
                windows=[TimeWindow(start="06:00", end="09:00")],
            )
        ],
    )


def test_empty_overlay_changes_nothing() -> None:
    assert _local().overlaid(TunableOverlay()) == _local()


def test_class_overlay_merges_per_field() -> None:
    tuned = _local().overlaid(TunableOverlay(classes={"garbage": ClassOverlay(confirm_score=0.65)}))
    assert tuned.classes["garbage"] == ClassThresholds(min_score=0.3, confirm_score=0.65)
    assert tuned.classes["street_vending"] == _local().classes["street_vending"]
    assert tuned.zones == _local().zones and tuned.schedules == _local().schedules


def test_list_fields_replace_whole() -> None:
    tuned = _local().overlaid(TunableOverlay(schedules=[], zones=[SIDEWALK]))
    assert tuned.schedules == []


def test_overlay_result_is_validated() -> None:
    with pytest.raises(ValidationError, match="below min_score"):
        _local().overlaid(TunableOverlay(classes={"garbage": ClassOverlay(confirm_score=0.1)}))
    with pytest.raises(ValidationError, match="unknown zone"):
        _local().overlaid(TunableOverlay(zones=[]))


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"min_score": 0.7, "confirm_score": 0.5}, "below min_score"),
        ({"min_area": 0.5, "max_area": 0.1}, "min_area"),
        ({"min_aspect": 3.0, "max_aspect": 2.0}, "min_aspect"),
        ({"confirm_score": 1.5}, "less than or equal to 1"),
    ],
)
def test_bad_thresholds_are_refused(fields: dict[str, float], reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        ClassThresholds.model_validate(fields)


def test_permit_needs_exactly_one_place() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        Permit(name="p1", classes=["street_vending"], valid_until=date(2027, 1, 1))
    permit = Permit(
        name="p1",
        classes=["street_vending"],
        point={"lat": 31.2, "lon": 121.4},
        valid_until=date(2027, 1, 1),
    )
    assert permit.radius_m == 25.0


def test_names_are_unique() -> None:
    with pytest.raises(ValidationError, match="used twice"):
        Tunables(zones=[SIDEWALK, SIDEWALK])


def test_zone_polygon_is_normalised() -> None:
    with pytest.raises(ValidationError):
        Zone(name="z", polygon=[(0.0, 0.0), (1.5, 0.0), (1.0, 1.0)])
