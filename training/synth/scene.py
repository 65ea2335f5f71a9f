"""A scene: a street plus everything placed on it, each object with its own timeline."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from training.synth.camera import FloatArray
from training.synth.primitives import Mount
from training.synth.scenery import Scenery
from training.synth.street import Street
from training.synth.taxonomy import Kind


@dataclass(frozen=True)
class Placed:
    """One object on the street.

    Attributes:
        object_id: unique in the scene; tracked objects keep it across video frames.
        kind: a tracked :class:`Kind` or untracked :class:`Scenery`.
        s: along-street position of the ground anchor when it appears, metres.
        t: across-street position, metres (positive left).
        heading_deg: compass heading the object's front faces.
        style_seed: seed of its appearance.
        mount: size / mounting details for its builder.
        on_wall: drawn with the facades (before free-standing objects).
        appear_s: time it appears, seconds from the clip start.
        disappear_s: time it is gone, or ``None`` if it stays.
        speed_s: velocity along the street, m/s (people walking, cars driving).
        speed_t: velocity across the street, m/s.
        radius: rough horizontal radius, metres (for spacing and culling).
    """

    object_id: int
    kind: Kind | Scenery
    s: float
    t: float
    heading_deg: float
    style_seed: int
    mount: Mount = field(default_factory=Mount)
    on_wall: bool = False
    appear_s: float = 0.0
    disappear_s: float | None = None
    speed_s: float = 0.0
    speed_t: float = 0.0
    radius: float = 1.0

    @property
    def tracked(self) -> bool:
        """Whether the object has a ground-truth entry (scenery has not)."""
        return isinstance(self.kind, Kind)

    def active(self, time_s: float) -> bool:
        """Whether the object is in the scene at ``time_s``."""
        if time_s < self.appear_s:
            return False
        return self.disappear_s is None or time_s < self.disappear_s

    def street_position(self, time_s: float) -> tuple[float, float]:
        """``(s, t)`` at ``time_s`` (moving objects move from their appear position)."""
        dt = max(0.0, time_s - self.appear_s)
        return self.s + self.speed_s * dt, self.t + self.speed_t * dt

    def anchor(self, street: Street, time_s: float) -> FloatArray:
        """ENU ground anchor at ``time_s``."""
        s, t = self.street_position(time_s)
        return street.world(s, t)

    @property
    def moving(self) -> bool:
        """Whether the object moves."""
        return bool(self.speed_s or self.speed_t)


@dataclass(frozen=True)
class Scene:
    """A street and its objects.

    Attributes:
        street: the layout (ground, buildings).
        objects: every placed object, tracked and scenery, in id order.
        seed: seed of scene-wide details (skyline).
    """

    street: Street
    objects: tuple[Placed, ...]
    seed: int

    def tracked(self) -> tuple[Placed, ...]:
        """Objects with a ground-truth entry."""
        return tuple(o for o in self.objects if o.tracked)

    def by_id(self) -> dict[int, Placed]:
        """Objects keyed by id."""
        return {o.object_id: o for o in self.objects}


def distance_ok(
    occupied: list[tuple[float, float, float]], s: float, t: float, radius: float
) -> bool:
    """Whether a disc at ``(s, t)`` keeps clear of all ``occupied`` discs."""
    if not occupied:
        return True
    arr = np.array(occupied)
    d = np.hypot(arr[:, 0] - s, arr[:, 1] - t)
    return bool(np.all(d >= arr[:, 2] + radius))
