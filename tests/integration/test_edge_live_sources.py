"""Live sources against real streams: RTSP (ffmpeg publishing to an RTSP server) with a
dropped and restored stream, and HTTP served by ffmpeg."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support.edge_setup import noise_video
from support.streams import HttpStream, RtspStream

from edge.config import HttpSource, RtspSource
from edge.frames import Frame
from edge.sources import RateGate
from edge.sources.reader import FrameReader
from edge.sources.streams import StreamSource
from edge.telemetry import Telemetry

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return noise_video(tmp_path_factory.mktemp("live") / "clip.avi", seconds=2.0, fps=10.0)


def frames_until(
    reader: FrameReader, count: int, timeout_s: float, pause_s: float = 0.0
) -> list[Frame]:
    got: list[Frame] = []
    deadline = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < deadline:
        frame = reader.next_frame(0.2)
        if frame is not None:
            got.append(frame)
            time.sleep(pause_s)
    return got


def test_rtsp_stream_reconnects_after_a_drop(clip: Path) -> None:
    with RtspStream(clip) as stream:
        settings = RtspSource(
            kind="rtsp",
            uri=stream.uri,
            transport="udp",
            reconnect_min_s=0.2,
            reconnect_max_s=0.4,
            timeout_s=1.0,
        )
        source = StreamSource(settings, RateGate(50.0))
        reader = FrameReader(source, queue_frames=2, telemetry=Telemetry()).start()
        try:
            before = frames_until(reader, 6, timeout_s=15.0, pause_s=0.15)  # a slow consumer
            assert len(before) == 6
            now = datetime.now(timezone.utc)
            assert all(abs((now - f.timestamp).total_seconds()) < 5 for f in before)
            assert [f.timestamp for f in before] == sorted(f.timestamp for f in before)
            assert reader.dropped > 0  # a live source drops rather than falls behind
            stream.cut()
            time.sleep(1.5)
            stream.publish()
            deadline = time.monotonic() + 20.0
            while source.reconnects == 0 and time.monotonic() < deadline:
                reader.next_frame(0.2)
            assert source.reconnects >= 1
            after = frames_until(reader, 2, timeout_s=15.0)
            assert len(after) == 2 and after[0].index > before[-1].index
        finally:
            reader.stop()


def test_http_stream(clip: Path) -> None:
    with HttpStream(clip) as stream:
        settings = HttpSource(kind="http", uri=stream.uri, reconnect_min_s=0.2, timeout_s=2.0)
        reader = FrameReader(StreamSource(settings, RateGate(5.0)), 4, Telemetry()).start()
        try:
            got = frames_until(reader, 4, timeout_s=15.0)
        finally:
            reader.stop()
    assert len(got) == 4
    assert got[0].image.shape == (180, 320, 3)
    # The 5 Hz gate keeps its phase on wall-clock time: a late frame may be followed by an
    # early one, but four frames never span less than two periods (0.4 s).
    span = (got[-1].timestamp - got[0].timestamp).total_seconds()
    assert span >= 0.39, [f.timestamp for f in got]
