"""Position providers: NMEA (RMC/GGA/VTG, every talker), GPX, gpsd TPV, interpolation at frame
times with accuracy, mode and age, stale and missing fixes, and the clock skew."""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.edge_setup import noise_video
from support.nmea_logs import LAT0, LON0, RIDE_START, epoch, northbound_ride, sentence, write_log
from support.services import wait_until

from contracts.messages import FixMode, LocationSource
from edge.config import CameraSource, FileSource, ImagesSource
from edge.config_patrol import GpsLocation, GpsSettings
from edge.position.fixes import Fix, distance_m
from edge.position.gpsd import GpsdClient, tpv_fix
from edge.position.gpx import GpxError, read_gpx
from edge.position.nmea import NmeaParser, parse_lines
from edge.position.provider import Positioning
from edge.position.skew import SkewMeter
from edge.position.track import FixTrack, TrackSettings


def at(seconds: float) -> object:
    return RIDE_START + timedelta(seconds=seconds)


@pytest.mark.parametrize("talker", ["GP", "GN", "BD", "GB"])
def test_nmea_epoch_merges_rmc_gga_vtg_of_any_talker(talker: str) -> None:
    fixes = parse_lines(epoch(RIDE_START, LAT0, LON0, talker=talker, course=240.0), 5.0, 10.0)
    assert len(fixes) == 1
    fix = fixes[0]
    assert fix.time == RIDE_START and fix.mode is FixMode.FIX_3D
    assert fix.lat == pytest.approx(LAT0, abs=1e-6) and fix.lon == pytest.approx(LON0, abs=1e-6)
    assert fix.accuracy_m == pytest.approx(4.5)  # HDOP 0.9 x 5 m
    assert fix.heading_deg == 240.0 and fix.speed_mps == pytest.approx(5.144, abs=1e-3)
    assert fix.satellites == 8 and fix.source is LocationSource.NMEA


def test_nmea_no_fix_bad_checksum_and_missing_date() -> None:
    parser = NmeaParser(5.0, 10.0)
    gga_first = sentence("GPGGA,075959.00,3113.7160,N,12128.5180,E,1,08,0.9,10.0,M,0.0,M,,")
    assert parser.feed(gga_first) == []  # no date yet: that epoch is dropped at the next one
    assert parser.feed("$GPRMC,080000.00,A,3113.7160,N,12128.5180,E,1,2,010624,,,A*00") == []
    assert parser.bad_lines == 1
    for line in epoch(RIDE_START, None, None):
        parser.feed(line)
    (lost,) = parser.flush()
    assert lost.mode is FixMode.NONE and lost.lat is None and lost.accuracy_m is None


def test_nmea_file_positioning_interpolates_between_epochs(tmp_path: Path) -> None:
    log = write_log(tmp_path / "ride.nmea", northbound_ride(10))
    location = GpsLocation(mode="gps", gps=GpsSettings(kind="nmea", path=log))
    where = Positioning(location).at(RIDE_START + timedelta(seconds=2.5))
    assert where.lat is not None and where.lon is not None
    assert distance_m(LAT0, LON0, where.lat, where.lon) == pytest.approx(2.5 * 5.144, abs=0.2)
    assert where.fix is FixMode.FIX_3D and where.fix_age_s == pytest.approx(0.5)
    assert where.heading_deg == 0.0 and not where.stale


def track(*fixes: Fix, max_age: float = 2.0, max_gap: float = 3.0) -> FixTrack:
    result = FixTrack(TrackSettings(max_fix_age_s=max_age, max_gap_s=max_gap), LocationSource.GPSD)
    for fix in fixes:
        result.add(fix)
    return result


def fix(seconds: float, lat: float | None = LAT0, **kw: object) -> Fix:
    return Fix(
        time=RIDE_START + timedelta(seconds=seconds),
        lat=lat,
        lon=None if lat is None else LON0,
        mode=FixMode.FIX_3D if lat is not None else FixMode.NONE,
        source=LocationSource.GPSD,
        **kw,  # type: ignore[arg-type]
    )


