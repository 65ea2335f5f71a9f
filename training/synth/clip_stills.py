"""Stills taken from generated clips: the views of the demo's and the tests' cameras.

A dataset of street stills (:mod:`training.synth.sample`) mostly shows the street from afar.
Pole cameras of the clips look steeply down at close objects, and the bike rides past them;
a still from clips takes one frame at a random time of its own clip (fixed and moving in
turn), so a model sees those views too. Clip seeds are derived from the dataset seed and the
image index and never equal the small seeds the demo and the tests use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from training.synth.camera import Camera
from training.synth.lod import ModelCache
from training.synth.look import Look
from training.synth.render import View, render_view
from training.synth.video import ClipSpec, make_clip

CLIP_S = 30.0
SEED_BASE = 1_000_000


@dataclass(frozen=True)
class ClipStill:
    """One rendered frame of a clip and how it was taken."""

    view: View
    camera: Camera
    look: Look
    family: str


def clip_seed(seed: int, index: int) -> int:
    """The clip seed of image ``index`` of the dataset with ``seed``."""
    return SEED_BASE + (seed * 100_003 + index) % 1_000_000_000


def clip_still(seed: int, index: int, width: int, height: int) -> ClipStill:
    """Image ``index``: a frame at a random time of its own fixed (even) or moving (odd) clip."""
    kind: Literal["fixed", "moving"] = "fixed" if index % 2 == 0 else "moving"
    own = clip_seed(seed, index)
    spec = ClipSpec(
        out=Path(), seed=own, kind=kind, seconds=CLIP_S, fps=1.0, width=width, height=height
    )
    clip = make_clip(spec)
    time_s = float(np.random.default_rng([own, 7]).uniform(0.0, clip.duration_s))
    camera = clip.trajectory.at(time_s)
    view = render_view(clip.scene, camera, clip.look, time_s, cache=ModelCache(), noise_seed=own)
    return ClipStill(view, camera, clip.look, "pole" if kind == "fixed" else "bike")
