"""``Frame``: one decoded picture with its UTC time, index and camera name (immutable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""A BGR image, (H, W, 3) uint8."""


@dataclass(frozen=True)
class Frame:
    """A decoded frame; its pixels are read-only so stages can share it without copying.

    Attributes:
        image: BGR pixels, (H, W, 3) uint8, not writeable.
        timestamp: when the frame was recorded, timezone-aware UTC.
        index: position of the frame in its source (0-based, counting skipped frames).
        source_id: the camera name (``source.name`` in the config).
    """

    image: Image
    timestamp: datetime
    index: int
    source_id: str

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError("Frame.timestamp must be timezone-aware")
        if self.image.ndim != 3 or self.image.shape[2] != 3:
            raise ValueError(f"Frame.image must be (H, W, 3), not {self.image.shape}")
        object.__setattr__(self, "timestamp", self.timestamp.astimezone(timezone.utc))
        self.image.flags.writeable = False

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.image.shape[0])