def test_interpolation_carries_worse_accuracy_weaker_mode_and_shorter_turn() -> None:
    a = fix(0, accuracy_m=3.0, heading_deg=350.0, speed_mps=4.0)
    b = Fix(
        time=RIDE_START + timedelta(seconds=2),
        lat=LAT0 + 0.0001,
        lon=LON0,
        mode=FixMode.FIX_2D,
        source=LocationSource.GPSD,
        accuracy_m=6.0,
        heading_deg=10.0,
        speed_mps=6.0,
    )
    where = track(a, b).at(RIDE_START + timedelta(seconds=0.5))
    assert where.lat == pytest.approx(LAT0 + 0.000025)
    assert where.accuracy_m == 6.0 and where.fix is FixMode.FIX_2D
    assert where.heading_deg == pytest.approx(355.0) and where.speed_mps == pytest.approx(4.5)
    assert where.fix_age_s == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("seconds", "fix_mode", "stale"),
    [
        (-5.0, FixMode.NONE, False),  # long before the first fix: none, not a future fix
        (11.0, FixMode.FIX_3D, False),  # 1 s after the last fix: still fresh
        (15.0, FixMode.FIX_3D, True),  # 5 s after it: the last position, marked stale
    ],
)
def test_stale_and_missing_fixes_are_marked_never_invented(
    seconds: float, fix_mode: FixMode, stale: bool
) -> None:
    where = track(fix(0), fix(10)).at(RIDE_START + timedelta(seconds=seconds))
    assert where.fix is fix_mode and where.stale is stale
    if fix_mode is FixMode.NONE:
        assert where.lat is None and where.lon is None


@pytest.mark.parametrize(
    ("seconds", "ahead_m", "why"),
    [
        (10.5, 2.5, "half a second on at 5 m/s"),
        (11.0, 5.0, "one 1 Hz period on"),
        (12.0, 10.0, "two periods: the limit"),
        (12.5, 0.0, "further on: the fix as it is"),
    ],
)
def test_a_frame_after_the_latest_fix_is_carried_on_along_its_course(
    seconds: float, ahead_m: float, why: str
) -> None:
    moving = track(
        fix(9, heading_deg=90.0, speed_mps=5.0), fix(10, heading_deg=90.0, speed_mps=5.0)
    )
    where = moving.at(RIDE_START + timedelta(seconds=seconds))
    assert where.lat is not None and where.lon is not None
    assert distance_m(LAT0, LON0, where.lat, where.lon) == pytest.approx(ahead_m, abs=0.01), why
    assert where.lon >= LON0 and where.lat == pytest.approx(LAT0)  # due east
    assert where.fix_age_s == pytest.approx(seconds - 10)  # still aged from the fix


def test_only_a_reported_course_and_speed_carry_a_position_on() -> None:
    later = RIDE_START + timedelta(seconds=10.5)
    standing = track(fix(10, heading_deg=90.0, speed_mps=0.0)).at(later)
    no_speed = track(fix(10, heading_deg=90.0)).at(later)
    derived = track(fix(10, heading_deg=90.0, speed_mps=5.0, course_reported=False)).at(later)
    for where in (standing, no_speed, derived):
        assert (where.lat, where.lon) == (LAT0, LON0)
    lost = track(fix(10, heading_deg=90.0, speed_mps=5.0), fix(10.2, None)).at(later)
    assert (lost.lat, lost.lon) == (LAT0, LON0)  # the receiver says no fix: never carried on


def test_a_gap_is_not_interpolated_and_a_lost_fix_gives_none() -> None:
    gap = track(fix(0), fix(10, LAT0 + 0.001)).at(RIDE_START + timedelta(seconds=5))
    assert gap.stale and gap.lat == LAT0  # nearest fix, 5 s old, not a made-up midpoint
    lost = track(fix(0), fix(1, None), fix(2, None), fix(9, None))
    assert lost.at(RIDE_START + timedelta(seconds=0.5)).fix is FixMode.FIX_3D
    gone = lost.at(RIDE_START + timedelta(seconds=8))
    assert gone.fix is FixMode.NONE and gone.lat is None and gone.fix_age_s == pytest.approx(8.0)
    state = lost.state(RIDE_START + timedelta(seconds=9))
    assert state.fix is FixMode.NONE and state.fix_age_s == pytest.approx(9.0)


