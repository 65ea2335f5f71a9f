"""The position source of a moving camera: fixes come in, positions at frame times go out.

Recorded sources (a GPX track, an NMEA log file) are read whole at start; live sources (gpsd,
an NMEA serial device) are read by a background thread and also measure the device clock's
skew against GPS time (:mod:`edge.position.skew`). A recorded track that does not overlap a
recorded video in time (a wrong ``start_time``, say) is warned about at start
(:meth:`Positioning.check_covers`): every event would get no fix or a stale one.
"""

from __future__ import annotations

import logging
import stat
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2

from contracts.messages import GpsState, Location, LocationSource
from edge.config import FileSource, ImagesSource, Source
from edge.config_patrol import GpsLocation
from edge.images import IMAGE_SUFFIXES
from edge.position.fixes import Fix
from edge.position.gpsd import GpsdClient
from edge.position.gpx import read_gpx
from edge.position.nmea import NmeaParser, parse_lines
from edge.position.skew import SkewMeter
from edge.position.track import FixTrack, TrackSettings
from edge.sources.files import open_capture
from streetwatch.errors import UserError

log = logging.getLogger(__name__)

_SOURCES = {"gpsd": LocationSource.GPSD, "nmea": LocationSource.NMEA, "gpx": LocationSource.GPX}

Span = tuple[datetime, datetime | None]
"""First and last time of a recording (the last None when unknown)."""


class Positioning:
    """Owns the fix track of one receiver and whatever feeds it.

    Args:
        settings: the ``location`` section of a moving camera.
    """

    def __init__(self, settings: GpsLocation) -> None:
        gps = settings.gps
        self.track = FixTrack(
            TrackSettings(max_fix_age_s=settings.max_fix_age_s, max_gap_s=settings.max_gap_s),
            _SOURCES[gps.kind],
        )
        self.skew = SkewMeter()
        self.live = False
        self._last_query: datetime | None = None
        self._client: GpsdClient | None = None
        self._serial: _SerialReader | None = None
        self._recorded: str | None = None
        if gps.kind == "gpsd":
            assert gps.uri is not None
            host, port = gps.uri.rsplit(":", 1)
            self._client = GpsdClient(host, int(port), self.add, gps.default_accuracy_m)
            self.live = True
        elif gps.kind == "gpx":
            assert gps.path is not None
            for fix in read_gpx(gps.path, gps.uere_m, gps.default_accuracy_m):
                self.track.add(fix)
            self._recorded = f"GPX track {gps.path}"
        else:
            assert gps.path is not None
            if _is_device(gps.path):
                self._serial = _SerialReader(
                    gps.path, NmeaParser(gps.uere_m, gps.default_accuracy_m), self.add
                )
                self.live = True
            else:
                for fix in parse_lines(_read_log(gps.path), gps.uere_m, gps.default_accuracy_m):
                    self.track.add(fix)
                self._recorded = f"NMEA log {gps.path}"

    def check_covers(self, source: Source) -> bool:
        """Warn when a recorded track and a recorded video do not overlap in time.

        Returns:
            False if a warning was logged (the spans are known and apart, or the track has
            no position at all); True otherwise, live sources included.
        """
        video = None if self._recorded is None else video_span(source)
        if video is None:
            return True
        track = self.track.span()
        if track is None:
            log.warning(
                "%s has no fix with a position, so every event gets 'fix: none'", self._recorded
            )
            return False
        start, end = video  # an unknown end: only a start after the track tells
        if start <= track[1] and (end is None or end >= track[0]):
            return True
        log.warning(
            "%s (%s) and the video (%s) do not overlap in time, so events get no fix or a "
            "stale one; check source.start_time and its UTC offset",
            self._recorded,
            _span_text(track),
            _span_text(video),
        )
        return False

    def add(self, fix: Fix) -> None:
        """Take one fix (from a reader thread or a test)."""
        self.track.add(fix)
        self.skew.add(fix)

    def start(self) -> None:
        """Start reading a live source."""
        if self._client is not None:
            self._client.start()
        if self._serial is not None:
            self._serial.start()

    def stop(self) -> None:
        """Stop reading a live source."""
        if self._client is not None:
            self._client.stop()
        if self._serial is not None:
            self._serial.stop()

    def at(self, when: datetime) -> Location:
        """Return the camera's position at frame time ``when``."""
        self._last_query = when
        return self.track.at(when)

    def state(self) -> GpsState:
        """Return the receiver state for the heartbeat.

        Live sources: now, in GPS time (the device clock less the measured skew); recorded
        ones: at the last frame asked for.
        """
        if self.live or self._last_query is None:
            skew_s = (self.skew.skew_ms() or 0.0) / 1000.0
            now = datetime.now(timezone.utc) - timedelta(seconds=skew_s)
        else:
            now = self._last_query
        return self.track.state(now)

    def clock_skew_ms(self) -> float | None:
        """Return the device clock minus GPS time, ms (live sources only)."""
        return self.skew.skew_ms()


def video_span(source: Source) -> Span | None:
    """Return the frame times a recorded video covers (None for a live source)."""
    if isinstance(source, ImagesSource):
        count = _count_images(source.path)
        last = timedelta(seconds=max(0, count - 1) / source.fps) if count else None
        return source.start_time, None if last is None else source.start_time + last
    if isinstance(source, FileSource):
        capture = open_capture(str(source.path))
        if capture is None:
            return source.start_time, None
        try:
            frames = capture.get(cv2.CAP_PROP_FRAME_COUNT)
            fps = capture.get(cv2.CAP_PROP_FPS)
        finally:
            capture.release()
        length = timedelta(seconds=frames / fps) if frames > 0 and fps > 0 else None
        return source.start_time, None if length is None else source.start_time + length
    return None


def _count_images(folder: Path) -> int:
    try:
        return sum(1 for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    except OSError:
        return 0


def _span_text(span: Span) -> str:
    start, end = span
    return f"from {_utc(start)}" if end is None else f"{_utc(start)} to {_utc(end)}"


def _utc(when: datetime) -> str:
    return f"{when.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S}Z"


def _is_device(path: Path) -> bool:
    try:
        return stat.S_ISCHR(path.stat().st_mode) or stat.S_ISFIFO(path.stat().st_mode)
    except OSError:
        return False


def _read_log(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="ascii", errors="replace").splitlines()
    except OSError as exc:
        raise UserError(f"NMEA log {path} cannot be read: {exc}") from None


class _SerialReader:
    """Reads NMEA lines from a serial device (or FIFO) in a background thread."""

    def __init__(self, path: Path, parser: NmeaParser, on_fix: object) -> None:
        self._path = path
        self._parser = parser
        assert callable(on_fix)
        self._on_fix = on_fix
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nmea", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._path.open("r", encoding="ascii", errors="replace") as handle:
                    for line in handle:
                        for fix in self._parser.feed(line, time.time()):
                            self._on_fix(fix)
                        if self._stop.is_set():
                            return
            except OSError as exc:
                log.warning("NMEA device %s: %s; retrying", self._path, exc)
            self._stop.wait(1.0)
