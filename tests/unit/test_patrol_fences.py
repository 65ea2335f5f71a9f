"""Geo-fence files of the wrong shape: one FenceError sentence naming the file and the problem,
never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edge.patrol.fences import FenceError, load_fences

SQUARE = [[[121.0, 31.0], [121.001, 31.0], [121.001, 31.001], [121.0, 31.001], [121.0, 31.0]]]
GOOD = {"type": "Polygon", "coordinates": SQUARE}


def feature(properties: object = None, geometry: object = None) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {"name": "street"} if properties is None else properties,
        "geometry": GOOD if geometry is None else geometry,
    }


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"features": {"0": feature()}}, "is not a GeoJSON FeatureCollection"),
        ([feature()], "it needs a 'features' list"),
        ({"type": "FeatureCollection"}, "it needs a 'features' list"),
        ({"features": [7]}, "feature 0: a feature must be an object, not a number"),
        ({"features": [feature("x")]}, "feature 0: 'properties' must be an object, not text"),
        ({"features": [feature({"name": ["a"]})]}, "'name' must be text"),
        ({"features": [feature({"name": "a", "kind": ["x"]})]}, "'kind' must be"),
        ({"features": [feature({"name": "a", "classes": "garbage"})]}, "'classes' must be a list"),
        (
            {"features": [feature(geometry={"type": "Point", "coordinates": [121.0, 31.0]})]},
            "the geometry must be a Polygon or MultiPolygon, not 'Point'",
        ),
        ({"features": [feature(geometry="Polygon")]}, "Polygon or MultiPolygon, not text"),
        ({"features": [feature(geometry={"type": ["Polygon"]})]}, "not ['Polygon']"),
        ({"features": [feature(geometry={"type": "Polygon"})]}, "needs a 'coordinates' list"),
        (
            {"features": [feature(geometry={"type": "Polygon", "coordinates": [[1, 2]]})]},
            "the Polygon coordinates are malformed",
        ),
        (
            {
                "features": [
                    feature(),
                    feature(geometry={"type": "MultiPolygon", "coordinates": [1]}),
                ]
            },
            "feature 1: the MultiPolygon coordinates are malformed",
        ),
        ({"features": [feature({"name": "a", "windows": "17-23"})]}, "'windows' must be a"),
        ({"features": [feature({"name": "a", "windows": []})]}, "'windows' must be a non-empty"),
        (
            {"features": [feature({"name": "a", "windows": [{"start": "25:00", "end": "2:00"}]})]},
            "'windows' entry 0.start: ",
        ),
        (
            {"features": [feature({"name": "a", "windows": [{"days": ["fr"], "end": "2:00"}]})]},
            "'windows' entry 0.days.0: ",
        ),
        (
            {
                "features": [
                    feature({"name": "a", "windows": [{"start": "17:00+08:00", "end": "23:00"}]})
                ]
            },
            "'windows' entry 0.start: Value error, give a local time HH:MM without a UTC offset",
        ),
        ({"features": [feature({"name": "a", "valid_until": "2024-13-01"})]}, "'valid_until' must"),
        ({"features": [feature({"name": "a", "valid_from": 20240101})]}, "'valid_from' must be"),
        (
            {
                "features": [
                    feature({"name": "a", "valid_from": "2025-01-02", "valid_until": "2025-01-01"})
                ]
            },
            "'valid_from' 2025-01-02 is after 'valid_until' 2025-01-01",
        ),
    ],
)
def test_a_malformed_fence_file_is_one_fence_error(
    tmp_path: Path, document: object, expected: str
) -> None:
    path = tmp_path / "fences.geojson"
    path.write_text(json.dumps(document))
    with pytest.raises(FenceError) as caught:
        load_fences(path)
    message = str(caught.value)
    assert expected in message and str(path) in message
    assert "\n" not in message and "Traceback" not in message


def test_a_well_formed_fence_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "fences.geojson"
    document = {"type": "FeatureCollection", "features": [feature({"name": "a"})]}
    path.write_text(json.dumps(document))
    (fence,) = load_fences(path)
    assert fence.name == "a" and fence.kind == "include" and not fence.classes
