"""ByteTrack (Zhang et al., ECCV 2022): two-stage association of high- and low-score boxes.

Why written here rather than imported (measured with Python 3.11 on x86-64):

- Roboflow ``trackers`` 2.6 (Apache-2.0, actively released; ``supervision`` 0.31 no longer
  ships a ByteTrack of its own) needs ``supervision``, ``scipy`` and **``opencv-python``**:
  the GUI build of OpenCV next to our ``opencv-python-headless``, both owning the ``cv2``
  package, the GUI one linking the system ``libGL``/``libxcb`` that the slim edge image does not
  have. With ``supervision``'s own dependencies (matplotlib, PyAV, requests...) it adds about
  550 MB to the install, +76 MB resident memory (a third of the 250 MB edge budget) and 1 s
  to start-up.
- ``bytetracker`` 0.3 (a packaging of the reference code) pins ``torch==1.13`` and Python
  3.7-3.9, and is unmaintained; ``cjm-byte-track`` 0.0.6 (numpy + scipy) had its last
  release in 2023.

So the algorithm is kept here in one small module, and only the optimal assignment comes from
a library: ``lap`` (BSD, numpy only, 2.5 MB, the solver ultralytics' ByteTrack uses).
Tracks are per class: boxes of different classes are never associated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import lap  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from edge.config_sections import TrackingSettings
from edge.detections import NO_TRACK, Detections
from edge.tracking import kalman

SECOND_STAGE_IOU = 0.5
"""IoU needed to extend a track with a low-score box (as in the reference implementation)."""
UNCONFIRMED_IOU = 0.3
"""IoU needed for a track seen once to be confirmed by its second box."""


@dataclass
class _Track:
    track_id: int
    class_id: int
    mean: kalman.Vector
    cov: kalman.Matrix
    last_seen: datetime
    confirmed: bool
    lost: bool = False

    def box(self) -> kalman.Vector:
        return kalman.xyah_to_xyxy(self.mean)

    def correct(self, box: npt.NDArray[np.float32], at: datetime) -> None:
        self.mean, self.cov = kalman.update(self.mean, self.cov, kalman.xyxy_to_xyah(box))
        self.last_seen, self.lost, self.confirmed = at, False, True


def iou_matrix(a: npt.NDArray[np.floating], b: npt.NDArray[np.floating]) -> kalman.Matrix:
    """Return the IoU of every box in ``a`` (N, 4) with every box in ``b`` (M, 4)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    a64, b64 = a.astype(np.float64)[:, None, :], b.astype(np.float64)[None, :, :]
    wh = np.clip(
        np.minimum(a64[..., 2:], b64[..., 2:]) - np.maximum(a64[..., :2], b64[..., :2]), 0, None
    )
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a64[..., 2] - a64[..., 0]) * (a64[..., 3] - a64[..., 1])
    area_b = (b64[..., 2] - b64[..., 0]) * (b64[..., 3] - b64[..., 1])
    return np.asarray(inter / np.maximum(area_a + area_b - inter, 1e-9))


def _assign(
    tracks: list[_Track], dets: Detections, rows: npt.NDArray[np.int64], min_iou: float
) -> tuple[list[tuple[_Track, int]], list[_Track], list[int]]:
    """Match ``tracks`` to the detections ``rows`` by IoU; return matches and the leftovers."""
    if not tracks or len(rows) == 0:
        return [], list(tracks), [int(r) for r in rows]
    boxes = np.array([t.box() for t in tracks])
    cost = 1.0 - iou_matrix(boxes, dets.xyxy[rows])
    classes = np.array([t.class_id for t in tracks])
    cost[classes[:, None] != dets.class_id[rows][None, :]] = 2.0
    _, track_of, _ = lap.lapjv(cost, extend_cost=True, cost_limit=1.0 - min_iou)
    matches = [(tracks[i], int(rows[j])) for i, j in enumerate(track_of) if j >= 0]
    used = {int(rows[j]) for j in track_of if j >= 0}
    left_tracks = [t for i, t in enumerate(tracks) if track_of[i] < 0]
    return matches, left_tracks, [int(r) for r in rows if int(r) not in used]


class ByteTracker:
    """Gives detections stable track ids across frames (BYTE association + Kalman motion).

    Args:
        settings: scores, IoU and lost-track memory.
    """

    def __init__(self, settings: TrackingSettings) -> None:
        self._settings = settings
        self._tracks: list[_Track] = []
        self._next_id = 1

    def update(self, detections: Detections, at: datetime) -> Detections:
        """Return ``detections`` with ``track_id`` set (the input is not changed).

        Rows without a confirmed track keep :data:`~edge.detections.NO_TRACK`.
        """
        self._forget(at, [])
        for track in self._tracks:
            track.mean, track.cov = kalman.predict(track.mean, track.cov)
        ids = np.full(len(detections), NO_TRACK, np.int64)
        scores = detections.confidence
        high = np.flatnonzero(scores >= self._settings.high_score)
        low = np.flatnonzero(
            (scores >= self._settings.low_score) & (scores < self._settings.high_score)
        )
        active = [t for t in self._tracks if t.confirmed]
        matched, left, high_left = _assign(active, detections, high, self._settings.match_iou)
        still_tracked = [t for t in left if not t.lost]
        matched_low, unmatched, _ = _assign(still_tracked, detections, low, SECOND_STAGE_IOU)
        fresh = [t for t in self._tracks if not t.confirmed]
        confirmed, stale, new_rows = _assign(
            fresh, detections, np.array(high_left, np.int64), UNCONFIRMED_IOU
        )
        for track, row in [*matched, *matched_low, *confirmed]:
            track.correct(detections.xyxy[row], at)
            ids[row] = track.track_id
        for track in unmatched:
            track.lost = True
        self._forget(at, stale)
        for row in new_rows:
            self._start(detections, row, at)
        return detections.with_tracks(ids)

    def _forget(self, at: datetime, stale: list[_Track]) -> None:
        """Drop unconfirmed tracks that found no second box, and tracks lost too long."""
        gone = {id(t) for t in stale}
        limit = self._settings.lost_s
        self._tracks = [
            t
            for t in self._tracks
            if id(t) not in gone and (at - t.last_seen).total_seconds() <= limit
        ]

    def _start(self, detections: Detections, row: int, at: datetime) -> None:
        mean, cov = kalman.initiate(kalman.xyxy_to_xyah(detections.xyxy[row]))
        track = _Track(self._next_id, int(detections.class_id[row]), mean, cov, at, False)
        self._next_id += 1
        self._tracks.append(track)
