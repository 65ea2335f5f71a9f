"""Read zones drawn in LabelMe: its JSON file's polygons and rectangles, named by label.

A label ``include:NAME``, ``exclude:NAME`` or ``area:NAME`` gives the zone's kind; a plain
``NAME`` takes the default kind. A line ``classes: a, b`` in a shape's description limits
that zone to those classes instead of the default ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from streetwatch.errors import UserError
from streetwatch.zones.edit import PixelPoint

KINDS = ("include", "exclude", "area")
ZONE_SHAPES = ("polygon", "rectangle")
ASPECT_TOLERANCE = 0.01
"""Largest relative difference of width/height ratios still taken as the same camera view."""


class Shape(BaseModel):
    """One LabelMe shape (keys this tool does not use are ignored)."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    label: str
    points: tuple[tuple[float, float], ...]
    shape_type: str = "polygon"
    description: str | None = None


class Annotation(BaseModel):
    """A LabelMe file: the annotated image's size and its shapes."""

    model_config = ConfigDict(frozen=True)

    width: PositiveInt = Field(alias="imageWidth")
    height: PositiveInt = Field(alias="imageHeight")
    shapes: tuple[Shape, ...]


@dataclass(frozen=True)
class DrawnZone:
    """A zone drawn in LabelMe, still in pixels of the annotated image."""

    name: str
    kind: str
    points: tuple[PixelPoint, ...]
    classes: tuple[str, ...]


def read_annotation(path: Path) -> Annotation:
    """Return the LabelMe file at ``path``.

    Raises:
        UserError: the file is missing, unreadable, not JSON or not a LabelMe file.
    """
    if not path.exists():
        raise UserError(f"LabelMe file {path} does not exist")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"LabelMe file {path} cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"LabelMe file {path} cannot be read: it is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"LabelMe file {path} is not JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    try:
        return Annotation.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        raise UserError(f"{path} is not a LabelMe file ({where}: {first['msg']})") from None


def check_view(annotation: Annotation, path: Path, width: int, height: int) -> None:
    """Check that ``annotation`` shows the same view as a ``width`` x ``height`` frame.

    Raises:
        UserError: the annotated image has another aspect ratio (another camera or crop).
    """
    drawn = annotation.width / annotation.height
    if abs(drawn / (width / height) - 1.0) > ASPECT_TOLERANCE:
        raise UserError(
            f"{path} was drawn on a {annotation.width}x{annotation.height} image but the "
            f"camera frame is {width}x{height}, another aspect ratio: annotate a "
            "`zones draw` PNG of this camera"
        )


def drawn_zones(
    annotation: Annotation, path: Path, kind: str | None, classes: Sequence[str]
) -> tuple[DrawnZone, ...]:
    """Return the zones of ``annotation``; ``kind`` and ``classes`` are the defaults.

    Raises:
        UserError: the file has no shapes, a shape is not a polygon or rectangle, a label is
            empty, has an unknown prefix or repeats, or a shape has no kind.
    """
    if not annotation.shapes:
        raise UserError(f"{path} holds no shapes: draw polygons on the image in LabelMe")
    zones: list[DrawnZone] = []
    for shape in annotation.shapes:
        name, shape_kind = _name_and_kind(shape.label, kind)
        if name in (zone.name for zone in zones):
            raise UserError(f"two shapes in {path} are labelled {name!r}; zone names are unique")
        zones.append(
            DrawnZone(name, shape_kind, _corners(shape, name), _classes(shape) or tuple(classes))
        )
    return tuple(zones)


def _name_and_kind(label: str, default: str | None) -> tuple[str, str]:
    prefix, colon, rest = label.partition(":")
    if colon and prefix.strip().lower() in KINDS:
        name, kind = rest.strip(), prefix.strip().lower()
    elif colon:
        raise UserError(f"shape {label!r} has an unknown prefix: use include:, exclude: or area:")
    else:
        name, kind = label.strip(), default or ""
    if not name:
        raise UserError(f"a shape labelled {label!r} has no zone name")
    if not kind:
        raise UserError(f"shape {label!r} has no include:/exclude:/area: prefix; give --kind")
    return name, kind


def _corners(shape: Shape, name: str) -> tuple[PixelPoint, ...]:
    if shape.shape_type not in ZONE_SHAPES:
        raise UserError(
            f"shape {name!r} is a {shape.shape_type}: only polygons and rectangles can be zones"
        )
    if shape.shape_type == "rectangle":
        if len(shape.points) != 2:
            raise UserError(f"rectangle {name!r} has {len(shape.points)} points, not 2 corners")
        (x1, y1), (x2, y2) = shape.points
        return ((x1, y1), (x2, y1), (x2, y2), (x1, y2))
    if len(shape.points) < 3:
        raise UserError(f"polygon {name!r} has {len(shape.points)} points; a zone needs three")
    return shape.points


def _classes(shape: Shape) -> tuple[str, ...]:
    for line in (shape.description or "").splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() == "classes":
            return tuple(item.strip() for item in value.split(",") if item.strip())
    return ()
