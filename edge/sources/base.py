"""What every frame source offers, the detection-rate gate and the source error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Protocol

from edge.frames import Frame
from streetwatch.errors import UserError


class SourceError(UserError):
    """A source that cannot be opened, or a file that is damaged (the message says where)."""


class FrameSource(Protocol):
    """A source of frames; :meth:`frames` is consumed by one reader thread."""

    @property
    def live(self) -> bool:
        """True for cameras and streams (drop frames when behind), False for files."""

    @property
    def grabbed(self) -> int:
        """Frames read from the source so far, including those the rate gate skipped."""

    @property
    def reconnects(self) -> int:
        """Times a live source was opened again after losing it."""

    @property
    def expected(self) -> int | None:
        """Frames a file holds according to its header, if known."""

    def frames(self) -> Iterator[Frame]:
        """Yield decoded frames until the source ends.

        Raises:
            SourceError: the source cannot be opened, or a file stops decoding early (after
                every frame before the damage was yielded).
        """

    def stop(self) -> None:
        """Ask :meth:`frames` to end soon (thread-safe)."""

    def probe(self) -> None:
        """Fail early, before anything starts, if the source clearly cannot be read.

        Raises:
            SourceError: a file or folder that is missing or cannot be opened.
        """


class RateGate:
    """Lets frames through at most ``rate_hz`` times per second of frame time.

    Frame time, not the wall clock: a file gives the same frames however loaded the machine.
    """

    _TOLERANCE = timedelta(milliseconds=1)  # 10 fps frames at 5 Hz must not slip on rounding

    def __init__(self, rate_hz: float) -> None:
        self._period = timedelta(seconds=1.0 / rate_hz)
        self._next: datetime | None = None

    def due(self, timestamp: datetime) -> bool:
        """Return True (and start the next period) if a frame at ``timestamp`` is wanted."""
        if self._next is not None and self._next - timestamp > self._TOLERANCE:
            return False
        planned = None if self._next is None else self._next + self._period
        self._next = planned if planned and planned > timestamp else timestamp + self._period
        return True
