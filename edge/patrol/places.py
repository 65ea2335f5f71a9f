"""Place-based dedup of a moving camera: one violation per class and place, across passes.

A confirmed sighting with its own (estimated) position belongs to:

1. the violation its track already belongs to; else
2. the nearest violation of the same class within ``radius_of(class)`` metres seen within
   ``window_s`` (a track lost and found again, or a later pass); else
3. a *candidate* place of that class within the radius. A place becomes a violation (``new``)
   once it has been seen on ``min_passes`` passes — a sighting after ``pass_gap_s`` without one
   starts a new pass — and confirmed on at least one of them. That persistence test replaces
   dwell for bikes. A near miss (track median between ``min_score`` and ``confirm_score``)
   counts as seen: a bike meets the same object from afar or at an angle on one pass and
   close on the other, so asking for a confirmation on every pass would miss most of them.
   A violation opened by a near miss shows that sighting (the latest view; no frame is kept
   in memory for a candidate) with the confidence the place was confirmed at.

A violation seen on a later pass raises an ``update`` ("seen again"); one seen with evidence
better by ``update_min_gain`` raises an ``update`` too, at most once per
``update_min_interval_s``. The violation's position is the running mean of its sightings.
No ``end`` is sent (a bike that rode past proves nothing about absence); a violation is
forgotten ``window_s`` after its last sighting. A sighting without its own position (no fix,
stale fix, no course: the bike stands at a light) cannot be placed. It rejoins an unplaced
violation of its class seen within ``pass_gap_s`` at the same image region (IoU >=
``events.region_iou``) from within the class's radius of where the bike is now — a track lost
and found while the bike waits; never without a fix — else it becomes a violation of its own
track at once, its event marked by its location.

Violations are returned as :class:`~edge.events.lifecycle.Remembered` records to be stored
with the events, so a restarted node continues them; candidates live in memory only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from contracts.ids import new_ulid
from contracts.messages import EventType, Location, LocationSource
from edge.config_patrol import PatrolSettings
from edge.config_sections import EventSettings
from edge.events.decisions import Decision, Sighting
from edge.events.lifecycle import (
    LifecycleStep,
    Remembered,
    region_iou,
    region_of,
    replace_record,
    to_persist,
)
from edge.events.quality import quality
from edge.position.fixes import distance_m
from edge.violations import Verdict, Violation


@dataclass
class _Place:
    """A running mean position (mutable, private to this stage)."""

    lat: float
    lon: float
    count: int = 1

    def add(self, lat: float, lon: float) -> None:
        self.count += 1
        self.lat += (lat - self.lat) / self.count
        self.lon += (lon - self.lon) / self.count


@dataclass
class _Candidate:
    label: str
    place: _Place
    passes: int
    last_seen: datetime
    first_seen: datetime
    confirmed: float | None = None
    """The highest track median it was confirmed at (None: only near misses so far)."""


def own_position(violation: Violation) -> tuple[float, float] | None:
    """Return the violation's own estimated (lat, lon), or None."""
    location = violation.location
    if location is None or location.source is not LocationSource.ESTIMATED:
        return None
    if location.lat is None or location.lon is None:
        return None
    return location.lat, location.lon


