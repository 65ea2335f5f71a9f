"""``streetwatch edge run`` with a patrol config (``location.mode: gps``, a GPX ride, the real
ONNX Runtime with a constant detector, a real Mosquitto): each event carries the object's
estimated position and the bike as observer, and the heartbeat reports the GPS state."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from support.ack_receiver import AckReceiver
from support.edge_setup import T0, Box, constant_model, edge_config, noise_video
from support.mosquitto import MosquittoServer

from contracts import EventType, Heartbeat, MessageKind, decode
from contracts.messages import LocationSource
from edge.position.fixes import distance_m, moved_by
from streetwatch.cli import main

pytestmark = pytest.mark.integration

LAT0, LON0 = 31.2, 121.4


def gpx_ride(path: Path, seconds: int) -> Path:
    points = []
    for second in range(-2, seconds + 2):
        lat, lon = moved_by(LAT0, LON0, 0.0, 5.0 * second)  # due north at 5 m/s
        stamp = (T0 + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")
        points.append(f'<trkpt lat="{lat:.8f}" lon="{lon:.8f}"><time>{stamp}</time></trkpt>')
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        + "".join(points)
        + "</trkseg></trk></gpx>"
    )
    return path


def test_patrol_config_runs_with_positions_observer_and_gps_heartbeat(
    tmp_path: Path, mosquitto: MosquittoServer
) -> None:
    model = constant_model(tmp_path / "m.onnx", [Box(140, 70, 180, 120, 0.9, 1)])
    gpx = gpx_ride(tmp_path / "ride.gpx", 3)
    location = (
        f"location: {{mode: gps, gps: {{kind: gpx, path: {gpx}, default_accuracy_m: 3}}, "
        "camera: {pitch_deg: 5, height_m: 1.2, hfov_deg: 90}, patrol: {min_passes: 1}}"
    )
    config = edge_config(
        tmp_path, port=mosquitto.port, model=model, video=noise_video(tmp_path / "v.avi", 3.0)
    )
    lines = [
        location if line.startswith("location:") else line
        for line in config.read_text().splitlines()
    ]
    config.write_text("\n".join(lines) + "\n")
    with AckReceiver(mosquitto) as receiver:
        assert main(["edge", "run", "-c", str(config), "--once", "--wait", "15"]) == 0
        receiver.wait_for("a heartbeat", lambda: any(True for _ in receiver.heartbeats()), 5)
    news = [e for e in receiver.events if e.type is EventType.NEW]
    assert len(news) == 1  # one object, one place: one violation on the move
    event = news[0]
    assert event.location.source is LocationSource.ESTIMATED and event.location.accuracy_m
    assert event.observer is not None and event.observer.source is LocationSource.GPX
    assert event.observer.heading_deg == pytest.approx(0.0, abs=0.5)
    assert event.location.lat is not None and event.observer.lat is not None
    assert event.location.lat > event.observer.lat  # ahead of a northbound bike
    ahead = distance_m(event.observer.lat, LON0, event.location.lat, LON0)
    assert 2.0 < ahead < 40.0
    beats = [decode(MessageKind.HEARTBEAT, b, Heartbeat) for b in receiver.heartbeats()]
    assert any(b.gps is not None and b.gps.source is LocationSource.GPX for b in beats)
