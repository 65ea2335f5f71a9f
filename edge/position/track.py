"""The recent fixes of a receiver and the position at any frame time, interpolated.

Between two fixes with a position no more than ``max_gap_s`` apart, the position, course and
speed are interpolated linearly (course along the shorter turn; a track without reported
courses, like GPX, takes the bearing of the shortest chord of at least 2 m centred on them);
accuracy is the worse of the two, the fix mode the weaker, and the fix age the time to the
nearer fix. A live frame is newer than the receiver's latest fix (up to one fix period): within
:data:`AHEAD_S` of a fix that reports its course and speed, the position is carried on along
that course at that speed (a bike at 5 m/s with 1 Hz fixes would otherwise be placed up to
5 m behind); the fix age still counts from the fix. Otherwise the nearest fix with a position
is used as it is, its age counted from it; a fix older than ``max_fix_age_s`` is marked
``stale``. When the receiver's latest report at that time says "no fix", the last fix is used
only while younger than ``max_fix_age_s``, never carried on. Otherwise — no fix at all, a lost
fix, or only a fix far in the future — the answer is ``fix: none`` with no position: a
position is never invented.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from contracts.messages import FixMode, GpsState, Location, LocationSource
from edge.position.fixes import Fix, bearing_deg, blend_heading, moved_by, offset_m

CHORD_M = 2.0
"""Shortest chord a course is derived from when the source reports none (GPX)."""
AHEAD_S = 2.0
"""Longest time a fix's course and speed carry the position on past it (two 1 Hz periods)."""
_RANK = {FixMode.NONE: 0, FixMode.FIX_2D: 1, FixMode.FIX_3D: 2, FixMode.STATIC: 3}


@dataclass(frozen=True)
class TrackSettings:
    """How fixes become positions.

    Attributes:
        max_fix_age_s: a position from a fix older than this is stale.
        max_gap_s: fixes further apart than this are not interpolated between.
        keep: fixes kept in memory (oldest dropped).
    """

    max_fix_age_s: float = 5.0
    max_gap_s: float = 5.0
    keep: int = 100_000


class FixTrack:
    """A time-ordered, bounded store of fixes (thread-safe: providers add, the pipeline reads).

    Args:
        settings: ages, gaps and size.
        source: reported when there is no fix at all.
    """

    def __init__(self, settings: TrackSettings, source: LocationSource) -> None:
        self._settings = settings
        self._source = source
        self._lock = threading.Lock()
        self._fixes: deque[Fix] = deque(maxlen=settings.keep)
        self._times: deque[float] = deque(maxlen=settings.keep)
        self._last_good: Fix | None = None

    def add(self, fix: Fix) -> None:
        """Add a fix in time order.

        A second report of the newest epoch replaces it (gpsd sends one per sentence); an
        older one is dropped.
        """
        with self._lock:
            stamp = fix.time.timestamp()
            if self._times and stamp < self._times[-1]:
                return
            if self._times and stamp == self._times[-1]:
                self._fixes.pop()
                self._times.pop()
            fix = fix.with_motion(self._last_good)
            self._fixes.append(fix)
            self._times.append(stamp)
            if fix.has_position:
                self._last_good = fix

    def latest(self) -> Fix | None:
        """Return the newest fix (with or without a position)."""
        with self._lock:
            return self._fixes[-1] if self._fixes else None

    def span(self) -> tuple[datetime, datetime] | None:
        """Return the times of the first and last fix with a position (None: no such fix)."""
        with self._lock:
            good = [fix.time for fix in self._fixes if fix.has_position]
        return (good[0], good[-1]) if good else None

    def at(self, when: datetime) -> Location:
        """Return the receiver's position at ``when`` (see the module docstring)."""
        with self._lock:
            fixes, times = list(self._fixes), list(self._times)
        t = when.timestamp()
        i = bisect.bisect_right(times, t)
        before = _good(fixes, range(i - 1, -1, -1))
        after = _good(fixes, range(i, len(fixes)))
        report = fixes[i - 1] if i else None
        max_age = self._settings.max_fix_age_s
        if report is not None and not report.has_position:  # the receiver had no fix then
            age = None if before is None else t - before.time.timestamp()
            if before is None or age is None or age > max_age:
                return Location(fix=FixMode.NONE, fix_age_s=_age(age), source=self._source)
            return _location(before, before.lat, before.lon, age, max_age)
        if before and after and times_gap(before, after) <= self._settings.max_gap_s:
            return self._between(before, after, t, fixes, i)
        nearest = min(
            (f for f in (before, after) if f is not None),
            key=lambda f: abs(f.time.timestamp() - t),
            default=None,
        )
        if nearest is None:
            return Location(fix=FixMode.NONE, source=self._source)
        age = abs(nearest.time.timestamp() - t)
        if before is None and age > max_age:  # only a fix far in the future: none
            return Location(fix=FixMode.NONE, source=self._source)
        lat, lon = nearest.lat, nearest.lon
        if nearest is before and after is None:
            lat, lon = _carried_on(before, t - before.time.timestamp())
        return _location(nearest, lat, lon, age, self._settings.max_fix_age_s)

    def _between(self, a: Fix, b: Fix, t: float, fixes: list[Fix], index: int) -> Location:
        ta, tb = a.time.timestamp(), b.time.timestamp()
        w = 0.0 if tb <= ta else (t - ta) / (tb - ta)
        assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
        lat = a.lat + w * (b.lat - a.lat)
        lon = a.lon + w * (b.lon - a.lon)
        heading = _mix(a.heading_deg, b.heading_deg, w, blend_heading)
        if not b.course_reported:
            heading = _chord_heading(fixes, index, self._settings.max_gap_s)
        speed = _mix(a.speed_mps, b.speed_mps, w, lambda x, y, k: x + k * (y - x))
        accuracies = [x for x in (a.accuracy_m, b.accuracy_m) if x is not None]
        weaker = min((a, b), key=lambda f: _RANK[f.mode])
        age = min(t - ta, tb - t)
        return Location(
            lat=lat,
            lon=lon,
            accuracy_m=round(max(accuracies), 2) if accuracies else None,
            fix=weaker.mode,
            fix_age_s=round(max(0.0, age), 3),
            stale=age > self._settings.max_fix_age_s,
            heading_deg=None if heading is None else round(heading, 2) % 360.0,
            speed_mps=None if speed is None else round(max(0.0, speed), 3),
            source=a.source,
        )

    def state(self, when: datetime) -> GpsState:
        """Return the receiver state at ``when`` for the heartbeat."""
        latest = self.latest()
        if latest is None:
            return GpsState(fix=FixMode.NONE, source=self._source)
        good = self._last_good
        age = None if good is None else max(0.0, (when - good.time).total_seconds())
        return GpsState(
            fix=latest.mode if latest.has_position else FixMode.NONE,
            source=latest.source,
            satellites=latest.satellites,
            accuracy_m=latest.accuracy_m if latest.has_position else None,
            fix_age_s=None if age is None else round(age, 3),
        )