class PlaceDeduper:
    """Keeps one lifecycle per class and place for a moving camera.

    Args:
        settings: update rules (``update_min_gain``, ``update_min_interval_s``).
        patrol: radii, window, passes.
        remembered: violations stored by a previous run.
    """

    def __init__(
        self,
        settings: EventSettings,
        patrol: PatrolSettings,
        remembered: list[Remembered] | None = None,
    ) -> None:
        self._settings = settings
        self._patrol = patrol
        self._records = {r.violation_id: r for r in remembered or []}
        self._places = {vid: _place_of(r) for vid, r in self._records.items()}
        self._owner: dict[int, str] = {}
        self._candidates: dict[int, _Candidate] = {}
        self._confirming: set[int] = set()
        self._stored_at = {r.violation_id: r.last_seen for r in self._records.values()}

    def owns(self, track_id: int) -> bool:
        """Return True if ``track_id`` belongs to a violation or confirmed a candidate place."""
        return track_id in self._owner or track_id in self._confirming

    def update(self, at: datetime, violations: tuple[Violation, ...]) -> LifecycleStep:
        """Return the events, stored state and forgotten ids after the frame at ``at``."""
        decisions: list[Decision] = []
        for violation in violations:
            if violation.verdict is Verdict.CONFIRMED:
                decision = self._sighting(violation, at)
            else:
                decision = self._near_miss(violation, at)
            decisions.extend([decision] if decision else [])
        forget = tuple(self._forget(at))
        remember = tuple(
            to_persist(self._records, self._stored_at, {d.violation_id for d in decisions})
        )
        return LifecycleStep(tuple(decisions), remember, forget)

    def _sighting(self, violation: Violation, at: datetime) -> Decision | None:
        position = own_position(violation)
        owner = self._owner.get(violation.track_id)
        if owner:
            record = self._records.get(owner)
        elif position is None:
            record = self._rejoin_unplaced(violation, at)
        else:
            record = self._nearest(violation, position, at)
        if record is not None:
            return self._continue(record, violation, position, at)
        if position is None:
            return self._open(violation, None, at)
        return self._ripen(self._candidate(violation, position, at), violation, at)

    def _near_miss(self, violation: Violation, at: datetime) -> Decision | None:
        """Count a near miss as a sighting of a candidate place (never of a violation)."""
        position = own_position(violation)
        if position is None or violation.track_id in self._owner:
            return None
        if self._nearest(violation, position, at) is not None:
            return None
        return self._ripen(self._candidate(violation, position, at), violation, at)

    def _rejoin_unplaced(self, violation: Violation, at: datetime) -> Remembered | None:
        """Return the unplaced violation a sighting without a position continues, if any."""
        region, here = region_of(violation), violation.location
        radius = self._patrol.radius_of(violation.label)
        best: tuple[float, Remembered] | None = None
        for vid, record in self._records.items():
            if (
                record.label != violation.label
                or self._places.get(vid) is not None
                or _gap_s(at, record.last_seen) > self._patrol.pass_gap_s
            ):
                continue
            overlap = region_iou(region, record.region)
            if overlap < self._settings.region_iou or not _near(here, record, radius):
                continue
            if best is None or overlap > best[0]:
                best = (overlap, record)
        return best[1] if best else None

    def _ripen(self, candidate: _Candidate, violation: Violation, at: datetime) -> Decision | None:
        """Open the candidate's violation once seen on enough passes and confirmed on one."""
        if candidate.passes < self._patrol.min_passes or candidate.confirmed is None:
            return None
        self._candidates = {t: c for t, c in self._candidates.items() if c is not candidate}
        if violation.verdict is not Verdict.CONFIRMED:
            confidence = max(candidate.confirmed, violation.confidence)
            violation = replace(violation, verdict=Verdict.CONFIRMED, confidence=confidence)
        first_seen = min(candidate.first_seen, violation.first_seen)
        return self._open(replace(violation, first_seen=first_seen), candidate.place, at)

    def _nearest(
        self, violation: Violation, position: tuple[float, float] | None, at: datetime
    ) -> Remembered | None:
        if position is None:
            return None
        best: tuple[float, Remembered] | None = None
        radius = self._patrol.radius_of(violation.label)
        for vid, record in self._records.items():
            if (
                record.label != violation.label
                or _gap_s(at, record.last_seen) > self._patrol.window_s
            ):
                continue
            place = self._places[vid]
            if place is None:
                continue
            far = distance_m(place.lat, place.lon, *position)
            if far <= radius and (best is None or far < best[0]):
                best = (far, record)
        return best[1] if best else None

    def _candidate(
        self, violation: Violation, position: tuple[float, float], at: datetime
    ) -> _Candidate:
        candidate = self._candidates.get(violation.track_id)
        if candidate is None:
            radius = self._patrol.radius_of(violation.label)
            near = [
                c
                for c in {id(c): c for c in self._candidates.values()}.values()
                if c.label == violation.label
                and distance_m(c.place.lat, c.place.lon, *position) <= radius
            ]
            candidate = min(
                near, key=lambda c: distance_m(c.place.lat, c.place.lon, *position), default=None
            )
        if candidate is None:
            candidate = _Candidate(violation.label, _Place(*position), 1, at, violation.first_seen)
        else:
            if _gap_s(at, candidate.last_seen) >= self._patrol.pass_gap_s:
                candidate.passes += 1
            candidate.place.add(*position)
            candidate.last_seen = max(at, candidate.last_seen)
        if violation.verdict is Verdict.CONFIRMED:
            self._confirming.add(violation.track_id)
            candidate.confirmed = max(candidate.confirmed or 0.0, violation.confidence)
        self._candidates[violation.track_id] = candidate
        return candidate

    def _continue(
        self,
        record: Remembered,
        violation: Violation,
        position: tuple[float, float] | None,
        at: datetime,
    ) -> Decision | None:
        self._owner[violation.track_id] = record.violation_id
        place = self._places.get(record.violation_id)
        if position is not None:
            if place is None:
                place = self._places[record.violation_id] = _Place(*position)
            else:
                place.add(*position)
        score, sighting = quality(violation), _placed(violation, place)
        new_pass = _gap_s(at, record.last_seen) >= self._patrol.pass_gap_s
        better = score >= record.best_quality + self._settings.update_min_gain
        spaced = (at - record.last_event_at).total_seconds() >= self._settings.update_min_interval_s
        reason = "seen again on a later pass" if new_pass else "better evidence" if better else None
        updated = replace_record(record, violation, sighting, at)
        if reason is None or not spaced:
            self._records[record.violation_id] = updated
            return None
        updated = updated.model_copy(
            update={"best_quality": max(score, record.best_quality), "last_event_at": at}
        )
        self._records[record.violation_id] = updated
        return _decision(EventType.UPDATE, updated, violation, reason)

    def _open(self, violation: Violation, place: _Place | None, at: datetime) -> Decision:
        sighting = _placed(violation, place)
        record = Remembered(
            violation_id=new_ulid(),
            label=violation.label,
            region=region_of(violation),
            first_seen=min(violation.first_seen, at),
            last_seen=at,
            last_event_at=at,
            best_quality=quality(violation),
            ended=False,
            sighting=sighting,
        )
        self._records[record.violation_id] = record
        self._places[record.violation_id] = place
        self._owner[violation.track_id] = record.violation_id
        reason = "new place" if place else "new (no own position)"
        return _decision(EventType.NEW, record, violation, reason)

    def _forget(self, at: datetime) -> list[str]:
        window = self._patrol.window_s
        self._candidates = {
            t: c for t, c in self._candidates.items() if _gap_s(at, c.last_seen) <= window
        }
        self._confirming &= set(self._candidates)
        old = [vid for vid, r in self._records.items() if _gap_s(at, r.last_seen) > window]
        for vid in old:
            del self._records[vid]
            self._places.pop(vid, None)
            self._stored_at.pop(vid, None)
        self._owner = {t: v for t, v in self._owner.items() if v in self._records}
        return old


