"""One still frame of a camera: from an image, a video at a time, or an image folder."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from edge.config import EdgeConfig, FileSource, ImagesSource
from streetwatch.errors import UserError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})

Image = NDArray[np.uint8]


def default_source(config: EdgeConfig) -> Path:
    """Return the config's own file or image folder, for when no ``--source`` is given.

    Raises:
        UserError: the config reads a live stream; a still must be given.
    """
    if isinstance(config.source, FileSource | ImagesSource):
        return config.source.path
    raise UserError(
        f"the config's source is {config.source.kind!r}; give --source with a video or image "
        "of this camera"
    )


def read_frame(source: Path, at_s: float = 0.0) -> Image:
    """Return the BGR frame of ``source`` (an image, a video at ``at_s`` s, an image folder).

    Raises:
        UserError: the source is missing, unreadable, or the video has no frame at ``at_s``.
    """
    if not source.exists():
        raise UserError(f"source {source} does not exist")
    if source.is_dir():
        images = sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise UserError(f"image folder {source} holds no JPEG/PNG image")
        return _read_image(images[0])
    if source.suffix.lower() in IMAGE_SUFFIXES:
        return _read_image(source)
    return _read_video(source, at_s)


def _read_image(path: Path) -> Image:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise UserError(f"image {path} cannot be read: it is damaged or not an image")
    return np.asarray(image, dtype=np.uint8)


def _read_video(path: Path, at_s: float) -> Image:
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise UserError(f"video {path} cannot be opened: it is damaged or not a video")
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        count = float(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
        if at_s > 0:
            capture.set(cv2.CAP_PROP_POS_MSEC, at_s * 1000.0)
        ok, image = capture.read()
    finally:
        capture.release()
    if not ok or image is None:
        length = f" (it is {count / fps:.1f} s long)" if fps > 0 and count > 0 else ""
        raise UserError(f"video {path} has no frame at {at_s:g} s{length}")
    return np.asarray(image, dtype=np.uint8)
