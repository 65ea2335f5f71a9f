"""The evidence quality score of a sighting: how good a photo of the violation it makes.

``quality = 0.5 * confidence + 0.3 * size + 0.2 * sharpness``, each term in 0..1:

- *confidence*: the detector's score for the box in this frame;
- *size*: ``min(1, sqrt(area / 0.05))`` — the box's share of the frame area, full marks from
  5 % of the frame (a larger box shows more detail);
- *sharpness*: ``v / (v + 100)`` with ``v`` the variance of the Laplacian of the grey box
  (motion blur and defocus lower it; 100 is a typical in-focus street crop).

A violation's ``update`` event is sent when a sighting beats the best so far by
``events.update_min_gain``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from edge.violations import Violation

WEIGHTS = (0.5, 0.3, 0.2)
FULL_SIZE_AREA = 0.05
HALF_SHARPNESS = 100.0
_SHARPNESS_SIDE = 256  # crops are scaled to at most this side before measuring


def sharpness(violation: Violation) -> float:
    """Return the variance of the Laplacian of the grey box of ``violation``."""
    x1, y1, x2, y2 = (round(v) for v in violation.box)
    crop = violation.frame.image[max(0, y1) : max(y1 + 1, y2), max(0, x1) : max(x1 + 1, x2)]
    if crop.size == 0:
        return 0.0
    side = max(crop.shape[0], crop.shape[1])
    if side > _SHARPNESS_SIDE:
        scale = _SHARPNESS_SIDE / side
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        crop = np.asarray(cv2.resize(crop, size, interpolation=cv2.INTER_AREA), np.uint8)
    grey = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_BGR2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def quality(violation: Violation) -> float:
    """Return the evidence quality score of a sighting, 0..1."""
    size = min(1.0, math.sqrt(violation.area_fraction / FULL_SIZE_AREA))
    sharp = sharpness(violation)
    terms = (violation.score, size, sharp / (sharp + HALF_SHARPNESS))
    return round(sum(w * t for w, t in zip(WEIGHTS, terms, strict=True)), 4)
