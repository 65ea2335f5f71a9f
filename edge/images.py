"""Reading and encoding still images with OpenCV, typed as uint8 arrays."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from streetwatch.errors import UserError

Image = npt.NDArray[np.uint8]
"""A BGR image, (H, W, 3) uint8."""

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
"""File endings of the still images OpenCV reads here."""


def read_image(path: Path) -> Image:
    """Return the BGR image at ``path``; raise :class:`UserError` if it cannot be decoded."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"image {path} is missing or cannot be decoded")
    return np.asarray(image, dtype=np.uint8)


def resize(image: Image, width: int, height: int) -> Image:
    """Return ``image`` resized to ``width`` x ``height`` (area interpolation when shrinking)."""
    shrink = width * height < image.shape[0] * image.shape[1]
    method = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, (width, height), interpolation=method), dtype=np.uint8)
