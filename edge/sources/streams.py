"""Live sources: RTSP and HTTP streams and local cameras, reconnected with backoff.

Frame time is the wall clock (UTC) when the frame is grabbed. When the stream drops or cannot
be opened, the source waits (``reconnect_min_s``, doubling up to ``reconnect_max_s``), opens
it again and counts the reconnect; it ends only when asked to stop.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import cv2
import numpy as np

from edge.config import CameraSource, HttpSource, RtspSource
from edge.frames import Frame
from edge.sources.base import RateGate
from edge.sources.files import open_capture

log = logging.getLogger(__name__)

_FFMPEG_OPTIONS = "OPENCV_FFMPEG_CAPTURE_OPTIONS"


def _redact(uri: str) -> str:
    """Return ``uri`` without its password (``rtsp://user:***@host/...``)."""
    scheme, sep, rest = uri.partition("://")
    credentials, at, host = rest.partition("@")
    if not at or ":" not in credentials:
        return uri
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


class StreamSource:
    """Frames of a live stream or camera, reopened with exponential backoff when lost."""

    live = True
    expected: int | None = None

    def __init__(self, settings: RtspSource | HttpSource | CameraSource, gate: RateGate) -> None:
        self._settings = settings
        self._gate = gate
        self._stop = threading.Event()
        self.grabbed = 0
        self.reconnects = 0
        self.name = settings.device if isinstance(settings, CameraSource) else _redact(settings.uri)

    def stop(self) -> None:
        """Ask :meth:`frames` to end soon (it also interrupts a backoff wait)."""
        self._stop.set()

    def probe(self) -> None:
        """Nothing to check early: a live source that is down is retried."""

    def frames(self) -> Iterator[Frame]:
        """Yield frames until stopped, reconnecting whenever the stream is lost."""
        delay = self._settings.reconnect_min_s
        first = True
        while not self._stop.is_set():
            if not first:
                self.reconnects += 1
            first = False
            capture = self._open()
            if capture is None:
                log.warning("source %s cannot be opened; retrying in %.1f s", self.name, delay)
            else:
                log.info("source %s opened", self.name)
                got = 0
                for frame in self._read(capture):
                    got += 1
                    yield frame
                capture.release()
                if got:
                    delay = self._settings.reconnect_min_s
                if self._stop.is_set():
                    return
                log.warning("source %s lost; reconnecting in %.1f s", self.name, delay)
            self._stop.wait(delay)
            delay = min(delay * 2, self._settings.reconnect_max_s)

    def _open(self) -> Any:
        settings = self._settings
        if isinstance(settings, CameraSource):
            device = settings.device
            capture = cv2.VideoCapture(int(device) if device.isdigit() else device)
            return capture if capture.isOpened() else None
        options = "analyzeduration;300000|probesize;65536"
        if isinstance(settings, RtspSource):
            options = f"rtsp_transport;{settings.transport}|{options}"
        os.environ[_FFMPEG_OPTIONS] = options  # read by OpenCV when the capture opens
        timeout_ms = round(settings.timeout_s * 1000)
        timeouts = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms]
        timeouts += [cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms]
        return open_capture(settings.uri, timeouts)

    def _read(self, capture: Any) -> Iterator[Frame]:
        while not self._stop.is_set() and capture.grab():
            index = self.grabbed
            self.grabbed += 1
            timestamp = datetime.now(timezone.utc)
            if not self._gate.due(timestamp):
                continue
            ok, image = capture.retrieve()
            if ok and image is not None:
                yield Frame(np.asarray(image, np.uint8), timestamp, index, self._settings.name)
