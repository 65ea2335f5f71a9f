"""Paste object crops onto a street frame (copy-paste augmentation).

A crop is placed on the ground part of the frame, smaller the nearer it stands to the top of
that region (a simple perspective), never over labelled boxes or other pasted ones, and blended
with a feathered elliptical alpha mask after a partial colour match (mean and spread per Lab
channel, moved part of the way towards the background around it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from edge.images import Image, resize

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Box:
    """A box in pixels (corners)."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def w(self) -> float:
        """Width."""
        return self.x2 - self.x1

    @property
    def h(self) -> float:
        """Height."""
        return self.y2 - self.y1

    def overlap(self, other: Box) -> float:
        """Intersection over the smaller area (never below the IoU; 1 when one holds the other)."""
        iw = min(self.x2, other.x2) - max(self.x1, other.x1)
        ih = min(self.y2, other.y2) - max(self.y1, other.y1)
        if iw <= 0 or ih <= 0:
            return 0.0
        smaller = min(self.w * self.h, other.w * other.h)
        return iw * ih / smaller if smaller > 0 else 1.0


@dataclass(frozen=True)
class PasteStyle:
    """How crops are placed and blended.

    Attributes:
        ground_top: top of the ground region, as a fraction of the frame height.
        min_height: pasted box height / frame height where the ground region starts.
        max_height: pasted box height / frame height at the bottom of the frame.
        jitter: random spread of the height around the perspective size (log scale).
        max_upscale: largest enlargement of a crop.
        max_width: widest pasted box, as a fraction of the frame width.
        max_overlap: most a pasted box may overlap another box (intersection over the
            smaller box, which is never below their IoU).
        margin: context cut around an object box, as a fraction of its size on each side.
        feather: width of the mask's soft edge, as a fraction of the object's half size.
        colour_match: how far (0..1) the crop's Lab mean and spread move to the background's.
        attempts: positions tried per crop before it is skipped.
    """

    ground_top: float = 0.45
    min_height: float = 0.06
    max_height: float = 0.30
    jitter: float = 0.15
    max_upscale: float = 2.5
    max_width: float = 0.5
    max_overlap: float = 0.1
    margin: float = 0.15
    feather: float = 0.12
    colour_match: float = 0.5
    attempts: int = 30


@dataclass(frozen=True, eq=False)
class Crop:
    """Pixels around one object (BGR, read-only) and the object's box inside them."""

    pixels: Image
    box: Box


def cut(image: Image, box: Box, margin: float) -> Crop:
    """The crop of ``box`` with ``margin`` context on each side (clipped to the image)."""
    height, width = image.shape[:2]
    x1 = max(0, math.floor(box.x1 - margin * box.w))
    y1 = max(0, math.floor(box.y1 - margin * box.h))
    x2 = min(width, math.ceil(box.x2 + margin * box.w))
    y2 = min(height, math.ceil(box.y2 + margin * box.h))
    pixels = image[y1:y2, x1:x2].copy()
    pixels.flags.writeable = False
    return Crop(pixels, Box(box.x1 - x1, box.y1 - y1, box.x2 - x1, box.y2 - y1))


def mirrored(crop: Crop) -> Crop:
    """The crop flipped left to right."""
    width = crop.pixels.shape[1]
    pixels = np.ascontiguousarray(crop.pixels[:, ::-1])
    pixels.flags.writeable = False
    return Crop(pixels, Box(width - crop.box.x2, crop.box.y1, width - crop.box.x1, crop.box.y2))


def place(
    rng: np.random.Generator,
    obj: Box,
    frame_w: int,
    frame_h: int,
    *,
    taken: Sequence[Box],
    style: PasteStyle,
) -> Box | None:
    """A box in the frame for an object of ``obj``'s shape, or None when no position fits."""
    ground = style.ground_top * frame_h
    lowest, highest = style.min_height * frame_h, style.max_height * frame_h
    aspect = obj.w / obj.h
    for _ in range(style.attempts):
        bottom = float(rng.uniform(ground, frame_h))
        depth = (bottom - ground) / max(frame_h - ground, 1e-6)
        height = (lowest + (highest - lowest) * depth) * math.exp(
            float(rng.uniform(-style.jitter, style.jitter))
        )
        height = min(max(height, lowest), highest, style.max_upscale * obj.h)
        height = min(height, style.max_width * frame_w / aspect)
        width = height * aspect
        if height < lowest or bottom - height < 0 or width > frame_w:
            continue
        left = float(rng.uniform(0.0, frame_w - width))
        box = Box(left, bottom - height, left + width, bottom)
        if all(box.overlap(other) <= style.max_overlap for other in taken):
            return box
    return None