def test_gpx_track_gives_course_from_the_chord(tmp_path: Path) -> None:
    gpx = tmp_path / "ride.gpx"
    points = "".join(
        f'<trkpt lat="{LAT0}" lon="{LON0 + i * 0.0001:.6f}"><time>2024-06-01T08:00:0{i}Z</time>'
        "<hdop>1.2</hdop></trkpt>"
        for i in range(4)
    )
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="t" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>{points}</trkseg></trk></gpx>'
    )
    fixes = read_gpx(gpx, 5.0, 10.0)
    assert [f.accuracy_m for f in fixes] == [6.0] * 4
    where = track(*fixes).at(RIDE_START + timedelta(seconds=1.5))
    assert where.heading_deg == pytest.approx(90.0, abs=0.01)
    with pytest.raises(GpxError, match="cannot be read"):
        read_gpx(tmp_path / "missing.gpx", 5.0, 10.0)


def test_gpsd_tpv_report() -> None:
    report = {
        "class": "TPV",
        "mode": 2,
        "time": "2024-06-01T08:00:00.000Z",
        "lat": LAT0,
        "lon": LON0,
        "epx": 3.5,
        "epy": 4.25,
        "speed": 2.0,
        "track": 361.0,
    }
    parsed = tpv_fix(report, 1717228800.25, 7, 10.0)
    assert parsed is not None
    assert parsed.mode is FixMode.FIX_2D and parsed.accuracy_m == 4.25
    assert parsed.heading_deg == 1.0 and parsed.satellites == 7
    no_fix = tpv_fix({"class": "TPV", "mode": 1, "time": "2024-06-01T08:00:01Z"}, 0.0, None, 10.0)
    assert no_fix is not None and no_fix.mode is FixMode.NONE and no_fix.lat is None


class FakeGpsd:
    """A one-connection gpsd on a free loopback port that sends ``lines`` after ``?WATCH``."""

    def __init__(self, lines: list[str]) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._lines = lines
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        connection, _ = self._server.accept()
        with connection:
            connection.recv(1024)  # ?WATCH
            connection.sendall("".join(line + "\n" for line in self._lines).encode())
            self._done.wait(10.0)

    def close(self) -> None:
        self._done.set()
        self._thread.join(5.0)
        self._server.close()


TPV = {"class": "TPV", "mode": 3, "time": "2024-06-01T08:00:00Z", "lat": LAT0, "lon": LON0}


@contextmanager
def gpsd_client(lines: list[str], on_fix: Callable[[Fix], None]) -> Iterator[GpsdClient]:
    """A started client of a fake gpsd that sends ``lines`` and then a good TPV."""
    server = FakeGpsd([*lines, json.dumps(TPV)])
    client = GpsdClient("127.0.0.1", server.port, on_fix, 10.0)
    client.start()
    try:
        yield client
    finally:
        client.stop()
        server.close()


MALFORMED = [
    '{"class": "SKY", "satellites": [1, {"used": true}]}',  # a satellite that is not an object
    '{"class": "SKY", "satellites": [{"used": true}], "uSat": "seven"}',
    '{"class": "TPV", "mode": null, "time": "2024-06-01T07:59:59Z"}',
    '{"class": "TPV", "mode": 3, "time": "yesterday", "lat": 31.2, "lon": 121.4}',
    '{"class": "TPV", "mode": 3, "time": "2024-06-01T07:59:59Z", "lat": "north", "lon": 1}',
    '{"class": ["TPV"]}',
    '"TPV"',
    "not json",
]


def test_gpsd_skips_malformed_reports_and_warns_once_per_kind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fixes: queue.Queue[Fix] = queue.Queue()
    caplog.set_level(logging.WARNING, logger="edge.position.gpsd")
    with gpsd_client(MALFORMED, fixes.put) as client:
        good = fixes.get(timeout=10.0)  # the reader outlived every malformed report
        assert client.running
    assert good.mode is FixMode.FIX_3D and good.lat == LAT0 and good.satellites is None
    assert client.malformed == {"SKY": 2, "TPV": 3} and client.connects == 1
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2, warnings
    assert "malformed SKY report ('satellites' is not a list of objects)" in warnings[0]
    assert "malformed TPV report ('mode' is null, not a number)" in warnings[1]


def test_a_gpsd_reader_that_ends_unexpectedly_says_so(caplog: pytest.LogCaptureFixture) -> None:
    def broken(_fix: Fix) -> None:
        raise RuntimeError("track store broke")

    caplog.set_level(logging.ERROR, logger="edge.position.gpsd")
    with gpsd_client([], broken) as client:
        assert wait_until(lambda: not client.running, 10.0)
    (record,) = caplog.records
    assert "the reader stopped unexpectedly (RuntimeError: track store broke)" in record.message


