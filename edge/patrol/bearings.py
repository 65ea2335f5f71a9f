"""Where a raised object is, from the bearings of its track as the bike rides past.

A sign on a wall or a banner on a railing does not stand on the road where its box's bottom
edge is seen, so the flat-ground projection puts it far too far away (or above the horizon).
Its *bearing* from the camera is still sound: as the bike moves, the bearings of one track
turn, and the object is where they cross. Each sighting gives a horizontal line from the
bike's position along the azimuth of the box centre; the estimate is the weighted
least-squares point closest to every line (perpendicular error ∝ range).

An estimate exists once the track's bearings span ``min_spread_deg`` and the point lies ahead
of every line, within ``max_range_m`` of the latest position. Accuracy combines the GPS
accuracy with a bearing tolerance: the sightings of one track share the heading error, so
they count as two independent bearings, not as many as there are frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from edge.patrol.ground import GroundPoint
from edge.position.fixes import moved_by, offset_m

MAX_SIGHTINGS = 120
"""Sightings kept per track (the first, widest-baseline one is always kept)."""
PAIR_PICKS = 24
"""Bearings (evenly spread over the track) whose pairwise crossings are tried."""


@dataclass(frozen=True)
class Bearing:
    """One sighting: the camera's local position and the object's azimuth.

    Attributes:
        east: metres east of the track's first camera position.
        north: metres north of it.
        azimuth_rad: compass azimuth of the object from the camera, radians.
    """

    east: float
    north: float
    azimuth_rad: float


@dataclass
class _Track:
    """Bearings of one track (mutable, private to this stage)."""

    origin: tuple[float, float]
    last_seen: datetime
    bearings: list[Bearing] = field(default_factory=list)


@dataclass(frozen=True)
class Triangulation:
    """The crossing point of a track's bearings, in the track's local frame.

    Attributes:
        east: metres east of the track's origin.
        north: metres north of it.
        variance_m2: summed east and north variance from the bearing tolerance alone.
    """

    east: float
    north: float
    variance_m2: float


def triangulate(
    bearings: list[Bearing], min_spread_deg: float, tolerance_deg: float
) -> Triangulation | None:
    """Return the least-squares crossing of ``bearings``, or None when they barely turn.

    The crossing agreed by most bearings (within three tolerances, at least 4°) is found
    first from pairs of them, so a minority of bad bearings (a turning bike's course lags its
    camera) is dropped; at least half must agree.

    Args:
        bearings: sightings of one object.
        min_spread_deg: the least angle between the extreme bearings.
        tolerance_deg: the 1-sigma bearing error of one sighting.
    """
    if len(bearings) < 2 or _spread_deg(bearings) < min_spread_deg:
        return None
    points = np.array([(b.east, b.north) for b in bearings])
    dirs = np.array([(math.sin(b.azimuth_rad), math.cos(b.azimuth_rad)) for b in bearings])
    keep = _consensus(points, dirs, math.radians(max(3.0 * tolerance_deg, 4.0)))
    if keep is None:
        return None
    kept = [b for b, k in zip(bearings, keep, strict=True) if k]
    if 2 * len(kept) < len(bearings) or _spread_deg(kept) < min_spread_deg:
        return None
    found = _solve(points[keep], dirs[keep])
    if found is None:
        return None
    solution, info = found
    sigma = math.radians(tolerance_deg)
    covariance = np.linalg.inv(info / max(sigma, 1e-6) ** 2) * len(kept) / 2.0
    return Triangulation(float(solution[0]), float(solution[1]), float(np.trace(covariance)))


def _consensus(points: np.ndarray, dirs: np.ndarray, limit_rad: float) -> np.ndarray | None:
    """Return which bearings agree with the pairwise crossing most of them agree with."""
    picks = np.unique(np.linspace(0, len(points) - 1, min(len(points), PAIR_PICKS)).astype(int))
    i, j = np.triu_indices(len(picks), k=1)
    a, b = picks[i], picks[j]
    cross = dirs[a, 0] * dirs[b, 1] - dirs[a, 1] * dirs[b, 0]
    usable = np.abs(cross) > math.sin(math.radians(2.0))
    if not np.any(usable):
        return None
    a, b, cross = a[usable], b[usable], cross[usable]
    gap = points[b] - points[a]
    along_a = (gap[:, 0] * dirs[b, 1] - gap[:, 1] * dirs[b, 0]) / cross
    along_b = (gap[:, 0] * dirs[a, 1] - gap[:, 1] * dirs[a, 0]) / cross
    ahead = (along_a > 0) & (along_b > 0)
    if not np.any(ahead):
        return None
    candidates = points[a[ahead]] + along_a[ahead, None] * dirs[a[ahead]]
    to = candidates[:, None, :] - points[None, :, :]
    off = np.abs(
        np.arctan2(
            dirs[None, :, 0] * to[..., 1] - dirs[None, :, 1] * to[..., 0],
            dirs[None, :, 0] * to[..., 0] + dirs[None, :, 1] * to[..., 1],
        )
    )
    agree = off <= limit_rad
    best = int(np.argmax(agree.sum(axis=1)))
    return np.asarray(agree[best])


def _solve(points: np.ndarray, dirs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the point closest to every line (weighted by 1/range²) and its information.

    None when the lines are near parallel or the point is behind one of them.
    """
    normals = np.stack([-dirs[:, 1], dirs[:, 0]], axis=1)
    weights = np.ones(len(points))
    solution = np.zeros(2)
    info = np.eye(2)
    for _ in range(2):  # unweighted, then weighted by 1/range² (error grows with range)
        info = np.einsum("i,ij,ik->jk", weights, normals, normals)
        if np.linalg.cond(info) > 1e6:
            return None
        target = np.einsum("i,ij,ik,ik->j", weights, normals, normals, points)
        solution = np.linalg.solve(info, target)
        ahead = np.einsum("ij,ij->i", solution - points, dirs)
        if np.any(ahead <= 0.0):
            return None
        weights = 1.0 / np.maximum(ahead, 1.0) ** 2
    info = np.einsum("i,ij,ik->jk", weights, normals, normals)
    return solution, info


