"""Taxonomy files, GeoJSON grids and dispatch rules."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from server.config import load_server_config
from server.domain.dispatch import Assignment, DispatchSettings, route
from server.domain.geo import GeoPoint
from server.domain.grids import GridFileError, load_grids, parse_grids
from server.domain.taxonomy import Taxonomy, load_taxonomy
from streetwatch.yamlconf import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TAXONOMY = ROOT / "models" / "taxonomy.yaml"
EXAMPLE_GRIDS = ROOT / "configs" / "grids.geojson"


def test_default_taxonomy_ships_the_cjt214_style_codes() -> None:
    taxonomy = load_taxonomy(DEFAULT_TAXONOMY)
    names = {code: entry.name_zh for code, entry in taxonomy.codes.items()}
    assert names["0102"] == "暴露垃圾"
    assert names["0202"] == "违章张贴悬挂广告牌匾"
    assert names["0203"] == "占道广告牌"
    assert names["0501"] == "无照经营游商"
    assert names["0504"] == "店外经营"
    assert "verify" in taxonomy.standard.lower()
    assert "VERIFY AGAINST YOUR LOCAL STANDARD" in DEFAULT_TAXONOMY.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("label", "device_code", "expected"),
    [
        ("garbage", None, "0102"),
        ("garbage", "0202", "0102"),  # the server's mapping wins over the device's code
        ("street_vending", None, "0501"),
        ("illegal_signage", None, "0203"),
        ("new_class", "0504", "0504"),  # unknown label: the device code, if known here
        ("new_class", "9999", None),
        ("new_class", None, None),
    ],
)
def test_code_for(label: str, device_code: str | None, expected: str | None) -> None:
    assert load_taxonomy(DEFAULT_TAXONOMY).code_for(label, device_code) == expected


TAXONOMY = """\
version: 1
kind: taxonomy
name: t
revision: "1"
codes:
  "0102": {name_zh: 暴露垃圾}
labels:
  garbage: "0102"
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '  garbage: "0102"',
            '  garbage: "0999"',
            "F:8: labels.garbage: code '0999' is not in codes",
        ),
        ("kind: taxonomy", "kind: server", "F:2: kind: 'server' is not allowed"),
        ("name_zh: 暴露垃圾", "name_zh: ''", "F:6: codes.0102.name_zh"),
    ],
)
def test_bad_taxonomy(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TAXONOMY.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, Taxonomy, environ={})
    assert caught.value.errors[0].startswith(expected.replace("F:", f"{path}:"))


@pytest.mark.parametrize(
    ("point", "grid"),
    [
        (GeoPoint(31.19345, 121.43712), "XH-CX-01"),
        (GeoPoint(31.19, 121.45), "XH-CX-02"),
        (GeoPoint(31.19, 121.445), "XH-CX-01"),  # on the shared edge: the lower id of equals
        (GeoPoint(31.230416, 121.473701), "HP-NJ-01"),
        (GeoPoint(31.0, 121.0), None),
    ],
)
def test_example_grids(point: GeoPoint, grid: str | None) -> None:
    found = load_grids(EXAMPLE_GRIDS).locate(point)
    assert (found.grid_id if found else None) == grid


def _square(grid_id: str, lon: float, lat: float, size: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {
        "type": "Feature",
        "properties": {"grid_id": grid_id},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_smallest_nested_grid_wins() -> None:
    grids = parse_grids(
        {
            "type": "FeatureCollection",
            "features": [_square("big", 0, 0, 10), _square("small", 4, 4, 2)],
        },
        "mem",
    )
    assert [
        g.grid_id for g in [grids.locate(GeoPoint(5, 5)), grids.locate(GeoPoint(1, 1))] if g
    ] == [
        "small",
        "big",
    ]


BAD_GRIDS = [
    ("not a collection", {"type": "Feature"}, "mem: not a GeoJSON FeatureCollection"),
    (
        "no grid_id",
        {"type": "FeatureCollection", "features": [{**_square("a", 0, 0, 1), "properties": {}}]},
        "mem: features[0]: needs a 'grid_id' property",
    ),
    (
        "a point",
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"grid_id": "p"}, "geometry": {"type": "Point"}}
            ],
        },
        "mem: features[0]: geometry must be a Polygon or MultiPolygon, not Point",
    ),
    (
        "repeated id",
        {"type": "FeatureCollection", "features": [_square("a", 0, 0, 1), _square("a", 2, 2, 1)]},
        "mem: features[1]: grid_id 'a' repeats",
    ),
    (
        "self-crossing",
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"grid_id": "bow"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                    },
                }
            ],
        },
        "mem: features[0]: the Polygon of grid 'bow' is empty or self-crossing",
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"), [b[1:] for b in BAD_GRIDS], ids=[b[0] for b in BAD_GRIDS]
)
def test_bad_grids(data: object, expected: str) -> None:
    with pytest.raises(GridFileError) as caught:
        parse_grids(data, "mem")
    assert str(caught.value).startswith(expected)


def test_grid_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "g.geojson"
    bad.write_text('{"type": "FeatureCollection",\n "features": [', encoding="utf-8")
    with pytest.raises(GridFileError, match=r"g\.geojson:2: not valid JSON"):
        load_grids(bad)
    with pytest.raises(GridFileError, match="no such grid file"):
        load_grids(tmp_path / "missing.geojson")
    json.loads(EXAMPLE_GRIDS.read_text(encoding="utf-8"))  # the example is plain JSON


DISPATCH = load_server_config(ROOT / "configs" / "server.yaml").dispatch


@pytest.mark.parametrize(
    ("code", "grid", "expected"),
    [
        ("0102", "XH-CX-01", Assignment("xuhui-sanitation", timedelta(hours=4), "rules[0]")),
        ("0501", "XH-CX-02", Assignment("xuhui-enforcement", timedelta(hours=2), "rules[1]")),
        ("0203", "XH-CX-01", Assignment("xuhui-ads", timedelta(hours=24), "rules[2]")),
        ("0504", "HP-NJ-01", Assignment("huangpu-enforcement", timedelta(hours=8), "rules[3]")),
        ("0102", None, None),  # outside every grid, no fallback: an operator dispatches
        ("0102", "OTHER", None),
    ],
)
def test_example_dispatch_rules(code: str, grid: str | None, expected: Assignment | None) -> None:
    assert route(DISPATCH, code, grid) == expected


def test_fallback_and_star_rules() -> None:
    settings = DispatchSettings.model_validate(
        {
            "departments": {"a": {"name": "A"}, "b": {"name": "B"}},
            "rules": [{"codes": ["*"], "department": "a", "deadline_h": 1}],
            "fallback": {"department": "b", "deadline_h": 2},
        }
    )
    assert route(settings, "0102", None) == Assignment("a", timedelta(hours=1), "rules[0]")
    only_fallback = settings.model_copy(update={"rules": []})
    assert route(only_fallback, "x", "g") == Assignment("b", timedelta(hours=2), "fallback")


def test_rules_must_name_known_departments() -> None:
    with pytest.raises(ValueError, match="department 'nope' is not in departments"):
        DispatchSettings.model_validate(
            {"rules": [{"codes": ["*"], "department": "nope", "deadline_h": 1}]}
        )
