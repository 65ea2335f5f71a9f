"""A recorded video file: frame time = configured start time + the frame's presentation time.

A file that stops decoding before the frame count in its header is damaged or truncated: every
frame before the damage is yielded, then one :class:`SourceError` says where decoding stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import cv2
import numpy as np

from edge.config import FileSource
from edge.frames import Frame
from edge.sources.base import RateGate, SourceError

log = logging.getLogger(__name__)

_TAIL_SLACK = 1
"""Frames a container's header may over-count without the file being called damaged."""


def open_capture(path_or_uri: str, params: list[int] | None = None) -> Any:
    """Return an opened FFmpeg-backed ``cv2.VideoCapture``, or None if it cannot be opened."""
    capture = cv2.VideoCapture(path_or_uri, cv2.CAP_FFMPEG, params or [])
    if capture.isOpened():
        return capture
    capture.release()
    return None


class VideoFileSource:
    """Frames of a video file at the rate the gate allows (skipped frames are not decoded)."""

    live = False

    def __init__(self, settings: FileSource, gate: RateGate) -> None:
        self._settings = settings
        self._gate = gate
        self._stop = threading.Event()
        self.grabbed = 0
        self.reconnects = 0
        self.expected: int | None = None

    def stop(self) -> None:
        """Ask :meth:`frames` to end after the current frame."""
        self._stop.set()

    def probe(self) -> None:
        """Raise :class:`SourceError` if the file is missing or cannot be opened."""
        self._open().release()

    def _open(self) -> Any:
        path = self._settings.path
        if not path.is_file():
            raise SourceError(f"video file {path} does not exist")
        capture = open_capture(str(path))
        if capture is None:
            raise SourceError(f"video file {path} cannot be opened: it is damaged or not a video")
        return capture

    def frames(self) -> Iterator[Frame]:
        """Yield the file's frames; raise :class:`SourceError` if it cannot be read to the end."""
        capture = self._open()
        try:
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
            self.expected = count if count > 0 else None
            yield from self._read(capture)
        finally:
            capture.release()
        self._check_complete()

    def _read(self, capture: Any) -> Iterator[Frame]:
        start = self._settings.start_time
        while not self._stop.is_set() and capture.grab():
            index = self.grabbed
            self.grabbed += 1
            timestamp = start + timedelta(milliseconds=float(capture.get(cv2.CAP_PROP_POS_MSEC)))
            if not self._gate.due(timestamp):
                continue
            ok, image = capture.retrieve()
            if not ok or image is None:
                self.grabbed -= 1
                return
            yield Frame(np.asarray(image, np.uint8), timestamp, index, self._settings.name)

    def _check_complete(self) -> None:
        if self._stop.is_set() or self.expected is None:
            return
        if self.grabbed + _TAIL_SLACK < self.expected:
            raise SourceError(
                f"video file {self._settings.path} is damaged or truncated: decoding stopped "
                f"after frame {self.grabbed} of {self.expected}; the frames before it were "
                "processed"
            )
        log.info("video %s: %d frames read", self._settings.path, self.grabbed)
