"""The compositor's drawing primitives and helpers that build them in object-local metres.

An object model is a tuple of primitives in a local frame: ``a`` to the right of someone looking
at the object's front, ``b`` away from that viewer (into the object), ``z`` up; the origin is the
object's ground anchor. :func:`to_world` places a model at a ground point with a front heading.

* :class:`Facet` — a flat-coloured convex planar polygon (box faces, umbrella gores, poles).
* :class:`Quad` — a textured planar rectangle (signs, facades, ground, goods, cloth).
* :class:`Sprite` — an upright textured rectangle that always turns to face the camera
  (people, bags, heaps, tree crowns: things that look alike from every side).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Texture = NDArray[np.uint8]
"""An ``(H, W, 4)`` BGRA image; alpha 0 is transparent."""
Color = tuple[int, int, int]
"""A BGR colour."""


@dataclass(frozen=True)
class Facet:
    """A convex planar polygon of one colour; vertices counter-clockwise seen from the front.

    Attributes:
        points: ``(k, 3)`` vertices.
        color: BGR colour before lighting.
        two_sided: drawn from behind too (else culled).
        layer: 0 for things lying flat under the object (drawn first), 1 otherwise.
        counts: belongs to the object's box and occupancy (False for shadows).
        emissive: ignores the light (lamps, lit boxes).
    """

    points: FloatArray
    color: Color
    two_sided: bool = False
    layer: int = 1
    counts: bool = True
    emissive: bool = False


@dataclass(frozen=True)
class Quad:
    """A textured rectangle: texture pixel (x, y) lies at ``origin + x/W·u + y/H·v``.

    Attributes:
        origin: ``(3,)`` world position of the texture's top-left corner.
        u: ``(3,)`` vector along the texture's width (full width).
        v: ``(3,)`` vector along the texture's height (full height).
        texture: BGRA texture.
        two_sided: drawn from behind (mirrored, or ``back`` when given).
        back: texture shown from behind, if any.
        layer: 0 for flat things under the object, 1 otherwise.
        counts: belongs to the object's box and occupancy.
        emissive: ignores the light.
    """

    origin: FloatArray
    u: FloatArray
    v: FloatArray
    texture: Texture
    two_sided: bool = True
    back: Texture | None = None
    layer: int = 1
    counts: bool = True
    emissive: bool = False


@dataclass(frozen=True)
class Sprite:
    """An upright textured rectangle standing on ``anchor`` and turned to face the camera.

    Attributes:
        anchor: ``(3,)`` bottom-centre point.
        width: metres.
        height: metres.
        texture: BGRA texture.
        counts: belongs to the object's box and occupancy.
        emissive: ignores the light.
    """

    anchor: FloatArray
    width: float
    height: float
    texture: Texture
    counts: bool = True
    emissive: bool = False


Primitive = Facet | Quad | Sprite
Model = tuple[Primitive, ...]


def vec(*values: float) -> FloatArray:
    """A float64 vector."""
    return np.array(values, dtype=np.float64)


def frame_axes(heading_deg: float) -> FloatArray:
    """Columns ``a, b, z`` of an object whose front faces ``heading_deg`` (compass)."""
    h = math.radians(heading_deg)
    nx, ny = math.sin(h), math.cos(h)
    return np.array([[-ny, -nx, 0.0], [nx, -ny, 0.0], [0.0, 0.0, 1.0]])


def to_world(model: Sequence[Primitive], anchor: FloatArray, heading_deg: float) -> Model:
    """Place a local model at ``anchor`` (ENU metres) with its front facing ``heading_deg``."""
    axes = frame_axes(heading_deg)
    out: list[Primitive] = []
    for p in model:
        if isinstance(p, Facet):
            out.append(_replace_facet(p, p.points @ axes.T + anchor))
        elif isinstance(p, Quad):
            out.append(
                Quad(
                    axes @ p.origin + anchor,
                    axes @ p.u,
                    axes @ p.v,
                    p.texture,
                    p.two_sided,
                    p.back,
                    p.layer,
                    p.counts,
                    p.emissive,
                )
            )
        else:
            out.append(
                Sprite(axes @ p.anchor + anchor, p.width, p.height, p.texture, p.counts, p.emissive)
            )
    return tuple(out)


def _replace_facet(f: Facet, points: FloatArray) -> Facet:
    return Facet(points, f.color, f.two_sided, f.layer, f.counts, f.emissive)


@dataclass(frozen=True)
class Mount:
    """How a placed object is fitted to its spot (builders use what applies to them).

    Attributes:
        variant: a builder-specific style (e.g. ``wall``, ``pole``, ``trees`` for signs).
        width: metres across (0: the builder chooses).
        height: metres high (0: the builder chooses).
        elevation: height of the bottom edge above the ground, metres.
    """

    variant: str = ""
    width: float = 0.0
    height: float = 0.0
    elevation: float = 0.0
