"""A real gpsd fed by ``gpsfake`` replaying an NMEA log (Debian packages ``gpsd`` and
``gpsd-clients``): TPV reports become fixes with mode, accuracy, speed and course; positions
are interpolated at frame times; a no-fix stretch gives ``fix: none``; and the device clock's
skew against GPS time is measured (the log runs an hour behind the machine clock)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support.nmea_logs import LAT0, LON0, epoch, write_log
from support.services import free_port, require_or_skip, wait_until

from contracts.messages import FixMode, LocationSource
from edge.config_patrol import GpsLocation, GpsSettings
from edge.position.fixes import distance_m, moved_by
from edge.position.provider import Positioning

pytestmark = pytest.mark.integration

EPOCHS, GAP, PAD = 16, (10, 14), 30
BEHIND_S = 3600.0


def ride_log(path: Path, start: datetime) -> Path:
    """Write PAD standing epochs (gpsd settles on the device meanwhile), then the ride."""
    lines = []
    for second in range(-PAD, 0):
        lines += epoch(start + timedelta(seconds=second), LAT0, LON0, knots=0.0)
    for second in range(EPOCHS):
        lat, lon = moved_by(LAT0, LON0, 0.0, 5.144 * second)
        lost = GAP[0] <= second < GAP[1]
        when = start + timedelta(seconds=second)
        lines += epoch(when, None if lost else lat, None if lost else lon, talker="GN")
    return write_log(path, lines)


def listening(port: int) -> bool:
    """Return True once a socket listens on ``port`` (without connecting: a client would start
    gpsfake's replay)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(r.split()[1].endswith(f":{port:04X}") and r.split()[3] == "0A" for r in rows)


@pytest.fixture
def gpsfake(tmp_path: Path) -> Iterator[tuple[int, datetime]]:
    binary = shutil.which("gpsfake")
    if binary is None or shutil.which("gpsd") is None:
        require_or_skip("no gpsfake/gpsd: install the Debian packages gpsd and gpsd-clients")
    start = (datetime.now(timezone.utc) - timedelta(seconds=BEHIND_S)).replace(microsecond=0)
    log = ride_log(tmp_path / "ride.nmea", start)
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "-1", "-q", "-P", str(port), "-c", "0.02", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_until(lambda: listening(port), 15.0):
            pytest.fail("gpsfake's gpsd did not listen within 15 s")
        yield port, start
    finally:
        process.send_signal(signal.SIGINT)  # gpsfake stops its gpsd on SIGINT
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def test_gpsd_fixes_interpolation_no_fix_and_clock_skew(gpsfake: tuple[int, datetime]) -> None:
    port, start = gpsfake
    where = Positioning(
        GpsLocation(
            mode="gps",
            gps=GpsSettings(kind="gpsd", uri=f"127.0.0.1:{port}"),
            max_fix_age_s=2.0,
        )
    )
    where.start()
    try:
        deadline = time.monotonic() + 30
        last = start + timedelta(seconds=EPOCHS - 1)
        while time.monotonic() < deadline:
            latest = where.track.latest()
            if latest is not None and latest.time >= last:
                break
            time.sleep(0.05)
        else:
            pytest.fail("gpsd delivered no fix of the last epoch within 30 s")
        time.sleep(0.2)
    finally:
        where.stop()
    middle = where.at(start + timedelta(seconds=3.5))
    assert middle.source is LocationSource.GPSD and middle.fix is FixMode.FIX_3D
    assert middle.lat is not None and middle.lon is not None
    assert distance_m(LAT0, LON0, middle.lat, middle.lon) == pytest.approx(3.5 * 5.144, abs=0.5)
    assert middle.heading_deg == pytest.approx(0.0, abs=0.5)
    assert middle.speed_mps == pytest.approx(5.144, abs=0.05)
    assert middle.accuracy_m is not None and middle.accuracy_m > 0
    lost = where.at(start + timedelta(seconds=GAP[1] - 0.5))  # 3.5 s into the no-fix stretch
    assert lost.fix is FixMode.NONE and lost.lat is None
    skew = where.clock_skew_ms()
    # gpsfake replays ~10x faster than real time, so GPS time runs ahead of the wall clock
    # through the log: the skew lies between BEHIND_S and BEHIND_S + PAD seconds
    assert skew is not None and BEHIND_S * 1000.0 <= skew <= (BEHIND_S + PAD + 5) * 1000.0
    state = where.state()
    assert state.source is LocationSource.GPSD and state.fix is FixMode.FIX_3D
    assert state.fix_age_s is not None and state.fix_age_s < 60.0  # in GPS time, not skewed
    print(f"[gpsd] clock skew {skew:.0f} ms (log {BEHIND_S:.0f} s behind), state {state}")
