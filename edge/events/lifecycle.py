"""One physical violation, one lifecycle: ``new`` → ``update``* → ``end`` under one id.

- A confirmed sighting whose track already belongs to a violation continues it.
- Otherwise, a violation of the same class whose last box overlaps the sighting's
  (IoU >= ``region_iou``, the place key of a fixed camera) and that was seen within
  ``cooldown_s`` takes it over: a stationary object whose track was lost and found again
  stays the same violation. If that violation had ended, it is reopened with an ``update``.
- Otherwise the sighting opens a new violation (``new``).
- ``update`` is also sent when a sighting's evidence quality
  (:func:`edge.events.quality.quality`) beats the best so far by ``update_min_gain``, at most
  once per ``update_min_interval_s``.
- ``end`` is sent once a violation has not been seen for ``end_after_s``; it is forgotten
  ``cooldown_s`` after its last sighting.

All times are frame times. The state of every violation is returned as :class:`Remembered`
records to be stored with the events (the outbox), so a restarted edge continues the same
violations instead of raising them again under new ids. The node's last frame time is stored
with them (at most :data:`PERSIST_EVERY_S` old); on the first frame after a restart the time
the node was down is added to each violation's ``paused_s`` and does not count as absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import AwareDatetime

from contracts.base import Frozen
from contracts.ids import new_ulid
from contracts.messages import EventType
from edge.config_sections import EventSettings
from edge.events.decisions import Decision, Sighting
from edge.events.quality import quality
from edge.violations import Verdict, Violation

Region = tuple[float, float, float, float]
PERSIST_EVERY_S = 5.0
"""A violation seen without an event, and the node's frame time, are stored at most this often."""


def to_persist(
    records: dict[str, Remembered], stored_at: dict[str, datetime], decided: set[str]
) -> list[Remembered]:
    """Return the records to write to the outbox now, and note when each was written.

    A record is written when a decision was made about it, or when it was last written more
    than :data:`PERSIST_EVERY_S` of frame time ago (its ``last_seen`` moved on).
    """
    changed = []
    for violation_id, record in records.items():
        stored = stored_at.get(violation_id)
        stale = stored is None or (record.last_seen - stored).total_seconds() >= PERSIST_EVERY_S
        if violation_id in decided or stale:
            stored_at[violation_id] = record.last_seen
            changed.append(record)
    return changed


class Remembered(Frozen):
    """The stored state of one violation."""

    violation_id: str
    label: str
    region: Region
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    last_event_at: AwareDatetime
    best_quality: float
    ended: bool
    sighting: Sighting
    paused_s: float = 0.0
    """Seconds since ``last_seen`` the node was down: not counted as absence."""
    watched_until: AwareDatetime | None = None
    """The node's last stored frame time before it stopped (set on recall; None once running)."""


@dataclass(frozen=True)
class LifecycleStep:
    """What one frame changed: events to raise, records to store, records to drop.

    ``last_frame_at`` is the frame time to store as the node's last one (None: not due).
    """

    decisions: tuple[Decision, ...]
    remember: tuple[Remembered, ...]
    forget: tuple[str, ...]
    last_frame_at: datetime | None = None


def region_of(violation: Violation) -> Region:
    """Return the violation's box normalised to 0..1 of the frame."""
    w, h = violation.frame.width, violation.frame.height
    x1, y1, x2, y2 = violation.box
    return x1 / w, y1 / h, x2 / w, y2 / h


