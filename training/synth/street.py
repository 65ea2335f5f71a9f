"""The street layout: a straight road with curbs, sidewalks and a row of buildings on each side.

Street coordinates: ``s`` metres along the street (its bearing), ``t`` metres across it, positive
to the left when looking along increasing ``s``; ``t = 0`` is the road's centre line. Side +1 is
the left side, -1 the right side (traffic keeps right, as in China).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from training.synth.camera import FloatArray
from training.synth.drawing import jitter
from training.synth.primitives import Color

LEFT, RIGHT = 1, -1
SIDES = (LEFT, RIGHT)

SIDEWALK_COLORS: tuple[Color, ...] = (
    (150, 152, 155),
    (95, 105, 150),
    (160, 170, 178),
    (120, 128, 135),
    (110, 125, 160),
)
ASPHALT_COLORS: tuple[Color, ...] = ((78, 78, 80), (92, 90, 88), (66, 68, 70), (100, 100, 104))
BIKE_LANE_COLORS: tuple[Color, ...] = ((85, 125, 95), (80, 85, 140), (90, 90, 92), (90, 90, 92))


@dataclass(frozen=True)
class Building:
    """One shopfront or wall segment of a side's building row.

    Attributes:
        side: +1 left, -1 right.
        s0: start along the street, metres.
        s1: end along the street, metres.
        height: roof height, metres.
        ground_floor: height of the ground (shop) floor, metres.
        is_shop: a shopfront with a sign band (else a plain wall or gate).
        style_seed: seed of its look.
    """

    side: int
    s0: float
    s1: float
    height: float
    ground_floor: float
    is_shop: bool
    style_seed: int

    @property
    def width(self) -> float:
        """Frontage in metres."""
        return self.s1 - self.s0


@dataclass(frozen=True)
class Street:
    """A straight street; all objects stand on its ground plane (z = 0).

    Attributes:
        east: ENU east of the point ``s = 0, t = 0``.
        north: ENU north of that point.
        bearing_deg: compass bearing of increasing ``s``.
        road_half: half the road width (curb to curb), metres.
        sidewalk_left: left sidewalk width, metres.
        sidewalk_right: right sidewalk width, metres.
        s_min: street start, metres.
        s_max: street end, metres.
        lanes: motor lanes per direction.
        bike_lane: width of the non-motorised lane at each road edge (0: none).
        double_yellow: centre line style (else dashed white).
        asphalt: road colour.
        pavement: sidewalk colour.
        bike_color: non-motorised lane colour.
        tile_m: sidewalk paving tile size, metres.
        tactile: a yellow tactile paving strip on the sidewalks.
        railing: guard rails along the curbs.
        seed: seed of ground details.
        buildings: both building rows.
        trees: ``(s, side)`` of street trees (their pits are drawn on the ground).
    """

    east: float
    north: float
    bearing_deg: float
    road_half: float
    sidewalk_left: float
    sidewalk_right: float
    s_min: float
    s_max: float
    lanes: int
    bike_lane: float
    double_yellow: bool
    asphalt: Color
    pavement: Color
    bike_color: Color
    tile_m: float
    tactile: bool
    railing: bool
    seed: int
    buildings: tuple[Building, ...]
    trees: tuple[tuple[float, int], ...]

    def sidewalk(self, side: int) -> float:
        """Sidewalk width on one side."""
        return self.sidewalk_left if side == LEFT else self.sidewalk_right

    def facade_t(self, side: int) -> float:
        """``t`` of the building line on one side."""
        return side * (self.road_half + self.sidewalk(side))

    @property
    def half_extent(self) -> float:
        """Largest ``|t|`` of the drawn ground."""
        return self.road_half + max(self.sidewalk_left, self.sidewalk_right) + 1.0

    def axes(self) -> tuple[FloatArray, FloatArray]:
        """Unit ENU vectors of increasing ``s`` and increasing ``t``."""
        b = math.radians(self.bearing_deg)
        return np.array([math.sin(b), math.cos(b), 0.0]), np.array([-math.cos(b), math.sin(b), 0.0])

    @cached_property
    def _trig(self) -> tuple[float, float]:
        b = math.radians(self.bearing_deg)
        return math.sin(b), math.cos(b)

    def world(self, s: float, t: float, z: float = 0.0) -> FloatArray:
        """ENU point of street coordinates."""
        sn, cs = self._trig
        return np.array([self.east + s * sn - t * cs, self.north + s * cs + t * sn, z])

    def to_street(self, east: float, north: float) -> tuple[float, float]:
        """Street ``(s, t)`` of an ENU point."""
        es, et = self.axes()
        d = np.array([east - self.east, north - self.north, 0.0])
        return float(d @ es), float(d @ et)

    def facing_road(self, side: int) -> float:
        """Compass heading of the front of something on ``side`` that faces the road."""
        return (self.bearing_deg + side * 90.0) % 360.0


def make_street(
    rng: np.random.Generator,
    s_min: float,
    s_max: float,
    *,
    east: float = 0.0,
    north: float = 0.0,
    bearing_deg: float | None = None,
) -> Street:
    """Draw a random street layout covering ``s_min..s_max``."""
    lanes = int(rng.choice([1, 1, 2, 2, 3]))
    bike = float(rng.choice([0.0, 2.5, 3.0])) if lanes > 1 else float(rng.choice([0.0, 2.0]))
    road_half = lanes * float(rng.uniform(3.0, 3.6)) + bike
    bearing = float(rng.uniform(0, 360)) if bearing_deg is None else bearing_deg
    seed = int(rng.integers(0, 2**31))
    street = Street(
        east=east,
        north=north,
        bearing_deg=bearing,
        road_half=road_half,
        sidewalk_left=float(rng.uniform(2.5, 7.0)),
        sidewalk_right=float(rng.uniform(2.5, 7.0)),
        s_min=s_min,
        s_max=s_max,
        lanes=lanes,
        bike_lane=bike,
        double_yellow=bool(rng.random() < 0.6) and lanes > 1,
        asphalt=jitter(rng, ASPHALT_COLORS[int(rng.integers(len(ASPHALT_COLORS)))], 8),
        pavement=jitter(rng, SIDEWALK_COLORS[int(rng.integers(len(SIDEWALK_COLORS)))], 12),
        bike_color=BIKE_LANE_COLORS[int(rng.integers(len(BIKE_LANE_COLORS)))],
        tile_m=float(rng.choice([0.3, 0.4, 0.5, 0.6])),
        tactile=bool(rng.random() < 0.6),
        railing=bool(rng.random() < 0.3),
        seed=seed,
        buildings=(),
        trees=(),
    )
    buildings = tuple(b for side in SIDES for b in _row(rng, side, s_min, s_max))
    trees = _trees(rng, s_min, s_max)
    return replace(street, buildings=buildings, trees=trees)


def _row(rng: np.random.Generator, side: int, s_min: float, s_max: float) -> list[Building]:
    out: list[Building] = []
    s = s_min
    storeys = int(rng.integers(2, 7))
    while s < s_max:
        width = float(rng.uniform(3.5, 9.0))
        if rng.random() < 0.25:
            storeys = int(np.clip(storeys + rng.integers(-2, 3), 1, 8))
        ground = float(rng.uniform(3.6, 4.6))
        height = ground + (storeys - 1) * float(rng.uniform(2.9, 3.3))
        out.append(
            Building(
                side,
                s,
                s + width,
                height,
                ground,
                bool(rng.random() < 0.85),
                int(rng.integers(0, 2**31)),
            )
        )
        s += width
    return out


def _trees(rng: np.random.Generator, s_min: float, s_max: float) -> tuple[tuple[float, int], ...]:
    out: list[tuple[float, int]] = []
    for side in SIDES:
        if rng.random() < 0.2:
            continue
        gap = float(rng.uniform(6.0, 12.0))
        s = s_min + float(rng.uniform(0, gap))
        while s < s_max:
            if rng.random() > 0.1:
                out.append((s, side))
            s += gap + float(rng.uniform(-1.0, 1.0))
    return tuple(out)
