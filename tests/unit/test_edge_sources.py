"""Frame sources: the rate gate, file timestamps, damaged files, image folders and the
decode queue (back-pressure for files, drop-and-count for live sources)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest
from support.edge_setup import T0, frame, noise_video, seconds

from edge.config import FileSource, ImagesSource
from edge.frames import Frame
from edge.sources import RateGate, SourceError
from edge.sources.files import VideoFileSource
from edge.sources.reader import FrameReader
from edge.sources.stills import ImageFolderSource
from edge.sources.streams import _redact
from edge.telemetry import Telemetry

START = datetime(2024, 5, 20, 8, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(
    ("fps", "rate_hz", "frames", "expected"),
    [
        (10, 5, 10, 5),  # every other frame
        (30, 5, 30, 5),
        (25, 5, 25, 5),
        (10, 20, 10, 10),  # never more than the source gives
        (10, 3, 30, 9),  # 3 Hz of 10 fps: 9 of 3 s
    ],
)
def test_rate_gate(fps: float, rate_hz: float, frames: int, expected: int) -> None:
    gate = RateGate(rate_hz)
    due = [gate.due(T0 + timedelta(seconds=n / fps)) for n in range(frames)]
    assert sum(due) == expected and due[0]


def test_rate_gate_after_a_gap_starts_again() -> None:
    gate = RateGate(5)
    assert [gate.due(T0 + seconds(s)) for s in (0, 0.1, 0.2, 10.0, 10.1, 10.2)] == [
        True,
        False,
        True,
        True,
        False,
        True,
    ]


def file_source(path: Path, rate_hz: float = 5) -> VideoFileSource:
    settings = FileSource(kind="file", path=path, start_time=START, name="cam0")
    return VideoFileSource(settings, RateGate(rate_hz))


def test_file_timestamps_are_start_plus_presentation_time(tmp_path: Path) -> None:
    source = file_source(noise_video(tmp_path / "v.avi", seconds=2, fps=10))
    frames = list(source.frames())
    assert [f.index for f in frames] == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert frames[3].timestamp == datetime(2024, 5, 20, 0, 0, 0, 600000, tzinfo=timezone.utc)
    assert frames[0].source_id == "cam0" and not frames[0].image.flags.writeable
    assert (source.grabbed, source.expected) == (20, 20)


def test_truncated_file_yields_what_decodes_then_one_clear_error(tmp_path: Path) -> None:
    whole = noise_video(tmp_path / "v.avi", seconds=3, fps=10)
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    source = file_source(cut, rate_hz=10)
    got: list[Frame] = []
    with pytest.raises(SourceError) as caught:
        got.extend(source.frames())
    assert 5 <= len(got) < 30
    assert str(caught.value) == (
        f"video file {cut} is damaged or truncated: decoding stopped after frame "
        f"{len(got)} of 30; the frames before it were processed"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "video file {} does not exist"),
        (
            b"not a video at all" * 100,
            "video file {} cannot be opened: it is damaged or not a video",
        ),
    ],
)
def test_unusable_files(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        list(file_source(path).frames())
    assert str(caught.value) == message.format(path)


def test_image_folder(tmp_path: Path) -> None:
    for n in range(4):
        cv2.imwrite(str(tmp_path / f"img{n}.jpg"), np.full((40, 60, 3), n * 40, np.uint8))
    (tmp_path / "img2.jpg").write_bytes(b"broken")
    (tmp_path / "notes.txt").write_text("ignored")
    settings = ImagesSource(kind="images", path=tmp_path, fps=2, start_time=START)
    source = ImageFolderSource(settings, RateGate(10))
    got: list[Frame] = []
    with pytest.raises(SourceError, match=r"1 of 4 images in .* could not be decoded \(img2.jpg\)"):
        got.extend(source.frames())
    assert [f.index for f in got] == [0, 1, 3]
    assert got[2].timestamp - got[0].timestamp == timedelta(seconds=1.5)


class FakeSource:
    """Yields ``count`` frames as fast as it can; the test controls the consumer."""

    def __init__(self, count: int, live: bool) -> None:
        self.live = live
        self.count = count
        self.grabbed = 0
        self.reconnects = 0
        self.expected = count
        self.done = threading.Event()

    def frames(self) -> Iterator[Frame]:
        for n in range(self.count):
            self.grabbed += 1
            yield frame(T0 + seconds(n), index=n)
        self.done.set()

    def stop(self) -> None:
        pass

    def probe(self) -> None:
        pass


@pytest.mark.parametrize("live", [False, True])
def test_reader_back_pressure_for_files_and_drops_for_live(live: bool) -> None:
    source = FakeSource(20, live)
    reader = FrameReader(source, queue_frames=3, telemetry=Telemetry()).start()
    # A file waits for the consumer; a live source never waits.
    assert source.done.wait(5.0 if live else 0.3) is live
    got = []
    while (item := reader.next_frame(2.0)) is not None:
        got.append(item.index)
    reader.stop()
    if live:
        assert reader.dropped == 17 and got == [17, 18, 19]  # the newest frames survive
    else:
        assert reader.dropped == 0 and got == list(range(20))


def test_reader_stop_wakes_a_file_decoder_waiting_on_a_full_queue() -> None:
    source = FakeSource(20, live=False)
    reader = FrameReader(source, queue_frames=3, telemetry=Telemetry()).start()
    first = reader.next_frame(2.0)
    assert first is not None and first.index == 0
    time.sleep(0.05)  # the decoder has refilled the queue and waits on it
    reader.stop()
    assert not reader._thread.is_alive()
    assert reader.finished and reader._queue.empty()  # the waiting frames were discarded
    assert source.grabbed < 20


def test_stream_uri_password_is_not_logged() -> None:
    assert _redact("rtsp://admin:secret@10.0.0.5/stream1") == "rtsp://admin:***@10.0.0.5/stream1"
    assert _redact("http://cam.local/video.mjpg") == "http://cam.local/video.mjpg"