def times_gap(a: Fix, b: Fix) -> float:
    """Return the seconds between two fixes."""
    return abs((b.time - a.time).total_seconds())


def _chord_heading(fixes: list[Fix], index: int, span_s: float) -> float | None:
    """Return the course around ``index`` for a source that reports none.

    It is the bearing of the shortest chord of good fixes centred on ``index`` that is at least
    :data:`CHORD_M` long and spans at most ``2·span_s`` seconds (None when the bike stands).
    """
    back, ahead = index - 1, index
    while back >= 0 and ahead < len(fixes):
        a, b = fixes[back], fixes[ahead]
        if a.has_position and b.has_position:
            assert a.lat is not None and a.lon is not None
            assert b.lat is not None and b.lon is not None
            east, north = offset_m(a.lat, a.lon, b.lat, b.lon)
            if math.hypot(east, north) >= CHORD_M:
                return bearing_deg(east, north)
        if times_gap(a, b) > 2 * span_s:
            return None
        if back > 0 and (ahead + 1 >= len(fixes) or (ahead - index) >= (index - 1 - back)):
            back -= 1
        elif ahead + 1 < len(fixes):
            ahead += 1
        else:
            return None
    return None


def _carried_on(fix: Fix, seconds: float) -> tuple[float | None, float | None]:
    """Return ``fix``'s position moved along its reported course for ``seconds`` (if fit)."""
    speed, course = fix.speed_mps, fix.heading_deg
    if (
        not 0.0 < seconds <= AHEAD_S
        or speed is None
        or course is None
        or not fix.course_reported
        or fix.lat is None
        or fix.lon is None
    ):
        return fix.lat, fix.lon
    along = speed * seconds
    east = along * math.sin(math.radians(course))
    north = along * math.cos(math.radians(course))
    return moved_by(fix.lat, fix.lon, east, north)


def _age(seconds: float | None) -> float | None:
    return None if seconds is None else round(max(0.0, seconds), 3)


def _good(fixes: list[Fix], order: range) -> Fix | None:
    return next((fixes[k] for k in order if fixes[k].has_position), None)


def _mix(a: float | None, b: float | None, w: float, how: object) -> float | None:
    if a is None or b is None:
        return a if b is None else b
    assert callable(how)
    value = how(a, b, w)
    assert isinstance(value, float)
    return value


def _location(
    fix: Fix, lat: float | None, lon: float | None, age: float, max_age: float
) -> Location:
    return Location(
        lat=lat,
        lon=lon,
        accuracy_m=None if fix.accuracy_m is None else round(fix.accuracy_m, 2),
        fix=fix.mode,
        fix_age_s=round(age, 3),
        stale=age > max_age,
        heading_deg=None if fix.heading_deg is None else round(fix.heading_deg, 2) % 360.0,
        speed_mps=fix.speed_mps,
        source=fix.source,
    )
