"""Where each kind of object may stand on a street: one proposal per call, drawn at random.

A proposal is a :class:`Spot`; the caller checks spacing and visibility and may ask again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from training.synth.primitives import Mount
from training.synth.street import SIDES, Building, Street
from training.synth.taxonomy import Kind


@dataclass(frozen=True)
class Spot:
    """A proposed placement.

    Attributes:
        s: along-street metres.
        t: across-street metres.
        heading_deg: compass heading of the front.
        mount: builder hints.
        on_wall: drawn in the facade layer.
        radius: footprint radius for spacing, metres.
        building: index into ``street.buildings`` the object is fixed to, or -1.
    """

    s: float
    t: float
    heading_deg: float
    mount: Mount = field(default_factory=Mount)
    on_wall: bool = False
    radius: float = 1.0
    building: int = -1


@dataclass(frozen=True)
class Context:
    """What a proposal may use.

    Attributes:
        street: the layout.
        s_lo: lowest ``s`` to use.
        s_hi: highest ``s`` to use.
        posts: ``(s, t)`` of poles, trees and boxes small ads can be stuck on.
        near_bias: exponent > 1 favours small ``s`` (objects near a still camera).
    """

    street: Street
    s_lo: float
    s_hi: float
    posts: tuple[tuple[float, float], ...] = ()
    near_bias: float = 1.0


def _side(rng: np.random.Generator) -> int:
    return SIDES[int(rng.integers(2))]


def _sidewalk_t(
    rng: np.random.Generator, st: Street, side: int, inner: float, outer: float
) -> float | None:
    width = st.sidewalk(side)
    if width < inner + outer:
        return None
    return side * (st.road_half + float(rng.uniform(inner, width - outer)))


def _along(rng: np.random.Generator, st: Street, ctx: Context) -> float:
    del st
    return ctx.s_lo + (ctx.s_hi - ctx.s_lo) * float(float(rng.random()) ** ctx.near_bias)


def _parallel(rng: np.random.Generator, st: Street, side: int) -> float:
    base = st.bearing_deg if side < 0 else st.bearing_deg + 180.0
    return (base + float(rng.uniform(-8, 8))) % 360.0


def _buildings(ctx: Context, shops_only: bool, min_width: float = 0.0) -> list[int]:
    return [
        i
        for i, b in enumerate(ctx.street.buildings)
        if b.s1 > ctx.s_lo
        and b.s0 < ctx.s_hi
        and (b.is_shop or not shops_only)
        and b.width >= min_width
    ]


def _on_sidewalk(
    rng: np.random.Generator,
    ctx: Context,
    inner: float,
    outer: float,
    radius: float,
    *,
    jitter_deg: float = 20.0,
) -> Spot | None:
    st, side = ctx.street, _side(rng)
    t = _sidewalk_t(rng, st, side, inner, outer)
    if t is None:
        return None
    heading = st.facing_road(side) + float(rng.uniform(-jitter_deg, jitter_deg))
    return Spot(_along(rng, st, ctx), t, heading % 360.0, radius=radius)


def _road_edge(
    rng: np.random.Generator, ctx: Context, offset: float, radius: float, parallel: bool
) -> Spot:
    st, side = ctx.street, _side(rng)
    heading = _parallel(rng, st, side) if parallel else st.facing_road(side)
    return Spot(_along(rng, st, ctx), side * (st.road_half - offset), heading, radius=radius)


def _at_building(
    rng: np.random.Generator, ctx: Context, depth: float, radius: float, shops_only: bool = True
) -> Spot | None:
    options = _buildings(ctx, shops_only, min_width=3.0)
    if not options:
        return None
    i = options[int(rng.integers(len(options)))]
    b = ctx.street.buildings[i]
    s = float(rng.uniform(b.s0 + 1.2, b.s1 - 1.2))
    t = ctx.street.facade_t(b.side) - b.side * depth
    return Spot(s, t, ctx.street.facing_road(b.side), radius=radius, building=i)


def _on_facade(
    rng: np.random.Generator, ctx: Context, b_index: int, mount: Mount, s: float | None = None
) -> Spot:
    st = ctx.street
    b: Building = st.buildings[b_index]
    s = (b.s0 + b.s1) / 2 if s is None else s
    return Spot(
        s,
        st.facade_t(b.side),
        st.facing_road(b.side),
        mount,
        on_wall=True,
        radius=0.0,
        building=b_index,
    )


def propose(kind: Kind, rng: np.random.Generator, ctx: Context) -> Spot | None:
    """One random spot for ``kind``, or ``None`` when this street has no room for it."""
    return _PROPOSERS[kind](rng, ctx)


def _stall(rng: np.random.Generator, ctx: Context) -> Spot | None:
    return _on_sidewalk(rng, ctx, 1.3, 1.0, 1.5) or _road_edge(rng, ctx, 1.5, 1.5, False)


def _canopy(rng: np.random.Generator, ctx: Context) -> Spot | None:
    return _on_sidewalk(rng, ctx, 1.6, 1.4, 1.8) or _road_edge(rng, ctx, 1.7, 1.8, False)


def _cart(rng: np.random.Generator, ctx: Context) -> Spot | None:
    if rng.random() < 0.5:
        spot = _on_sidewalk(rng, ctx, 0.9, 0.8, 1.4)
        if spot is not None:
            return Spot(
                spot.s, spot.t, _parallel(rng, ctx.street, 1 if spot.t > 0 else -1), radius=1.4
            )
    return _road_edge(rng, ctx, 0.9, 1.4, True)


def _ground_goods(rng: np.random.Generator, ctx: Context) -> Spot | None:
    return _on_sidewalk(rng, ctx, 0.9, 0.8, 1.4, jitter_deg=35.0)


def _display(rng: np.random.Generator, ctx: Context) -> Spot | None:
    return _at_building(rng, ctx, 0.9, 1.6)


def _garbage(rng: np.random.Generator, ctx: Context) -> Spot | None:
    if rng.random() < 0.2:
        return _road_edge(rng, ctx, 0.7, 1.2, False)
    return _on_sidewalk(rng, ctx, 0.6, 0.6, 1.2, jitter_deg=40.0)


def _bin(rng: np.random.Generator, ctx: Context) -> Spot | None:
    if rng.random() < 0.5:
        return _curbside(rng, ctx)
    return _at_building(rng, ctx, 0.6, 1.0, shops_only=False)


def _curbside(rng: np.random.Generator, ctx: Context) -> Spot:
    st, side = ctx.street, _side(rng)
    return Spot(_along(rng, st, ctx), side * (st.road_half + 0.6), st.facing_road(side), radius=1.0)


def _banner(rng: np.random.Generator, ctx: Context) -> Spot | None:
    st = ctx.street
    roll = rng.random()
    if roll < 0.45:
        options = _buildings(ctx, shops_only=False, min_width=3.5)
        if options:
            i = options[int(rng.integers(len(options)))]
            b = st.buildings[i]
            room = b.height - b.ground_floor
            if room > 1.5:
                width = float(rng.uniform(2.5, b.width - 0.5))
                z = b.ground_floor + float(rng.uniform(0.2, min(room - 1.2, 3.0)))
                return _on_facade(rng, ctx, i, Mount("facade", width, 0.0, z))
    side = _side(rng)
    width = float(rng.uniform(2.5, 6.0))
    heading = st.facing_road(side)
    if roll < 0.7 and st.railing:
        mount = Mount("railing", width, float(rng.uniform(0.5, 0.7)), 0.2)
        return Spot(
            _along(rng, st, ctx), side * (st.road_half + 0.12), heading, mount, radius=width / 2
        )
    mount = Mount("posts", width, 0.0, float(rng.uniform(0.3, 2.4)))
    return Spot(
        _along(rng, st, ctx), side * (st.road_half + 0.35), heading, mount, radius=width / 2
    )


def _board(rng: np.random.Generator, ctx: Context) -> Spot | None:
    spot = (
        _at_building(rng, ctx, float(rng.uniform(0.8, 2.2)), 0.6)
        if rng.random() < 0.6
        else _on_sidewalk(rng, ctx, 0.5, 0.5, 0.6)
    )
    if spot is None:
        return None
    if rng.random() < 0.5:
        side = 1 if spot.t > 0 else -1
        return Spot(spot.s, spot.t, _parallel(rng, ctx.street, side), radius=0.6)
    return spot


def _posters(rng: np.random.Generator, ctx: Context) -> Spot | None:
    st = ctx.street
    if ctx.posts and rng.random() < 0.5:
        s, t = ctx.posts[int(rng.integers(len(ctx.posts)))]
        if ctx.s_lo <= s <= ctx.s_hi:
            side = 1 if t > 0 else -1
            mount = Mount("pole", 0.26, float(rng.uniform(0.6, 1.4)), float(rng.uniform(0.8, 1.5)))
            return Spot(s, t - side * 0.14, st.facing_road(side), mount, radius=0.0)
    options = _buildings(ctx, shops_only=False, min_width=2.0)
    if not options:
        return None
    i = options[int(rng.integers(len(options)))]
    b = st.buildings[i]
    s = float(rng.uniform(b.s0 + 0.8, b.s1 - 0.8))
    return _on_facade(rng, ctx, i, Mount("wall", 0.0, 0.0, float(rng.uniform(0.5, 1.6))), s)


def _oversized(rng: np.random.Generator, ctx: Context) -> Spot | None:
    options = _buildings(ctx, shops_only=True, min_width=3.5)
    if not options:
        return None
    i = options[int(rng.integers(len(options)))]
    b = ctx.street.buildings[i]
    if rng.random() < 0.35 and b.height > b.ground_floor + 5.0:
        z = float(rng.uniform(b.ground_floor, min(b.height - 4.5, b.ground_floor + 1.5)))
        s = b.s0 + 0.6 if rng.random() < 0.5 else b.s1 - 0.6
        return _on_facade(rng, ctx, i, Mount("protruding", 0.0, 0.0, max(z, 3.0)), s)
    room = b.height - b.ground_floor + 1.0
    height = min(float(rng.uniform(1.8, 3.2)), room)
    width = min(b.width * float(rng.uniform(1.0, 1.4)), 12.0)
    return _on_facade(rng, ctx, i, Mount("huge", width, height, b.ground_floor - 1.0))


def _tricycle(rng: np.random.Generator, ctx: Context) -> Spot | None:
    return _cart(rng, ctx)


def _person(rng: np.random.Generator, ctx: Context) -> Spot | None:
    return _on_sidewalk(rng, ctx, 0.3, 0.3, 0.35, jitter_deg=180.0)


def _bicycle(rng: np.random.Generator, ctx: Context) -> Spot | None:
    st, side = ctx.street, _side(rng)
    t = side * (st.road_half + float(rng.uniform(0.9, 1.4)))
    return Spot(_along(rng, st, ctx), t, _parallel(rng, st, side), radius=0.35)


def _car(rng: np.random.Generator, ctx: Context) -> Spot | None:
    st = ctx.street
    return _road_edge(rng, ctx, 1.1 + st.bike_lane * float(rng.random() < 0.3), 2.4, True)


_PROPOSERS = {
    Kind.UMBRELLA_STALL: _stall,
    Kind.CANOPY_STALL: _canopy,
    Kind.TRICYCLE_CART: _cart,
    Kind.GROUND_GOODS: _ground_goods,
    Kind.SHOPFRONT_DISPLAY: _display,
    Kind.GARBAGE_HEAP: _garbage,
    Kind.GARBAGE_BAGS: _garbage,
    Kind.OVERFLOWING_BIN: _bin,
    Kind.SCATTERED_LITTER: _garbage,
    Kind.CLOTH_BANNER: _banner,
    Kind.A_FRAME_SIGN: _board,
    Kind.STANDING_SIGN: _board,
    Kind.POSTERS: _posters,
    Kind.OVERSIZED_SIGN: _oversized,
    Kind.CLEAN_BIN: _bin,
    Kind.DELIVERY_TRICYCLE: _tricycle,
    Kind.PEDESTRIAN_WITH_BAGS: _person,
    Kind.PEDESTRIAN: _person,
    Kind.BICYCLE: _bicycle,
    Kind.CAR: _car,
}
