"""The decode thread: runs a source behind a bounded queue.

A live source never waits for the detector: when the queue is full the oldest waiting frame
is dropped and counted, so the detector always sees recent frames. A file waits instead
(back-pressure), so its results never depend on machine load.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from edge.frames import Frame
from edge.sources.base import FrameSource, SourceError
from edge.telemetry import Telemetry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _End:
    error: SourceError | None


class FrameReader:
    """Decodes ``source`` in its own thread; :meth:`next_frame` hands frames to the pipeline.

    Args:
        source: the frame source.
        queue_frames: frames that may wait for the detector.
        telemetry: receives the ``decode`` stage timings.
    """

    def __init__(self, source: FrameSource, queue_frames: int, telemetry: Telemetry) -> None:
        self.source = source
        self._queue: queue.Queue[Frame | _End] = queue.Queue(maxsize=queue_frames)
        self._telemetry = telemetry
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="decode", daemon=True)
        self.dropped = 0
        self.finished = False

    def start(self) -> FrameReader:
        """Start the decode thread; return self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop decoding and wait for the thread; frames still waiting are discarded.

        Emptying the queue wakes a decode thread blocked on a full queue at once (it would
        otherwise notice the stop only at its next poll).
        """
        self._stop.set()
        self.source.stop()
        self._discard_waiting()
        self._thread.join(timeout=10.0)
        self._discard_waiting()  # the one it may have put as it woke
        self.finished = True

    def _discard_waiting(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def next_frame(self, timeout_s: float) -> Frame | None:
        """Return the next frame, or None if none came within ``timeout_s`` or the source ended.

        Raises:
            SourceError: the source ended with an error (after all its frames were handed out).
        """
        if self.finished:
            return None
        try:
            item = self._queue.get(timeout=timeout_s)
        except queue.Empty:
            return None
        if isinstance(item, Frame):
            return item
        self.finished = True
        if item.error is not None:
            raise item.error
        return None

    def _run(self) -> None:
        error: SourceError | None = None
        try:
            started = time.perf_counter()
            for frame in self.source.frames():
                self._telemetry.record("decode", time.perf_counter() - started)
                self._put(frame)
                if self._stop.is_set():
                    break
                started = time.perf_counter()
        except SourceError as exc:
            error = exc
        except Exception as exc:  # a decoder failure must end the run with a message
            log.exception("decode thread failed")
            error = SourceError(f"decoding failed: {exc}")
        self._put_end(_End(error))

    def _put(self, frame: Frame) -> None:
        if not self.source.live:
            while not self._stop.is_set():
                try:
                    self._queue.put(frame, timeout=0.1)
                    return
                except queue.Full:
                    continue
            return
        while True:
            try:
                self._queue.put_nowait(frame)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def _put_end(self, end: _End) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(end, timeout=0.1)
                return
            except queue.Full:
                continue