def _near(here: Location | None, record: Remembered, radius_m: float) -> bool:
    """Whether the bike stands within ``radius_m`` of where it saw ``record``.

    Without a fresh position on either side the answer is no: a bike riding without a fix could
    see another object of the class at the same image region, and two reports beat a lost one.
    """
    there = record.sighting.location
    if here is None or here.stale or None in (here.lat, here.lon, there.lat, there.lon):
        return False
    assert here.lat is not None and here.lon is not None
    assert there.lat is not None and there.lon is not None
    return distance_m(here.lat, here.lon, there.lat, there.lon) <= radius_m


def _gap_s(at: datetime, last: datetime) -> float:
    return max(0.0, (at - last).total_seconds())


def _place_of(record: Remembered) -> _Place | None:
    location = record.sighting.location
    if (
        location.source is not LocationSource.ESTIMATED
        or location.lat is None
        or location.lon is None
    ):
        return None
    return _Place(location.lat, location.lon, count=1)


def _placed(violation: Violation, place: _Place | None) -> Sighting:
    sighting = Sighting.of(violation)
    if place is None or sighting.location.source is not LocationSource.ESTIMATED:
        return sighting
    moved = sighting.location.model_copy(update={"lat": place.lat, "lon": place.lon})
    return sighting.model_copy(update={"location": moved})


def _decision(kind: EventType, record: Remembered, violation: Violation, reason: str) -> Decision:
    return Decision(
        type=kind,
        violation_id=record.violation_id,
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        sighting=record.sighting,
        evidence=violation,
        reason=reason,
    )
