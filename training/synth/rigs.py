"""The two camera families: pole cameras over the pavement and forward cameras on patrol e-bikes.

* ``pole`` — mounted 4–10 m high at the curb, pitched 15–45° down, looking down the street
  (sometimes across it), horizontal field of view 50–90°.
* ``bike`` — about 1.2 m high on an e-bike riding in the right-hand lane, nearly level, looking
  along the road, wide field of view 70–110°.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.synth.camera import Camera, Intrinsics, Pose
from training.synth.street import LEFT, RIGHT, Street

FAMILIES = ("pole", "bike")


@dataclass(frozen=True)
class Rig:
    """A camera family instance: its intrinsics and how it sits relative to the street.

    Attributes:
        family: ``pole`` or ``bike``.
        height: metres above the ground.
        pitch_deg: degrees below the horizon.
        hfov_deg: horizontal field of view.
        t: across-street position, metres.
        yaw_deg: heading relative to the street bearing (positive clockwise).
    """

    family: str
    height: float
    pitch_deg: float
    hfov_deg: float
    t: float
    yaw_deg: float

    def camera(
        self,
        street: Street,
        s: float,
        width: int,
        height: int,
        *,
        direction: int = 1,
        extra_yaw: float = 0.0,
    ) -> Camera:
        """The posed camera at ``s`` looking along ``direction`` (+1: increasing ``s``)."""
        t = self.t if direction > 0 else -self.t
        base = street.bearing_deg if direction > 0 else street.bearing_deg + 180.0
        p = street.world(s, t)
        pose = Pose(
            float(p[0]),
            float(p[1]),
            self.height,
            (base + self.yaw_deg + extra_yaw) % 360.0,
            self.pitch_deg,
        )
        return Camera(Intrinsics.from_hfov(width, height, self.hfov_deg), pose)


def pole_rig(rng: np.random.Generator, street: Street) -> Rig:
    """A random pole camera at one curb."""
    side = LEFT if rng.random() < 0.5 else RIGHT
    t = side * (street.road_half + float(rng.uniform(0.2, 1.0)))
    across = rng.random() < 0.15
    offset = float(rng.uniform(45, 80)) if across else float(rng.uniform(-10, 35))
    return Rig(
        "pole",
        float(rng.uniform(4.0, 10.0)),
        float(rng.uniform(15.0, 45.0)),
        float(rng.uniform(50.0, 90.0)),
        t,
        side * offset,
    )


def bike_rig(rng: np.random.Generator, street: Street) -> Rig:
    """A random e-bike camera riding in the right-hand lane."""
    lane = street.bike_lane / 2 if street.bike_lane > 0 else float(rng.uniform(0.8, 1.8))
    return Rig(
        "bike",
        float(rng.uniform(1.0, 1.4)),
        float(rng.uniform(-2.0, 8.0)),
        float(rng.uniform(70.0, 110.0)),
        RIGHT * (street.road_half - lane),
        float(rng.uniform(-6.0, 6.0)),
    )


def sample_rig(rng: np.random.Generator, street: Street, family: str | None = None) -> Rig:
    """A random rig of ``family`` (or of either family: 60 % pole, 40 % bike)."""
    family = family or ("pole" if rng.random() < 0.6 else "bike")
    return pole_rig(rng, street) if family == "pole" else bike_rig(rng, street)
