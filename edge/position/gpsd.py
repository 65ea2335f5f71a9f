"""A gpsd client: ``?WATCH={"enable":true,"json":true}`` and TPV/SKY reports into fixes.

TPV ``mode`` 1 is no fix, 2 and 3 are 2d and 3d; accuracy is the larger of ``epx``/``epy``
(gpsd's 95 % estimates, metres), else ``eph``, else ``default_accuracy_m``; ``speed`` (m/s)
and ``track`` (degrees true) are the speed and course. SKY's used satellites are attached to
later fixes. The client reconnects after a lost connection, waiting 1 s doubling to 30 s. A
malformed report (a ``mode`` that is not a number, a satellite that is not an object, a bad
time...) is skipped and counted per report class, with one warning per class.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from contracts.messages import FixMode, LocationSource
from edge.position.fixes import Fix

log = logging.getLogger(__name__)

WATCH = b'?WATCH={"enable":true,"json":true};\n'
_MODES = {2: FixMode.FIX_2D, 3: FixMode.FIX_3D}
_MALFORMED = (ValueError, TypeError, KeyError, AttributeError, OverflowError)
"""What parsing a report of the wrong shape raises."""


def tpv_fix(
    report: dict[str, Any], received: float, satellites: int | None, default_accuracy_m: float
) -> Fix | None:
    """Return the fix of one TPV report, or None without a time.

    Raises:
        ValueError: the time, ``mode``, ``lat`` or ``lon`` is malformed.
    """
    stamp = report.get("time")
    if not isinstance(stamp, str):
        return None
    when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(timezone.utc)
    return _fix(report, when, received, satellites, default_accuracy_m)


def _fix(
    report: dict[str, Any],
    when: datetime,
    received: float,
    satellites: int | None,
    default_accuracy_m: float,
) -> Fix:
    mode = _MODES.get(tpv_mode(report), FixMode.NONE)
    lat, lon = _coordinate(report, "lat"), _coordinate(report, "lon")
    if lat is None or lon is None:
        mode = FixMode.NONE
    errors = [float(report[k]) for k in ("epx", "epy") if isinstance(report.get(k), int | float)]
    if not errors and isinstance(report.get("eph"), int | float):
        errors = [float(report["eph"])]
    has = mode is not FixMode.NONE
    speed, track = report.get("speed"), report.get("track")
    return Fix(
        time=when,
        lat=lat if has else None,
        lon=lon if has else None,
        mode=mode,
        source=LocationSource.GPSD,
        accuracy_m=(round(max(errors), 2) if errors else default_accuracy_m) if has else None,
        speed_mps=float(speed) if isinstance(speed, int | float) else None,
        heading_deg=float(track) % 360.0 if isinstance(track, int | float) else None,
        satellites=satellites,
        received=received,
    )


def _coordinate(report: dict[str, Any], key: str) -> float | None:
    value = report.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key!r} is {json.dumps(value)}, not a number")
    return float(value)


def tpv_mode(report: dict[str, Any]) -> int:
    """Return a TPV report's ``mode`` (0 when absent).

    Raises:
        ValueError: ``mode`` is not a whole number.
    """
    mode = report.get("mode", 0)
    if isinstance(mode, bool) or not isinstance(mode, int):
        raise ValueError(f"'mode' is {json.dumps(mode)}, not a number")
    return mode


def sky_satellites(report: dict[str, Any]) -> int | None:
    """Return the satellites used of a SKY report (``uSat``, else counted), None if unknown.

    Raises:
        ValueError: ``uSat`` is not a number or ``satellites`` is not a list of objects.
    """
    used = report.get("uSat")
    if used is not None:
        if isinstance(used, bool) or not isinstance(used, int | float):
            raise ValueError(f"'uSat' is {json.dumps(used)}, not a number")
        return int(used)
    satellites = report.get("satellites")
    if satellites is None:
        return None
    if not isinstance(satellites, list) or not all(isinstance(s, dict) for s in satellites):
        raise ValueError("'satellites' is not a list of objects")
    return sum(1 for s in satellites if s.get("used"))


class GpsdClient:
    """Reads a gpsd in a background thread and hands each fix to ``on_fix``.

    Args:
        host: gpsd host.
        port: gpsd port (2947 by default in gpsd).
        on_fix: receives every fix, in the reader thread.
        default_accuracy_m: accuracy when gpsd gives no ``epx``/``epy``.
    """

    def __init__(
        self, host: str, port: int, on_fix: Callable[[Fix], None], default_accuracy_m: float
    ) -> None:
        self._address = (host, port)
        self._on_fix = on_fix
        self._default_accuracy_m = default_accuracy_m
        self._stop = threading.Event()
        self._satellites: int | None = None
        self._last: Fix | None = None
        self._sock: socket.socket | None = None
        self.connects = 0
        self.connected = threading.Event()
        self.malformed: dict[str, int] = {}
        """Malformed reports skipped, per report class."""
        self._thread = threading.Thread(target=self._run, name="gpsd", daemon=True)

    @property
    def running(self) -> bool:
        """True while the reader thread runs."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Start the reader thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the reader thread and close the connection."""
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5.0)

    def _run(self) -> None:
        try:
            self._connect_loop()
        except Exception as exc:  # a bug: say so, as the thread ends with it
            log.error(
                "gpsd %s:%d: the reader stopped unexpectedly (%s: %s); positions are "
                "'fix: none' until the node restarts",
                *self._address,
                type(exc).__name__,
                exc,
            )
            log.debug("gpsd reader failure", exc_info=True)

    def _connect_loop(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                self._session()
                delay = 1.0
            except (OSError, ValueError) as exc:
                if self._stop.is_set():  # stop() shut the socket down
                    return
                log.warning("gpsd %s:%d: %s; retrying in %.0f s", *self._address, exc, delay)
            self.connected.clear()
            if self._stop.wait(delay):
                return
            delay = min(30.0, delay * 2)

    def _session(self) -> None:
        with socket.create_connection(self._address, timeout=5.0) as sock:
            self._sock = sock
            sock.settimeout(1.0)
            sock.sendall(WATCH)
            self.connects += 1
            self.connected.set()
            buffer = b""
            while not self._stop.is_set():
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    raise ConnectionError("gpsd closed the connection")
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    self._report(line, time.time())

    def _report(self, line: bytes, received: float) -> None:
        try:
            report = json.loads(line)
        except ValueError:  # not JSON (or not UTF-8): not a report
            return
        if not isinstance(report, dict):
            return
        kind = report.get("class")
        if not isinstance(kind, str) or kind not in {"SKY", "TPV"}:
            return
        try:
            fix = self._parse(kind, report, received)
        except _MALFORMED as exc:
            self._skip(kind, exc)
            return
        if fix is not None:
            if fix.has_position:
                self._last = fix
            self._on_fix(fix)

    def _parse(self, kind: str, report: dict[str, Any], received: float) -> Fix | None:
        """Take one SKY or TPV report; return the fix of a TPV."""
        if kind == "SKY":
            self._satellites = sky_satellites(report)
            return None
        fix = tpv_fix(report, received, self._satellites, self._default_accuracy_m)
        if fix is None and self._last is not None and tpv_mode(report) <= 1:
            # gpsd sends a no-fix TPV without a time: date it by the last fix's offset
            when = self._last.time + timedelta(seconds=received - (self._last.received or 0))
            fix = _fix(report, when, received, self._satellites, self._default_accuracy_m)
        return fix

    def _skip(self, kind: str, exc: Exception) -> None:
        count = self.malformed[kind] = self.malformed.get(kind, 0) + 1
        if count == 1:
            log.warning(
                "gpsd %s:%d sent a malformed %s report (%s); it and any later malformed %s "
                "reports are skipped and counted",
                *self._address,
                kind,
                exc,
                kind,
            )
