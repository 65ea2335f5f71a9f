"""NMEA 0183 sentences (``pynmea2``) into fixes: RMC, GGA and VTG from any talker.

Talkers ``$GP`` (GPS), ``$GN`` (multi-constellation), ``$BD``/``$GB`` (BeiDou) and others are
accepted alike. Sentences of one epoch (same UTC time of day; VTG has none and joins the
current one) are merged into one :class:`~edge.position.fixes.Fix`:

- position from GGA or RMC; no fix when GGA quality is 0 or RMC status is ``V``;
- mode 3d when GGA reports a fix with four or more satellites, else 2d;
- accuracy = GGA HDOP × ``uere_m`` (else ``default_accuracy_m``);
- course and speed from RMC or VTG;
- the date from the latest RMC (an epoch before the first RMC is dropped).

Lines with a bad checksum or that do not parse are counted and skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

import pynmea2  # type: ignore[import-untyped]

from contracts.messages import FixMode, LocationSource
from edge.position.fixes import Fix

log = logging.getLogger(__name__)

KNOT_MPS = 0.514444


@dataclass
class _Epoch:
    clock: time
    received: float | None
    lat: float | None = None
    lon: float | None = None
    valid: bool | None = None
    satellites: int | None = None
    hdop: float | None = None
    quality: int | None = None
    speed_mps: float | None = None
    heading_deg: float | None = None
    types: set[str] = field(default_factory=set)


class NmeaParser:
    """Turns NMEA lines into fixes, one per epoch.

    Args:
        uere_m: metres of error per unit of HDOP.
        default_accuracy_m: accuracy when no HDOP is known.
    """

    def __init__(self, uere_m: float, default_accuracy_m: float) -> None:
        self._uere_m = uere_m
        self._default_accuracy_m = default_accuracy_m
        self._date: date | None = None
        self._epoch: _Epoch | None = None
        self.bad_lines = 0

    def feed(self, line: str, received: float | None = None) -> list[Fix]:
        """Parse one line; return the fixes of the epochs it completed."""
        line = line.strip()
        if not line.startswith("$"):
            return []
        try:
            message = pynmea2.parse(line, check=True)
        except (pynmea2.ParseError, ValueError, AttributeError):
            self.bad_lines += 1
            return []
        kind = getattr(message, "sentence_type", "")
        if kind not in {"RMC", "GGA", "VTG"}:
            return []
        done: list[Fix] = []
        stamp = getattr(message, "timestamp", None) if kind != "VTG" else None
        if isinstance(stamp, time) and (self._epoch is None or self._epoch.clock != stamp):
            done = self.flush()
            self._epoch = _Epoch(clock=stamp, received=received)
        if self._epoch is None:
            return done
        try:
            self._merge(kind, message, self._epoch)
        except (ValueError, TypeError):
            self.bad_lines += 1
        return done

    def _merge(self, kind: str, message: pynmea2.NMEASentence, epoch: _Epoch) -> None:
        epoch.types.add(kind)
        if kind == "RMC":
            if message.datestamp:
                self._date = message.datestamp
            epoch.valid = message.status == "A" if epoch.valid is None else epoch.valid
            if message.status == "A" and message.lat:
                epoch.lat, epoch.lon = message.latitude, message.longitude
            _motion(epoch, message.spd_over_grnd, message.true_course, KNOT_MPS)
        elif kind == "GGA":
            epoch.quality = int(message.gps_qual or 0)
            epoch.valid = epoch.quality > 0
            epoch.satellites = int(message.num_sats) if message.num_sats else None
            epoch.hdop = float(message.horizontal_dil) if message.horizontal_dil else None
            if epoch.quality > 0 and message.lat:
                epoch.lat, epoch.lon = message.latitude, message.longitude
        elif kind == "VTG":
            _motion(epoch, message.spd_over_grnd_kmph, message.true_track, 1 / 3.6)

    def flush(self) -> list[Fix]:
        """Return the pending epoch as a fix (if complete) and start afresh."""
        epoch, self._epoch = self._epoch, None
        if epoch is None:
            return []
        if self._date is None:
            log.debug("NMEA epoch %s before the first RMC (no date): dropped", epoch.clock)
            return []
        when = datetime.combine(self._date, epoch.clock.replace(tzinfo=None), timezone.utc)
        good = bool(epoch.valid) and epoch.lat is not None and epoch.lon is not None
        if not good:
            mode = FixMode.NONE
        elif epoch.quality and (epoch.satellites or 0) >= 4:
            mode = FixMode.FIX_3D
        else:
            mode = FixMode.FIX_2D
        accuracy = epoch.hdop * self._uere_m if epoch.hdop else self._default_accuracy_m
        return [
            Fix(
                time=when,
                lat=epoch.lat if good else None,
                lon=epoch.lon if good else None,
                mode=mode,
                source=LocationSource.NMEA,
                accuracy_m=round(accuracy, 2) if good else None,
                speed_mps=epoch.speed_mps,
                heading_deg=epoch.heading_deg,
                satellites=epoch.satellites,
                received=epoch.received,
            )
        ]


def _motion(epoch: _Epoch, speed: object, course: object, to_mps: float) -> None:
    if speed not in (None, "") and epoch.speed_mps is None:
        epoch.speed_mps = round(float(str(speed)) * to_mps, 3)
    if course not in (None, "") and epoch.heading_deg is None:
        epoch.heading_deg = float(str(course)) % 360.0


def parse_lines(lines: list[str], uere_m: float, default_accuracy_m: float) -> list[Fix]:
    """Return every fix of a recorded NMEA log."""
    parser = NmeaParser(uere_m, default_accuracy_m)
    fixes = [fix for line in lines for fix in parser.feed(line)]
    fixes.extend(parser.flush())
    if parser.bad_lines:
        log.warning("NMEA log: %d bad line(s) skipped", parser.bad_lines)
    return fixes
