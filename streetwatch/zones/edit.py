"""Check zones drawn in pixels and write them into an edge config, keeping its comments.

The file is edited with ruamel.yaml's round-trip mode (comments, key order, flow style and
indentation stay as written), the result is validated whole as an edge config, and only
then does it replace the original (atomically).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent
from shapely.geometry import Polygon  # type: ignore[import-untyped]
from shapely.validation import explain_validity  # type: ignore[import-untyped]

from edge.config import load_edge_config
from streetwatch.errors import UserError
from streetwatch.yamlconf import ConfigError

PixelPoint = tuple[float, float]
POINTS_HINT = 'write x,y pixel pairs separated by spaces, e.g. "10,20 300,20 300,200"'


def parse_points(text: str) -> list[PixelPoint]:
    """Return the ``x,y`` pixel pairs of ``text`` (pairs separated by spaces).

    Raises:
        UserError: a pair is not two numbers, or there are fewer than three.
    """
    points: list[PixelPoint] = []
    for item in text.split():
        parts = item.split(",")
        try:
            x, y = (float(part) for part in parts)
        except ValueError:
            raise UserError(f"bad point {item!r} in --points: {POINTS_HINT}") from None
        points.append((x, y))
    if len(points) < 3:
        raise UserError(f"a zone needs at least three points, got {len(points)}: {POINTS_HINT}")
    return points


def normalise(points: Sequence[PixelPoint], width: int, height: int) -> list[list[float]]:
    """Return ``points`` as 0..1 fractions of a ``width`` x ``height`` frame.

    Raises:
        UserError: a point lies outside the frame, or the polygon is flat or crosses itself.
    """
    for number, (x, y) in enumerate(points, start=1):
        if not (0 <= x <= width and 0 <= y <= height):
            raise UserError(f"point {number} ({x:g},{y:g}) is outside the {width}x{height} frame")
    shape = Polygon(points)
    if shape.convex_hull.area <= 0:
        raise UserError("the polygon has no area: its points lie on one line")
    if not shape.is_valid:
        raise UserError(f"the polygon crosses itself ({explain_validity(shape)}); reorder points")
    return [[round(x / width, 4), round(y / height, 4)] for x, y in points]


def zone_entry(
    name: str, kind: str, polygon: list[list[float]], classes: Sequence[str]
) -> CommentedMap:
    """Return the YAML mapping of one zone, its lists written inline."""
    entry = CommentedMap(name=name, kind=kind)
    if classes:
        entry["classes"] = _flow(list(classes))
    entry["polygon"] = _flow([_flow(point) for point in polygon])
    return entry


def add_zone(path: Path, entry: CommentedMap, *, replace: bool = False) -> None:
    """Add ``entry`` to ``rules.zones`` of the edge config ``path``; see :func:`add_zones`."""
    add_zones(path, [entry], replace=replace)


def add_zones(path: Path, entries: Sequence[CommentedMap], *, replace: bool = False) -> None:
    """Add ``entries`` to ``rules.zones`` of the edge config ``path`` (or replace namesakes).

    The file is written once, with all of them, or not at all.

    Raises:
        UserError: a zone name exists (without ``replace``), or the result is not valid.
        streetwatch.yamlconf.ConfigError: the file is not a valid edge config to begin with.
    """
    load_edge_config(path)
    text = path.read_text(encoding="utf-8-sig")
    yaml = _round_trip(text)
    root = yaml.load(text)
    zones = _zones(root)
    for entry in entries:
        names = [str(zone.get("name")) for zone in zones]
        if entry["name"] in names:
            if not replace:
                raise UserError(
                    f"zone {entry['name']!r} already exists in {path}; use --replace to redraw it"
                )
            zones[names.index(entry["name"])] = entry
        else:
            zones.append(entry)
    _write_checked(path, yaml, root, "zones" if len(entries) > 1 else "zone")


def _zones(root: Any) -> CommentedSeq:
    rules = root.get("rules")
    if rules is None:
        rules = root["rules"] = CommentedMap()
    zones = rules.get("zones")
    if not zones:  # absent, null or an inline []: start a block list
        zones = rules["zones"] = CommentedSeq()
    return cast(CommentedSeq, zones)


def _round_trip(text: str) -> YAML:
    """Return a round-trip YAML that writes with the indentation ``text`` uses."""
    _, sequence, offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=_mapping_indent(text), sequence=sequence or 2, offset=offset or 0)
    return yaml


def _mapping_indent(text: str) -> int:
    """Return the indentation of the first nested mapping key in ``text`` (default 2)."""
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    for parent, child in itertools.pairwise(lines):
        if parent.rstrip().endswith(":") and not parent.startswith(" "):
            stripped = child.lstrip()
            if not stripped.startswith("-"):
                return len(child) - len(stripped) or 2
    return 2


def _write_checked(path: Path, yaml: YAML, root: Any, what: str) -> None:
    scratch = path.with_name(f".{path.name}.zones-tmp")
    with scratch.open("w", encoding="utf-8") as handle:
        yaml.dump(root, handle)
    try:
        load_edge_config(scratch)
    except ConfigError as exc:
        scratch.unlink()
        first = exc.errors[0].replace(str(scratch), str(path))
        raise UserError(f"the {what} would make the config invalid: {first}") from None
    os.replace(scratch, path)


def _flow(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
