"""Post effects on a rendered frame: fog and haze by depth, rain, colour grade, blur, noise.

Effects change pixels only, never geometry, so the boxes found by the compositor stay valid.
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

from training.synth.look import Look

Image = NDArray[np.uint8]


def apply_effects(
    image: Image, depth: NDArray[np.float32] | None, look: Look, rng: np.random.Generator
) -> Image:
    """Return a new image with the look's weather, grade and sensor effects applied."""
    out = image.astype(np.float32)
    if look.fog_density > 0 and depth is not None:
        out = _fog(out, depth, look)
    if look.rain > 0:
        out = _rain(out, look, rng)
    out *= np.array(look.tint, np.float32) * np.float32(look.exposure)
    if look.motion_px >= 1.5:
        kernel = _motion_kernel(look.motion_px, look.motion_angle_deg)
        out = np.asarray(cv2.filter2D(out, -1, kernel), np.float32)
    if look.defocus_sigma > 0:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), look.defocus_sigma), np.float32)
    if look.noise_sigma > 0:
        out += _sensor_noise(out.shape[0], out.shape[1], rng) * np.float32(look.noise_sigma)
    result: Image = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    return result


NOISE_TILE = 1024


@lru_cache(maxsize=1)
def _noise_tile() -> NDArray[np.float32]:
    """Unit Gaussian noise, fixed for every process (a random window of it per frame)."""
    tile = np.random.default_rng(0x5E45).standard_normal((NOISE_TILE, NOISE_TILE, 1), np.float32)
    tile.setflags(write=False)
    return tile


def _sensor_noise(h: int, w: int, rng: np.random.Generator) -> NDArray[np.float32]:
    tile = _noise_tile()
    if h > NOISE_TILE // 2 or w > NOISE_TILE // 2:
        return rng.standard_normal((h, w, 1), dtype=np.float32)
    oy, ox = (int(v) for v in rng.integers(0, NOISE_TILE // 2, size=2))
    return tile[oy : oy + h, ox : ox + w]


def _fog(out: NDArray[np.float32], depth: NDArray[np.float32], look: Look) -> NDArray[np.float32]:
    with np.errstate(over="ignore"):
        keep = np.exp(-np.minimum(depth, 1e4) * np.float32(look.fog_density))[..., None]
    fog = np.array(look.sky_horizon, np.float32)
    result: NDArray[np.float32] = out * keep + fog * (np.float32(1.0) - keep)
    return result


def _rain(out: NDArray[np.float32], look: Look, rng: np.random.Generator) -> NDArray[np.float32]:
    h, w = out.shape[:2]
    layer = np.zeros((h, w), np.float32)
    n = int(look.rain * h * w / 500)
    angle = math.radians(float(rng.uniform(-15, 15)))
    xs = rng.uniform(0, w, n)
    ys = rng.uniform(0, h, n)
    lengths = rng.uniform(0.02, 0.06, n) * h
    for x, y, ln in zip(xs, ys, lengths, strict=True):
        x2, y2 = x + math.sin(angle) * ln, y + math.cos(angle) * ln
        cv2.line(layer, (int(x), int(y)), (int(x2), int(y2)), 1.0, 1, cv2.LINE_AA)
    streaks = np.asarray(cv2.GaussianBlur(layer, (0, 0), 0.6), np.float32)[..., None]
    dull = out * np.float32(0.85) + np.float32(20.0)
    result: NDArray[np.float32] = dull + (np.float32(210.0) - dull) * streaks * np.float32(
        0.35 * look.rain
    )
    return result


def _motion_kernel(length: float, angle_deg: float) -> NDArray[np.float32]:
    size = math.ceil(length) | 1
    kernel = np.zeros((size, size), np.float32)
    c = size // 2
    dx, dy = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    cv2.line(
        kernel,
        (round(c - dx * length / 2), round(c - dy * length / 2)),
        (round(c + dx * length / 2), round(c + dy * length / 2)),
        1.0,
        1,
        cv2.LINE_AA,
    )
    return kernel / max(float(kernel.sum()), 1e-6)
