"""A folder of still images in name order; image i is at ``start_time + i / fps``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np

from edge.config import ImagesSource
from edge.frames import Frame
from edge.images import IMAGE_SUFFIXES
from edge.sources.base import RateGate, SourceError

log = logging.getLogger(__name__)


class ImageFolderSource:
    """Frames from the images of one folder; an image that does not decode is skipped."""

    live = False

    def __init__(self, settings: ImagesSource, gate: RateGate) -> None:
        self._settings = settings
        self._gate = gate
        self._stop = threading.Event()
        self.grabbed = 0
        self.reconnects = 0
        self.expected: int | None = None
        self.unreadable: list[str] = []

    def stop(self) -> None:
        """Ask :meth:`frames` to end after the current image."""
        self._stop.set()

    def probe(self) -> None:
        """Raise :class:`SourceError` if the folder is missing or has no images."""
        self._paths()

    def _paths(self) -> list[Path]:
        folder = self._settings.path
        if not folder.is_dir():
            raise SourceError(f"image folder {folder} does not exist")
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise SourceError(f"image folder {folder} has no JPEG, PNG or BMP images")
        return paths

    def frames(self) -> Iterator[Frame]:
        """Yield the folder's images; raise :class:`SourceError` if some did not decode."""
        folder = self._settings.path
        paths = self._paths()
        self.expected = len(paths)
        for index, path in enumerate(paths):
            if self._stop.is_set():
                return
            self.grabbed += 1
            timestamp = self._settings.start_time + timedelta(seconds=index / self._settings.fps)
            if not self._gate.due(timestamp):
                continue
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                log.warning("image %s cannot be decoded; skipped", path)
                self.unreadable.append(path.name)
                continue
            yield Frame(np.asarray(image, np.uint8), timestamp, index, self._settings.name)
        if self.unreadable:
            names = ", ".join(self.unreadable[:3]) + (" ..." if len(self.unreadable) > 3 else "")
            raise SourceError(
                f"{len(self.unreadable)} of {len(paths)} images in {folder} could not be "
                f"decoded ({names}); the others were processed"
            )
