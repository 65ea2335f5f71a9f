"""Populate a street: scenery, legal shop signs, violations, look-alikes and clutter.

Placement is rejection sampling: ask :mod:`zones` for a spot, keep it when it keeps clear of
what is already there and passes the caller's test (e.g. "the camera can see it").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from training.synth.primitives import Mount
from training.synth.scene import Placed, distance_ok
from training.synth.scenery import Scenery
from training.synth.street import SIDES, Street
from training.synth.taxonomy import CLASS_NAMES, CLUTTER, LOOKALIKES, Kind, violation_kinds
from training.synth.zones import Context, Spot, propose

SCENERY_ID_BASE = 100_000
"""Scenery ids start here; tracked objects count up from 1."""

Accept = Callable[[Kind, Spot], bool]


@dataclass(frozen=True)
class Counts:
    """How many objects of each group to try to place.

    Attributes:
        violations: labelled objects (class drawn uniformly, then kind).
        lookalikes: negatives that resemble a class.
        pedestrians: people without bags.
        bike_rows: rows of parked bicycles.
        cars: parked cars.
    """

    violations: int
    lookalikes: int
    pedestrians: int
    bike_rows: int
    cars: int


def sample_counts(rng: np.random.Generator) -> Counts:
    """Counts for one still image (about 3 % of images get no violation placed)."""
    violations = int(rng.choice(8, p=[0.03, 0.06, 0.12, 0.18, 0.2, 0.18, 0.13, 0.1]))
    return Counts(
        violations,
        int(rng.integers(0, 4)),
        int(rng.integers(0, 6)),
        int(rng.integers(0, 3)),
        int(rng.integers(0, 4)),
    )


def scenery(rng: np.random.Generator, street: Street, s_lo: float, s_hi: float) -> list[Placed]:
    """Trees, lamps, poles, electric boxes and railings between ``s_lo`` and ``s_hi``."""
    out: list[Placed] = []

    def add(
        kind: Scenery,
        s: float,
        t: float,
        heading: float,
        *,
        mount: Mount | None = None,
        radius: float = 0.4,
    ) -> None:
        out.append(
            Placed(
                SCENERY_ID_BASE + len(out),
                kind,
                s,
                t,
                heading,
                int(rng.integers(0, 2**31)),
                mount or Mount(),
                radius=radius,
            )
        )

    for s, side in street.trees:
        if s_lo <= s <= s_hi:
            add(Scenery.TREE, s, side * (street.road_half + 0.9), street.facing_road(side))
    for side in SIDES:
        heading = street.facing_road(side)
        gap = float(rng.uniform(25, 40))
        for s in np.arange(s_lo + float(rng.uniform(0, gap)), s_hi, gap):
            add(Scenery.LAMP, float(s), side * (street.road_half + 0.4), heading)
        for s in np.arange(s_lo + float(rng.uniform(0, 60)), s_hi, float(rng.uniform(40, 80))):
            add(Scenery.UTILITY_POLE, float(s), side * (street.road_half + 0.5), heading)
        for _ in range(int(rng.integers(0, 3))):
            t = street.facade_t(side) - side * 0.5
            add(Scenery.ELECTRIC_BOX, float(rng.uniform(s_lo, s_hi)), t, heading, radius=0.8)
        if street.railing:
            for s in np.arange(s_lo, s_hi, 22.0):
                add(
                    Scenery.RAILING,
                    float(s) + 10.0,
                    side * (street.road_half + 0.05),
                    heading,
                    mount=Mount(width=20.0),
                    radius=0.0,
                )
    return out


def posts_of(items: list[Placed]) -> tuple[tuple[float, float], ...]:
    """Where small ads can be stuck: poles, lamps and trees."""
    kinds = {Scenery.UTILITY_POLE, Scenery.LAMP, Scenery.TREE}
    return tuple((p.s, p.t) for p in items if p.kind in kinds)


class Populator:
    """Accumulates tracked objects with ids and keeps them apart."""

    def __init__(
        self,
        rng: np.random.Generator,
        ctx: Context,
        accept: Accept,
        occupied: list[tuple[float, float, float]],
    ) -> None:
        self.rng, self.ctx, self.accept = rng, ctx, accept
        self.occupied = list(occupied)
        self.placed: list[Placed] = []
        self.claimed_buildings: set[int] = set()

    def add(self, kind: Kind, spot: Spot) -> Placed:
        """Record one object at ``spot``."""
        obj = Placed(
            len(self.placed) + 1,
            kind,
            spot.s,
            spot.t,
            spot.heading_deg,
            int(self.rng.integers(0, 2**31)),
            spot.mount,
            spot.on_wall,
            radius=max(spot.radius, 0.5),
        )
        self.placed.append(obj)
        if spot.radius > 0:
            self.occupied.append((spot.s, spot.t, spot.radius))
        if kind == Kind.OVERSIZED_SIGN and spot.mount.variant == "huge":
            self.claimed_buildings.add(spot.building)
        return obj

    def try_place(self, kind: Kind, tries: int = 12) -> Placed | None:
        """Place one ``kind`` if a clear, accepted spot turns up within ``tries``."""
        for _ in range(tries):
            spot = propose(kind, self.rng, self.ctx)
            if spot is None:
                continue
            if spot.radius > 0 and not distance_ok(self.occupied, spot.s, spot.t, spot.radius):
                continue
            if spot.on_wall and spot.building in self.claimed_buildings:
                continue
            if self.accept(kind, spot):
                return self.add(kind, spot)
        return None

    def bike_row(self) -> None:
        """A row of 2–8 parked bicycles side by side."""
        spot = propose(Kind.BICYCLE, self.rng, self.ctx)
        if spot is None or not self.accept(Kind.BICYCLE, spot):
            return
        n = int(self.rng.integers(2, 9))
        length = 0.65 * n
        if not distance_ok(self.occupied, spot.s + length / 2, spot.t, length / 2 + 0.3):
            return
        for k in range(n):
            jitter = float(self.rng.uniform(-6, 6))
            self.add(
                Kind.BICYCLE,
                replace(
                    spot, s=spot.s + 0.65 * k, heading_deg=spot.heading_deg + jitter, radius=0.0
                ),
            )
        self.occupied.append((spot.s + length / 2, spot.t, length / 2 + 0.3))

    def shop_signs(self) -> None:
        """A legal sign over every shop in range (unless an oversized one took its place)."""
        st = self.ctx.street
        for i, b in enumerate(st.buildings):
            if not b.is_shop or i in self.claimed_buildings or b.width < 2.5:
                continue
            if b.s1 < self.ctx.s_lo - 15 or b.s0 > self.ctx.s_hi + 15:
                continue
            h = float(self.rng.uniform(0.7, 0.95))
            mount = Mount(
                "band", b.width - float(self.rng.uniform(0.3, 1.0)), h, b.ground_floor - h - 0.1
            )
            spot = Spot(
                (b.s0 + b.s1) / 2,
                st.facade_t(b.side),
                st.facing_road(b.side),
                mount,
                on_wall=True,
                radius=0.0,
                building=i,
            )
            self.add(Kind.SHOP_SIGN, spot)


def random_violation(rng: np.random.Generator) -> Kind:
    """A violation kind: class uniform, then kind uniform within the class."""
    kinds = violation_kinds(int(rng.integers(len(CLASS_NAMES))))
    return kinds[int(rng.integers(len(kinds)))]


def populate(
    rng: np.random.Generator,
    ctx: Context,
    counts: Counts,
    accept: Accept,
    occupied: list[tuple[float, float, float]],
    *,
    tries: int = 12,
) -> list[Placed]:
    """Tracked objects for one scene (ids from 1), shop signs last.

    Violations get ``tries`` attempts each to find a clear, accepted spot; others get 12.
    """
    pop = Populator(rng, ctx, accept, occupied)
    for _ in range(counts.violations):
        pop.try_place(random_violation(rng), tries)
    for _ in range(counts.lookalikes):
        pop.try_place(LOOKALIKES[1 + int(rng.integers(len(LOOKALIKES) - 1))])
    for _ in range(counts.pedestrians):
        pop.try_place(Kind.PEDESTRIAN_WITH_BAGS if rng.random() < 0.35 else Kind.PEDESTRIAN)
    for _ in range(counts.bike_rows):
        pop.bike_row()
    for _ in range(counts.cars):
        pop.try_place(CLUTTER[2])
    pop.shop_signs()
    return pop.placed
