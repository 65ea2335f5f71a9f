"""One random still: street, camera, objects in view and look — all from ``(seed, index)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from training.synth.camera import Camera
from training.synth.look import Look, sample_look
from training.synth.placement import (
    Accept,
    Counts,
    populate,
    posts_of,
    sample_counts,
    scenery,
)
from training.synth.render import View, render_view
from training.synth.rigs import Rig, sample_rig
from training.synth.scene import Placed, Scene
from training.synth.scenery import Scenery
from training.synth.street import Street, make_street
from training.synth.taxonomy import Kind
from training.synth.zones import Context, Spot

NEAR_OBJECT_M = 2.0
"""Closest an object is placed in front of a still camera."""

FAR_OBJECT_M = {"pole": 48.0, "bike": 30.0}
"""Farthest a tracked object is placed in front of a still camera, by family."""

NEAR_BIAS = {"pole": 1.5, "bike": 1.3}
"""Exponent favouring near placements, by family."""


@dataclass(frozen=True)
class ImageSample:
    """Everything that defines one still.

    Attributes:
        scene: street and objects.
        camera: the posed camera.
        rig: the camera family instance.
        look: light, weather, imperfections.
        noise_seed: seed of per-pixel effects.
    """

    scene: Scene
    camera: Camera
    rig: Rig
    look: Look
    noise_seed: int

    def render(self) -> View:
        """Render this still."""
        return render_view(self.scene, self.camera, self.look, 0.0, noise_seed=self.noise_seed)


def in_view(camera: Camera, street: Street, far: float, rig: Rig) -> Accept:
    """A placement test: the spot is 2..``far`` m ahead, near the frame and off a bike's lane."""
    k = camera.intrinsics
    in_path = _in_path(rig) if rig.family == "bike" else None

    def accept(kind: Kind, spot: Spot) -> bool:
        del kind
        z = spot.mount.elevation + 0.8 if spot.on_wall else 0.8
        uv, depth = camera.project(street.world(spot.s, spot.t, z)[None])
        if not NEAR_OBJECT_M <= depth[0] <= far:
            return False
        if in_path is not None and in_path(spot):
            return False
        mx, my = 0.08 * k.width, 0.1 * k.height
        return bool(-mx <= uv[0, 0] <= k.width + mx and -my <= uv[0, 1] <= k.height + my)

    return accept


def _in_path(rig: Rig) -> Callable[[Spot], bool]:
    """Whether a spot blocks the lane right in front of a riding camera."""

    def blocks(spot: Spot) -> bool:
        return abs(spot.t - rig.t) < 1.6 and spot.s < 15.0

    return blocks


def blocks_pole(item: Placed, camera_t: float) -> bool:
    """Whether a tree or post stands right in front of a pole camera."""
    return -4.0 <= item.s <= 14.0 and item.t * camera_t > 0 and item.kind != Scenery.RAILING


def make_image_sample(
    seed: int, index: int, width: int, height: int, counts: Counts | None = None
) -> ImageSample:
    """The still number ``index`` of the dataset with ``seed`` (independent of the others)."""
    rng = np.random.default_rng([seed, index])
    street = make_street(rng, -40.0, 220.0)
    rig = sample_rig(rng, street)
    camera = rig.camera(street, 0.0, width, height)
    props = scenery(rng, street, -20.0, 110.0)
    if rig.family == "pole":
        props = [p for p in props if not blocks_pole(p, rig.t)]
    occupied = [(p.s, p.t, p.radius) for p in props if p.radius > 0]
    far = FAR_OBJECT_M[rig.family]
    ctx = Context(street, -5.0, far + 10.0, posts_of(props), near_bias=NEAR_BIAS[rig.family])
    accept = in_view(camera, street, far, rig)
    tracked = populate(rng, ctx, counts or sample_counts(rng), accept, occupied)
    scene = Scene(street, tuple(tracked) + tuple(props), int(rng.integers(0, 2**31)))
    look = sample_look(rng, moving=rig.family == "bike")
    return ImageSample(scene, camera, rig, look, int(rng.integers(0, 2**31)))
