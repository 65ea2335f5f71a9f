"""Scenes with a timeline for video clips: a fixed pole camera or a patrol ride.

Fixed clips: objects in the camera's view; some violations appear mid-clip and stay (a vendor
sets up, garbage is dumped), a few leave; a delivery tricycle stops briefly; people walk by and
cars drive through. Moving clips: objects along the ridden stretch on both sides; some garbage
is dumped between passes (seen on the later pass only) and some vendors leave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from training.synth.look import Look, sample_look
from training.synth.placement import Accept, Counts, populate, posts_of, scenery
from training.synth.rigs import Rig, bike_rig, pole_rig
from training.synth.sample import blocks_pole, in_view
from training.synth.scene import Placed, Scene
from training.synth.street import SIDES, Street, make_street
from training.synth.taxonomy import Kind, is_violation
from training.synth.trajectory import TURN_S, Fixed, Ride
from training.synth.zones import Context, Spot


@dataclass(frozen=True)
class Clip:
    """Everything that defines a clip except its frame rate.

    Attributes:
        kind: ``fixed`` or ``moving``.
        scene: the street and its objects with their timelines.
        trajectory: where the camera is at each time.
        rig: the camera family instance.
        look: light and weather (constant over the clip).
        duration_s: clip length, seconds.
        passes: passes along the street (1 for fixed clips).
    """

    kind: str
    scene: Scene
    trajectory: Fixed | Ride
    rig: Rig
    look: Look
    duration_s: float
    passes: int


def make_fixed_clip(seed: int, seconds: float, width: int, height: int) -> Clip:
    """A pole-camera clip of ``seconds``."""
    rng = np.random.default_rng([seed, 0xF1])
    street = make_street(rng, -60.0, 200.0)
    rig = pole_rig(rng, street)
    camera = rig.camera(street, 0.0, width, height)
    props = [p for p in scenery(rng, street, -40.0, 140.0) if not blocks_pole(p, rig.t)]
    ctx = Context(street, -5.0, 55.0, posts_of(props), near_bias=1.3)
    counts = Counts(
        int(rng.integers(3, 7)),
        int(rng.integers(2, 5)),
        int(rng.integers(0, 3)),
        int(rng.integers(0, 2)),
        int(rng.integers(0, 3)),
    )
    occupied = [(p.s, p.t, p.radius) for p in props if p.radius > 0]
    static = populate(rng, ctx, counts, in_view(camera, street, 50.0, rig), occupied, tries=60)
    timed = _timelines(rng, static, partial(_fixed_timeline, seconds=seconds))
    movers = _walkers(rng, street, len(timed) + 1, seconds, s_lo=-10.0, s_hi=60.0)
    movers += _traffic(rng, street, len(timed) + len(movers) + 1, seconds, s_lo=-30.0, s_hi=90.0)
    scene = Scene(street, (*timed, *movers, *props), int(rng.integers(0, 2**31)))
    look = replace(sample_look(rng, moving=False), motion_px=0.0)
    return Clip("fixed", scene, Fixed(camera), rig, look, seconds, 1)


Timeline = Callable[[np.random.Generator, Placed, float], Placed]


def _timelines(rng: np.random.Generator, objects: list[Placed], timeline: Timeline) -> list[Placed]:
    """Apply ``timeline`` with a random roll per object.

    The first violation always stays for the whole clip (roll 1.0) and the second always takes
    the first scripted event (roll 0.0), so every clip can test both.
    """
    out: list[Placed] = []
    violations = 0
    for obj in objects:
        roll = float(rng.random())
        if is_violation(obj.kind):
            roll = (1.0, 0.0)[violations] if violations < 2 else roll
            violations += 1
        out.append(timeline(rng, obj, roll))
    return out


def _fixed_timeline(
    rng: np.random.Generator, obj: Placed, roll: float, *, seconds: float
) -> Placed:
    if is_violation(obj.kind):
        if roll < 0.35:
            return replace(obj, appear_s=float(rng.uniform(0.15, 0.6)) * seconds)
        if roll < 0.45:
            return replace(obj, disappear_s=float(rng.uniform(0.6, 0.9)) * seconds)
    elif obj.kind == Kind.DELIVERY_TRICYCLE and roll < 0.6:
        start = float(rng.uniform(0.05, 0.3)) * seconds
        return replace(
            obj, appear_s=start, disappear_s=start + float(rng.uniform(0.2, 0.4)) * seconds
        )
    return obj


def _walkers(
    rng: np.random.Generator,
    street: Street,
    first_id: int,
    seconds: float,
    *,
    s_lo: float,
    s_hi: float,
) -> list[Placed]:
    out: list[Placed] = []
    for k in range(int(rng.integers(2, 7))):
        side = SIDES[int(rng.integers(2))]
        t = side * (
            street.road_half + float(rng.uniform(0.4, max(0.5, street.sidewalk(side) - 0.4)))
        )
        speed = float(rng.uniform(0.8, 1.5)) * (1 if rng.random() < 0.5 else -1)
        start = s_lo if speed > 0 else s_hi
        appear = float(rng.uniform(0.0, 0.8)) * seconds
        kind = Kind.PEDESTRIAN_WITH_BAGS if rng.random() < 0.4 else Kind.PEDESTRIAN
        out.append(
            Placed(
                first_id + k,
                kind,
                start,
                t,
                street.facing_road(side),
                int(rng.integers(0, 2**31)),
                appear_s=appear,
                disappear_s=appear + (s_hi - s_lo) / abs(speed),
                speed_s=speed,
                radius=0.4,
            )
        )
    return out


def _traffic(
    rng: np.random.Generator,
    street: Street,
    first_id: int,
    seconds: float,
    *,
    s_lo: float,
    s_hi: float,
) -> list[Placed]:
    out: list[Placed] = []
    motor_half = street.road_half - street.bike_lane
    lane_w = motor_half / street.lanes
    for k in range(int(rng.integers(1, 5))):
        direction = 1 if rng.random() < 0.5 else -1
        t = -direction * lane_w * 0.5
        speed = float(rng.uniform(6.0, 12.0)) * direction
        appear = float(rng.uniform(0.0, 0.85)) * seconds
        heading = street.bearing_deg + (0.0 if direction > 0 else 180.0)
        out.append(
            Placed(
                first_id + k,
                Kind.CAR,
                s_lo if direction > 0 else s_hi,
                t,
                heading,
                int(rng.integers(0, 2**31)),
                appear_s=appear,
                disappear_s=appear + (s_hi - s_lo) / abs(speed),
                speed_s=speed,
                radius=2.4,
            )
        )
    return out


def make_moving_clip(seed: int, seconds: float, width: int, height: int, passes: int = 2) -> Clip:
    """An e-bike clip of ``seconds``: ``passes`` rides along one stretch, joined by U-turns.

    Raises:
        ValueError: ``seconds`` leaves less than a second per pass.
    """
    if passes < 1:
        raise ValueError("passes must be at least 1")
    pass_s = (seconds - (passes - 1) * TURN_S) / passes
    if pass_s < 1.0:
        raise ValueError(
            f"{seconds:g} s is too short for {passes} passes (each U-turn takes {TURN_S:g} s)"
        )
    rng = np.random.default_rng([seed, 0xB1])
    speed = float(rng.uniform(4.0, 6.0))
    length = speed * pass_s
    street = make_street(rng, -60.0, length + 90.0)
    rig = bike_rig(rng, street)
    ride = Ride(street, rig, width, height, 0.0, length, speed, passes, float(rng.uniform(0, 6.28)))
    props = scenery(rng, street, -40.0, length + 70.0)
    margin = min(15.0, length * 0.3)
    ctx = Context(street, margin, length - margin, posts_of(props))
    counts = Counts(
        max(3, round(length / 8)),
        max(1, round(length / 20)),
        max(1, round(length / 15)),
        round(length / 30),
        round(length / 25),
    )
    occupied = [(p.s, p.t, p.radius) for p in props if p.radius > 0]
    static = populate(rng, ctx, counts, _off_lanes(rig), occupied, tries=30)
    timed = _timelines(rng, static, partial(_ride_timeline, ride=ride))
    movers = _walkers(rng, street, len(timed) + 1, seconds, s_lo=-5.0, s_hi=length + 10.0)
    scene = Scene(street, (*timed, *movers, *props), int(rng.integers(0, 2**31)))
    look = sample_look(rng, moving=True)
    return Clip("moving", scene, ride, rig, look, seconds, passes)


def _off_lanes(rig: Rig) -> Accept:
    def accept(kind: Kind, spot: Spot) -> bool:
        del kind
        clearance = 3.0 if spot.radius > 2.0 else 1.8
        return min(abs(spot.t - rig.t), abs(spot.t + rig.t)) >= clearance

    return accept


def _ride_timeline(rng: np.random.Generator, obj: Placed, roll: float, *, ride: Ride) -> Placed:
    del rng
    if ride.passes < 2 or not is_violation(obj.kind):
        return obj
    between = ride.pass_start(1) - TURN_S / 2
    if roll < 0.25:
        return replace(obj, appear_s=between)
    if roll < 0.35:
        return replace(obj, disappear_s=between)
    return obj