def _spread_deg(bearings: list[Bearing]) -> float:
    first = bearings[0].azimuth_rad
    turns = [(b.azimuth_rad - first + math.pi) % (2 * math.pi) - math.pi for b in bearings]
    return math.degrees(max(turns) - min(turns))


class BearingTracker:
    """Collects each track's bearings and locates its object where they cross.

    Args:
        min_spread_deg: the least turn of a track's bearings before it is located.
        tolerance_deg: the bearing error of one sighting (heading and box centre).
        max_range_m: estimates further than this from the camera are refused.
        keep_s: a track unseen this long is forgotten.
    """

    def __init__(
        self, min_spread_deg: float, tolerance_deg: float, max_range_m: float, keep_s: float
    ) -> None:
        self._min_spread_deg = min_spread_deg
        self._tolerance_deg = tolerance_deg
        self._max_range_m = max_range_m
        self._keep_s = keep_s
        self._tracks: dict[int, _Track] = {}

    def add(
        self,
        track_id: int,
        at: datetime,
        camera: tuple[float, float],
        azimuth_deg: float | None,
        gps_accuracy_m: float,
    ) -> GroundPoint | None:
        """Record one sighting; return the object's position once the bearings cross.

        Args:
            track_id: the tracker's id.
            at: the frame's time.
            camera: the camera's (lat, lon).
            azimuth_deg: the object's compass azimuth from the camera; None when the course
                is not trusted now (a turning bike), so only the wait counts.
            gps_accuracy_m: the fix's accuracy.
        """
        self._forget(at)
        track = self._tracks.get(track_id)
        if track is None:
            track = self._tracks[track_id] = _Track(camera, at)
        track.last_seen = max(track.last_seen, at)
        east, north = offset_m(*track.origin, *camera)
        if azimuth_deg is not None:
            track.bearings.append(Bearing(east, north, math.radians(azimuth_deg)))
        if len(track.bearings) > MAX_SIGHTINGS:
            del track.bearings[1]
        found = triangulate(track.bearings, self._min_spread_deg, self._tolerance_deg)
        if found is None:
            return None
        reach = math.hypot(found.east - east, found.north - north)
        if reach > self._max_range_m:
            return None
        lat, lon = moved_by(*track.origin, found.east, found.north)
        accuracy = math.sqrt(gps_accuracy_m**2 + found.variance_m2)
        return GroundPoint(lat=lat, lon=lon, range_m=reach, accuracy_m=accuracy)

    def _forget(self, at: datetime) -> None:
        self._tracks = {
            tid: t
            for tid, t in self._tracks.items()
            if (at - t.last_seen).total_seconds() <= self._keep_s
        }
