"""Frame sources: video files, RTSP/HTTP streams, local cameras and folders of stills.

:func:`open_source` builds the source a config names; :class:`~edge.sources.reader.FrameReader`
runs it in its own thread behind a bounded queue.
"""

from __future__ import annotations

from edge.config import CameraSource, FileSource, HttpSource, ImagesSource, RtspSource, Source
from edge.sources.base import FrameSource, RateGate, SourceError
from edge.sources.files import VideoFileSource
from edge.sources.stills import ImageFolderSource
from edge.sources.streams import StreamSource

__all__ = ["FrameSource", "RateGate", "SourceError", "open_source"]


def open_source(settings: Source, gate: RateGate) -> FrameSource:
    """Return the frame source ``settings`` describe, yielding the frames ``gate`` lets through."""
    if isinstance(settings, FileSource):
        return VideoFileSource(settings, gate)
    if isinstance(settings, ImagesSource):
        return ImageFolderSource(settings, gate)
    if isinstance(settings, RtspSource | HttpSource | CameraSource):
        return StreamSource(settings, gate)
    raise TypeError(f"unknown source {type(settings).__name__}")  # pragma: no cover
