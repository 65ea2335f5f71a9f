"""Figures for docs/benchmarks.md ("Patrol mode and outages"); not a test.

    cd tests && python -m support.patrol_bench RIDE.mp4

- outbox bytes per 1,000 events: 1,000 ``new`` events whose evidence is cut from the frames of
  a generated ride (default evidence settings), stored through the real outbox;
- drain after a 10-minute outage: one event every 5 s while offline (120 events, injected
  clock), then the real sender drains them through a private Mosquitto to a commit-acking
  receiver at the default ``backlog_per_s`` (5) and ``max_inflight`` (20).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from edge.config import load_edge_config
from edge.delivery.sender import Sender
from edge.frames import Frame
from edge.outbox import Outbox
from edge.telemetry import Telemetry
from support.ack_receiver import AckReceiver
from support.edge_setup import edge_config
from support.mosquitto import MosquittoServer, find_mosquitto
from support.outage import OutageRide, SimClock
from support.patrol_stream import T0, heartbeat_of


def ride_frames(video: Path, count: int) -> list[Frame]:
    """Return ``count`` frames of ``video`` (looping)."""
    capture = cv2.VideoCapture(str(video))
    frames: list[npt.NDArray[np.uint8]] = []
    while len(frames) < 200:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(np.asarray(image, np.uint8))
    return [Frame(frames[i % len(frames)], T0, i, "front") for i in range(count)]


def main(video: Path) -> None:
    """Print the figures."""
    binary = find_mosquitto()
    assert binary is not None, "install mosquitto"
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        broker = MosquittoServer(binary, tmp / "mosquitto")
        broker.start()
        try:
            path = edge_config(tmp, port=broker.port, model=tmp / "m.onnx", video=tmp / "v.avi")
            text = path.read_text().replace("delivery: {ack_timeout_s: 2, backlog_per_s: 50}\n", "")
            path.write_text(text)
            config = load_edge_config(path)
            frames = ride_frames(video, 200)
            clock = SimClock(time.time() - 3600)
            sizing = Outbox(tmp / "sizing.sqlite3", config.device.id, 2 * 1024**3, clock)
            OutageRide(config, sizing, frames).store(1000, 1.0, clock)
            depth = sizing.depth()
            sizing.close()
            with sqlite3.connect(tmp / "sizing.sqlite3") as db:
                json_bytes = db.execute("SELECT SUM(LENGTH(payload)) FROM events").fetchone()[0]
                kinds = dict(
                    db.execute("SELECT kind, SUM(LENGTH(data)) FROM evidence GROUP BY kind")
                )
            file_bytes = (tmp / "sizing.sqlite3").stat().st_size
            print(
                f"outbox: 1000 events = {depth.bytes} bytes ({json_bytes} JSON, "
                f"{kinds.get('frame', 0)} frames, {kinds.get('crop', 0)} crops); "
                f"SQLite file {file_bytes} bytes"
            )
            clock = SimClock(time.time() - 600)
            outbox = Outbox(config.outbox.path, config.device.id, config.outbox.max_bytes, clock)
            OutageRide(config, outbox, frames).store(120, 5.0, clock)
            clock.live = True
            sender = Sender(config, outbox, Telemetry(), lambda: heartbeat_of("x", outbox), print)
            with AckReceiver(broker) as receiver:
                sender.start()
                assert sender.link.connected.wait(5)
                started = time.monotonic()
                receiver.wait_for("drain", lambda: outbox.depth().events == 0, 120)
                took = time.monotonic() - started
                sender.stop()
            print(
                f"drain: 120 events of a 10-minute outage in {took:.1f} s = {120 / took:.2f} "
                f"events/s (backlog_per_s {config.delivery.backlog_per_s}, "
                f"max_inflight {config.delivery.max_inflight}); received {len(receiver.events)}"
            )
        finally:
            broker.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