# ---------------------------------------------------------------- track and video in time

GPX_RIDE = (
    '<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
    "<trk><trkseg>"
    + "".join(
        f'<trkpt lat="{LAT0}" lon="{LON0}"><time>2024-06-01T08:0{m}:00Z</time></trkpt>'
        for m in range(4)
    )
    + "</trkseg></trk></gpx>"
)


def recorded(tmp_path: Path, kind: str) -> Positioning:
    """A 08:00-08:03Z ride as a GPX track or an NMEA log (one epoch a minute)."""
    if kind == "gpx":
        path = tmp_path / "ride.gpx"
        path.write_text(GPX_RIDE)
    else:
        lines = [
            line for m in range(4) for line in epoch(RIDE_START + timedelta(minutes=m), LAT0, LON0)
        ]
        path = write_log(tmp_path / "ride.nmea", lines)
    return Positioning(
        GpsLocation(mode="gps", gps=GpsSettings.model_validate({"kind": kind, "path": path}))
    )


def still_images(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "stills"
    folder.mkdir()
    for index in range(count):
        cv2.imwrite(str(folder / f"{index:03d}.png"), np.zeros((8, 8, 3), np.uint8))
    return folder


@pytest.mark.parametrize(
    ("kind", "start", "video", "overlap"),
    [
        ("gpx", "2024-06-01T08:02:00Z", "3 s video", True),
        ("gpx", "2024-06-01T08:02:00+08:00", "3 s video", False),  # the offset twice
        ("nmea", "2024-06-01T07:59:58Z", "3 s video", True),  # ends just after the track starts
        ("nmea", "2024-06-01T07:59:56Z", "3 s video", False),  # ends before it starts
        ("gpx", "2024-06-01T08:03:00Z", "5 images", True),
        ("nmea", "2024-06-01T08:03:01Z", "5 images", False),  # starts after it ends
    ],
)
def test_a_track_that_misses_the_video_is_warned_about_at_start(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    start: str,
    video: str,
    overlap: bool,
) -> None:
    when = datetime.fromisoformat(start)
    source: FileSource | ImagesSource
    if video == "5 images":  # 1 s apart: 4 s from the first to the last
        source = ImagesSource(
            kind="images", path=still_images(tmp_path, 5), fps=1.0, start_time=when
        )
    else:
        source = FileSource(kind="file", path=noise_video(tmp_path / "v.avi"), start_time=when)
    caplog.set_level(logging.WARNING, logger="edge.position.provider")
    assert recorded(tmp_path, kind).check_covers(source) is overlap
    if overlap:
        assert caplog.records == []
        return
    (record,) = caplog.records
    name = "GPX track" if kind == "gpx" else "NMEA log"
    assert record.getMessage().startswith(f"{name} {tmp_path}/ride.")
    assert "(2024-06-01 08:00:00Z to 2024-06-01 08:03:00Z) and the video (" in record.message
    assert "do not overlap in time" in record.message and "source.start_time" in record.message


def test_a_live_receiver_or_a_live_video_is_not_checked(tmp_path: Path) -> None:
    live = Positioning(GpsLocation(mode="gps", gps=GpsSettings(kind="gpsd", uri="127.0.0.1:1")))
    old = FileSource(kind="file", path=tmp_path / "v.avi", start_time=RIDE_START)
    assert live.check_covers(old)
    camera = CameraSource(kind="camera")
    assert recorded(tmp_path, "gpx").check_covers(camera)


def test_a_track_without_any_position_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = write_log(tmp_path / "lost.nmea", epoch(RIDE_START, None, None))
    where = Positioning(GpsLocation(mode="gps", gps=GpsSettings(kind="nmea", path=log)))
    video = FileSource(kind="file", path=noise_video(tmp_path / "v.avi"), start_time=RIDE_START)
    caplog.set_level(logging.WARNING, logger="edge.position.provider")
    assert not where.check_covers(video)
    assert f"NMEA log {log} has no fix with a position" in caplog.text


def test_clock_skew_is_the_median_of_receipt_minus_gps_time() -> None:
    meter = SkewMeter()
    assert meter.skew_ms() is None
    for offset in (0.2, 0.25, 9.0):  # one epoch delayed by a stall does not move the median
        meter.add(fix(0, received=RIDE_START.timestamp() + offset))
    assert meter.skew_ms() == 250.0