def elliptical_alpha(width: int, height: int, obj: Box, feather: float) -> Floats:
    """An alpha mask (0..1) of the ellipse around ``obj``, with a Gaussian soft edge."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32) + 0.5
    cx, cy = (obj.x1 + obj.x2) / 2, (obj.y1 + obj.y2) / 2
    ax, ay = obj.w / 2 * (1 + feather), obj.h / 2 * (1 + feather)
    inside = ((xs - cx) / ax) ** 2 + ((ys - cy) / ay) ** 2 <= 1.0
    sigma = max(feather * min(obj.w, obj.h) / 2, 0.5)
    alpha: Floats = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), sigma)
    return alpha


def match_colour(patch: Image, alpha: Floats, reference: Image, strength: float) -> Floats:
    """``patch`` (BGR, 0..255 floats) with its Lab mean and spread moved towards ``reference``."""
    lab = cv2.cvtColor(patch.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab)
    ref = cv2.cvtColor(reference.astype(np.float32) / 255.0, cv2.COLOR_BGR2Lab).reshape(-1, 3)
    weight = alpha[..., None] / max(float(alpha.sum()), 1e-6)
    mean_c = (lab * weight).sum(axis=(0, 1))
    std_c = np.sqrt((((lab - mean_c) ** 2) * weight).sum(axis=(0, 1)))
    mean_t = mean_c + strength * (ref.mean(axis=0) - mean_c)
    std_t = std_c + strength * (ref.std(axis=0) - std_c)
    ratio = np.clip(std_t / np.maximum(std_c, 1e-3), 0.5, 2.0)
    moved = ((lab - mean_c) * ratio + mean_t).astype(np.float32)
    bgr: Floats = np.clip(cv2.cvtColor(moved, cv2.COLOR_Lab2BGR), 0.0, 1.0) * 255.0
    return bgr


def blend(frame: Image, crop: Crop, target: Box, style: PasteStyle) -> Image:
    """A copy of ``frame`` with ``crop`` scaled so that its object fills ``target``."""
    frame_h, frame_w = frame.shape[:2]
    sx, sy = target.w / crop.box.w, target.h / crop.box.h
    crop_h, crop_w = crop.pixels.shape[:2]
    width, height = max(1, round(crop_w * sx)), max(1, round(crop_h * sy))
    left, top = round(target.x1 - crop.box.x1 * sx), round(target.y1 - crop.box.y1 * sy)
    patch = resize(crop.pixels, width, height)
    obj = Box(crop.box.x1 * sx, crop.box.y1 * sy, crop.box.x2 * sx, crop.box.y2 * sy)
    alpha = elliptical_alpha(width, height, obj, style.feather)
    x1, y1 = max(left, 0), max(top, 0)
    x2, y2 = min(left + width, frame_w), min(top + height, frame_h)
    patch, alpha = (
        patch[y1 - top : y2 - top, x1 - left : x2 - left],
        alpha[y1 - top : y2 - top, x1 - left : x2 - left],
    )
    pad_x, pad_y = round(target.w / 2), round(target.h / 2)
    reference = frame[
        max(round(target.y1) - pad_y, 0) : min(round(target.y2) + pad_y, frame_h),
        max(round(target.x1) - pad_x, 0) : min(round(target.x2) + pad_x, frame_w),
    ]
    colour = match_colour(patch, alpha, reference, style.colour_match)
    out = frame.copy()
    under = out[y1:y2, x1:x2].astype(np.float32)
    a = alpha[..., None]
    out[y1:y2, x1:x2] = np.clip(np.rint(a * colour + (1.0 - a) * under), 0, 255).astype(np.uint8)
    return np.asarray(out, dtype=np.uint8)


def compose(
    frame: Image,
    taken: Sequence[Box],
    crops: Sequence[Crop],
    rng: np.random.Generator,
    style: PasteStyle,
) -> tuple[Image, tuple[Box, ...]]:
    """Paste ``crops`` (each mirrored at random) clear of ``taken``; the new frame and boxes."""
    frame_h, frame_w = frame.shape[:2]
    placed: list[Box] = []
    for crop in crops:
        chosen = mirrored(crop) if rng.random() < 0.5 else crop
        box = place(rng, chosen.box, frame_w, frame_h, taken=(*taken, *placed), style=style)
        if box is not None:
            frame = blend(frame, chosen, box, style)
            placed.append(box)
    return frame, tuple(placed)
