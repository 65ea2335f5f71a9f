"""Arming schedules: weekly local-time windows per class and zone.

A window starts on each of its ``days`` at ``start`` and ends at ``end`` the same day, or the
next day when ``end`` is at or before ``start`` (22:00-02:00 on Friday covers Friday 22:00 to
Saturday 02:00). Windows are read in the device's IANA time zone, so a window means the same
wall-clock hours in summer and winter.

- An **allow** schedule tolerates its classes in its zones during its windows.
- If any **enforce** schedule names the class (and zone), the class is reported only while
  one of them is open.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.tuning import ALL_DAYS, Schedule, ScheduleEffect, TimeWindow


def open_since(window: TimeWindow, local: datetime) -> date | None:
    """Return the day the ``window`` open at ``local`` started on, or None if it is closed.

    ``local`` is a wall-clock time in the device's zone; in the small hours of a window that
    wraps past midnight the day is yesterday.
    """
    now = local.time().replace(tzinfo=None)
    today = ALL_DAYS[local.weekday()]
    yesterday = local - timedelta(days=1)
    if window.end > window.start:
        return local.date() if today in window.days and window.start <= now < window.end else None
    if today in window.days and now >= window.start:
        return local.date()
    if ALL_DAYS[yesterday.weekday()] in window.days and now < window.end:
        return yesterday.date()
    return None


def window_open(window: TimeWindow, local: datetime) -> bool:
    """Return True if ``local`` (a wall-clock time in the device's zone) is inside ``window``."""
    return open_since(window, local) is not None


def _names(schedule: Schedule, label: str, zones: tuple[str, ...]) -> bool:
    class_ok = not schedule.classes or label in schedule.classes
    zone_ok = not schedule.zones or any(zone in schedule.zones for zone in zones)
    return class_ok and zone_ok


class ScheduleBook:
    """The schedules of a device."""

    def __init__(self, schedules: list[Schedule]) -> None:
        self._schedules = list(schedules)

    def reportable(self, label: str, zones: tuple[str, ...], local: datetime) -> bool:
        """Return True if a ``label`` in ``zones`` may be reported at local time ``local``."""
        enforce_open: list[bool] = []
        for schedule in self._schedules:
            if not _names(schedule, label, zones):
                continue
            is_open = any(window_open(window, local) for window in schedule.windows)
            if schedule.effect is ScheduleEffect.ALLOW and is_open:
                return False
            if schedule.effect is ScheduleEffect.ENFORCE:
                enforce_open.append(is_open)
        return not enforce_open or any(enforce_open)
