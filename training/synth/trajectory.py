"""Camera motion over a clip: a fixed pole camera, or an e-bike riding passes along the street.

A ride is ``passes`` runs along the same stretch, alternating direction and joined by U-turns
(ride down the street, turn, ride back in the other lane, …), so every object on the stretch is
passed once per pass — what "seen again on a later pass" needs. The rider sways a little
(heading, lateral position, pitch) to look like a hand-held ride.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from training.synth.camera import Camera, Intrinsics, Pose
from training.synth.rigs import Rig
from training.synth.street import Street

TURN_S = 3.0
"""Duration of a U-turn between passes, seconds."""


@dataclass(frozen=True)
class Fixed:
    """A camera that never moves."""

    camera: Camera

    def at(self, time_s: float) -> Camera:
        """The camera at ``time_s``."""
        del time_s
        return self.camera


@dataclass(frozen=True)
class Ride:
    """An e-bike camera riding ``passes`` times along ``s0 .. s0 + length``.

    Attributes:
        street: the street ridden.
        rig: the bike rig (height, pitch, field of view, lane offset).
        width: image width.
        height: image height.
        s0: start of the stretch, metres.
        length: stretch length, metres.
        speed: riding speed, m/s.
        passes: number of passes.
        sway_phase: phase of the sway, radians.
    """

    street: Street
    rig: Rig
    width: int
    height: int
    s0: float
    length: float
    speed: float
    passes: int
    sway_phase: float = 0.0

    @property
    def pass_s(self) -> float:
        """Duration of one pass, seconds."""
        return self.length / self.speed

    @property
    def duration_s(self) -> float:
        """Duration of the whole ride, seconds."""
        return self.passes * self.pass_s + (self.passes - 1) * TURN_S

    def pass_start(self, k: int) -> float:
        """Time pass ``k`` (0-based) begins."""
        return k * (self.pass_s + TURN_S)

    def at(self, time_s: float) -> Camera:
        """The camera at ``time_s``."""
        period = self.pass_s + TURN_S
        k = min(int(time_s // period), self.passes - 1)
        local = time_s - k * period
        direction = 1 if k % 2 == 0 else -1
        lane = self.rig.t * direction
        if local <= self.pass_s or k == self.passes - 1:
            travelled = min(local, self.pass_s) * self.speed
            s = self.s0 + travelled if direction > 0 else self.s0 + self.length - travelled
            heading = self.street.bearing_deg + (0.0 if direction > 0 else 180.0)
            t = lane
        else:
            s, t, heading = self._turn(local - self.pass_s, direction, lane)
        sway = math.sin(1.3 * time_s + self.sway_phase)
        p = self.street.world(s, t + 0.12 * sway)
        pose = Pose(
            float(p[0]),
            float(p[1]),
            self.rig.height,
            (heading + self.rig.yaw_deg + 1.5 * sway) % 360.0,
            self.rig.pitch_deg + 0.6 * math.sin(2.9 * time_s + self.sway_phase),
        )
        return Camera(Intrinsics.from_hfov(self.width, self.height, self.rig.hfov_deg), pose)

    def _turn(self, u: float, direction: int, lane: float) -> tuple[float, float, float]:
        """Position and heading ``u`` seconds into the U-turn after a pass in ``direction``.

        The turn is a half circle about the road centre at the end of the pass, from ``lane``
        to ``-lane``, bulging forward.
        """
        phi = math.pi * min(max(u / TURN_S, 0.0), 1.0)
        radius = abs(lane)
        end_s = self.s0 + self.length if direction > 0 else self.s0
        s = end_s + direction * radius * math.sin(phi)
        t = lane * math.cos(phi)
        ds, dt = direction * radius * math.cos(phi), -lane * math.sin(phi)
        heading = self.street.bearing_deg + math.degrees(math.atan2(-dt, ds))
        return s, t, heading