def region_iou(a: Region, b: Region) -> float:
    """Return the IoU of two normalised boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _gap_s(at: datetime, record: Remembered) -> float:
    """Return how long ``record`` has been absent at ``at`` (the node's downtime excluded)."""
    return max(0.0, (at - record.last_seen).total_seconds() - record.paused_s)


def resumed(record: Remembered, at: datetime) -> Remembered:
    """Return ``record`` on the first frame ``at`` of a run, its downtime added to ``paused_s``."""
    if record.watched_until is None:
        return record
    down = max(0.0, (at - record.watched_until).total_seconds())
    return record.model_copy(update={"paused_s": record.paused_s + down, "watched_until": None})


class Deduper:
    """Keeps one lifecycle per physical violation.

    Args:
        settings: end, cooldown, place overlap and update rules.
        remembered: violations stored by a previous run; the time from their
            ``watched_until`` to the first frame of this run is downtime, not absence.
    """

    def __init__(self, settings: EventSettings, remembered: list[Remembered] | None = None) -> None:
        self._settings = settings
        self._records = {r.violation_id: r for r in remembered or []}
        self._owner: dict[int, str] = {}
        self._stored_at = {r.violation_id: r.last_seen for r in self._records.values()}
        self._resuming = bool(self._records)
        self._clock_at: datetime | None = None

    def owns(self, track_id: int) -> bool:
        """Return True if ``track_id`` belongs to a violation."""
        return track_id in self._owner

    def update(self, at: datetime, violations: tuple[Violation, ...]) -> LifecycleStep:
        """Return the events, stored state and forgotten ids after the frame at ``at``."""
        if self._resuming:
            self._resume(at)
        decisions: list[Decision] = []
        seen: set[str] = set()
        for violation in violations:
            if violation.verdict is Verdict.CONFIRMED:
                decision, violation_id = self._sighting(violation, at, seen)
                seen.add(violation_id)
                decisions.extend([decision] if decision else [])
        decisions.extend(self._ends(at, seen))
        forget = tuple(self._forget(at))
        remember = tuple(
            to_persist(self._records, self._stored_at, {d.violation_id for d in decisions})
        )
        clock = self._clock(at, bool(decisions or remember or forget))
        return LifecycleStep(tuple(decisions), remember, forget, clock)

    def _resume(self, at: datetime) -> None:
        self._resuming = False
        for violation_id, record in list(self._records.items()):
            self._records[violation_id] = resumed(record, at)
            if self._records[violation_id] is not record:
                self._stored_at.pop(violation_id, None)  # store its pause

    def _clock(self, at: datetime, writing: bool) -> datetime | None:
        """Return ``at`` when the node's frame time is due to be stored, else None.

        It is stored with every write, and otherwise every :data:`PERSIST_EVERY_S` while any
        violation is remembered (only then does the downtime of a restart matter).
        """
        since = None if self._clock_at is None else abs((at - self._clock_at).total_seconds())
        if writing or (self._records and (since is None or since >= PERSIST_EVERY_S)):
            self._clock_at = at
            return at
        return None

    def _sighting(
        self, violation: Violation, at: datetime, seen: set[str]
    ) -> tuple[Decision | None, str]:
        owner = self._owner.get(violation.track_id)
        record = self._records.get(owner) if owner else self._rejoin(violation, at, seen)
        score, sighting = quality(violation), Sighting.of(violation)
        if record is None:
            return self._open(violation, sighting, score, at)
        self._owner[violation.track_id] = record.violation_id
        better = score >= record.best_quality + self._settings.update_min_gain
        spaced = (at - record.last_event_at).total_seconds() >= self._settings.update_min_interval_s
        reason = "seen again" if record.ended else "better evidence" if better and spaced else None
        updated = replace_record(record, violation, sighting, at)
        if reason is None:
            self._records[record.violation_id] = updated
            return None, record.violation_id
        updated = updated.model_copy(
            update={"best_quality": max(score, record.best_quality), "last_event_at": at}
        )
        self._records[record.violation_id] = updated
        return self._decision(EventType.UPDATE, updated, violation, reason), record.violation_id

    def _open(
        self, violation: Violation, sighting: Sighting, score: float, at: datetime
    ) -> tuple[Decision, str]:
        record = Remembered(
            violation_id=new_ulid(),
            label=violation.label,
            region=region_of(violation),
            first_seen=violation.first_seen,
            last_seen=at,
            last_event_at=at,
            best_quality=score,
            ended=False,
            sighting=sighting,
        )
        self._records[record.violation_id] = record
        self._owner[violation.track_id] = record.violation_id
        return self._decision(EventType.NEW, record, violation, "new"), record.violation_id

    def _rejoin(self, violation: Violation, at: datetime, seen: set[str]) -> Remembered | None:
        region = region_of(violation)
        best: tuple[float, Remembered] | None = None
        for record in self._records.values():
            if record.label != violation.label or record.violation_id in seen:
                continue
            if _gap_s(at, record) > self._settings.cooldown_s:
                continue
            overlap = region_iou(region, record.region)
            if overlap >= self._settings.region_iou and (best is None or overlap > best[0]):
                best = (overlap, record)
        return best[1] if best else None

    def _ends(self, at: datetime, seen: set[str]) -> list[Decision]:
        ends = []
        for record in list(self._records.values()):
            if record.ended or record.violation_id in seen:
                continue
            if _gap_s(at, record) >= self._settings.end_after_s:
                ended = record.model_copy(update={"ended": True, "last_event_at": at})
                self._records[record.violation_id] = ended
                self._owner = {t: v for t, v in self._owner.items() if v != record.violation_id}
                gone = f"gone {_gap_s(at, record):.0f} s"
                ends.append(self._decision(EventType.END, ended, None, gone))
        return ends

    def _forget(self, at: datetime) -> list[str]:
        old = [
            r.violation_id
            for r in self._records.values()
            if r.ended and _gap_s(at, r) > self._settings.cooldown_s
        ]
        for violation_id in old:
            del self._records[violation_id]
            self._stored_at.pop(violation_id, None)
        return old

    @staticmethod
    def _decision(
        kind: EventType, record: Remembered, violation: Violation | None, reason: str
    ) -> Decision:
        return Decision(
            type=kind,
            violation_id=record.violation_id,
            first_seen=record.first_seen,
            last_seen=record.last_seen,
            sighting=record.sighting,
            evidence=violation,
            reason=reason,
        )


def replace_record(
    record: Remembered, violation: Violation, sighting: Sighting, at: datetime
) -> Remembered:
    """Return ``record`` after a sighting at ``at`` (open again if it had ended)."""
    first_seen = min(record.first_seen, violation.first_seen)
    return record.model_copy(
        update={
            "region": region_of(violation),
            "first_seen": first_seen,
            "last_seen": max(at, record.last_seen),
            "ended": False,
            "sighting": sighting,
            "paused_s": 0.0,
            "watched_until": None,
        }
    )


__all__ = ["Deduper", "LifecycleStep", "Remembered", "region_iou"]
