"""``Detections``: the immutable value passed between detector, tracker and rules."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

NO_TRACK = -1
"""``track_id`` of a detection the tracker has not (yet) assigned."""


def _frozen(array: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Detections:
    """Parallel arrays, one row per detection; boolean-mask indexing returns a new object.

    Attributes:
        xyxy: (N, 4) boxes in frame pixels, float32.
        confidence: (N,) scores in 0..1, float32.
        class_id: (N,) class indices into the model's names, int64.
        track_id: (N,) tracker ids, :data:`NO_TRACK` where unassigned, int64.
    """

    xyxy: FloatArray
    confidence: FloatArray
    class_id: IntArray
    track_id: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __post_init__(self) -> None:
        n = len(self.confidence)
        xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(n, 4)
        track = self.track_id if len(self.track_id) == n else np.full(n, NO_TRACK, np.int64)
        object.__setattr__(self, "xyxy", _frozen(np.array(xyxy)))
        object.__setattr__(self, "confidence", _frozen(np.asarray(self.confidence, np.float32)))
        object.__setattr__(self, "class_id", _frozen(np.asarray(self.class_id, np.int64)))
        object.__setattr__(self, "track_id", _frozen(np.asarray(track, np.int64)))
        if not (len(self.class_id) == len(self.track_id) == n):
            raise ValueError("Detections arrays must have the same length")

    @classmethod
    def empty(cls) -> Detections:
        """Return an object with no detections."""
        return cls(np.empty((0, 4), np.float32), np.empty(0, np.float32), np.empty(0, np.int64))

    def __len__(self) -> int:
        return len(self.confidence)

    def __getitem__(self, index: npt.NDArray[np.bool_] | npt.NDArray[np.int64]) -> Detections:
        """Return the rows selected by a boolean mask or an index array."""
        return Detections(
            self.xyxy[index], self.confidence[index], self.class_id[index], self.track_id[index]
        )

    def with_tracks(self, track_id: IntArray) -> Detections:
        """Return a copy with ``track_id`` set."""
        return Detections(self.xyxy, self.confidence, self.class_id, track_id)
