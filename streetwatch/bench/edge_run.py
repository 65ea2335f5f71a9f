"""Runs the edge pipeline over a clip without delivery: decode thread, pipeline, outbox.

This is what ``edge run`` does per frame (decode -> detect -> track -> rules -> events,
evidence and the SQLite outbox), minus the MQTT sender: events stay in the outbox.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from edge.config import EdgeConfig, FileSource
from edge.detector import OnnxDetector
from edge.outbox import Outbox
from edge.pipeline import build_pipeline
from edge.reload import TunablesControl
from edge.sources import RateGate, open_source
from edge.sources.reader import FrameReader
from edge.telemetry import Telemetry

FULL_RATE_HZ = 60.0
"""The highest ``detection.rate_hz``: every frame of a clip up to 60 fps is detected."""
POLL_S = 0.2
START = datetime(2024, 5, 20, 0, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class ClipRun:
    """One pass of the pipeline over a clip.

    Attributes:
        frames: frames processed.
        events: events stored, by type (``new``, ``update``, ``end``, ``sample``).
        startup_s: opening the outbox and the source, building the pipeline and the first
            frame (once per run of a node).
        steady_s: from the first frame processed to the last: the pipeline's running rate
            is ``(frames - 1) / steady_s``.
        shutdown_s: stopping the decode thread and closing the outbox.
    """

    frames: int
    events: dict[str, int]
    startup_s: float = 0.0
    steady_s: float = 0.0
    shutdown_s: float = 0.0

    @property
    def violations(self) -> int:
        """Violation events (every type but ``sample``)."""
        return sum(n for kind, n in self.events.items() if kind != "sample")


def bench_config(
    base: EdgeConfig, model: Path, video: Path, threads: int, outbox: Path
) -> EdgeConfig:
    """Return ``base`` reading ``video`` at full detection rate with ``model`` and ``outbox``."""
    source = (
        base.source.model_copy(update={"path": video})
        if isinstance(base.source, FileSource)
        else FileSource(kind="file", path=video, start_time=START)
    )
    return base.model_copy(
        update={
            "source": source,
            "model": base.model.model_copy(update={"path": model, "threads": threads}),
            "detection": base.detection.model_copy(update={"rate_hz": FULL_RATE_HZ}),
            "outbox": base.outbox.model_copy(update={"path": outbox}),
        }
    )


def open_detector(config: EdgeConfig) -> OnnxDetector:
    """Open the config's model as ``edge run`` does."""
    model = config.model
    return OnnxDetector(
        model.path,
        providers=model.providers,
        threads=model.threads,
        conf_threshold=config.tracking.low_score,
    )


def run_clip(config: EdgeConfig, detector: OnnxDetector, frames: int | None = None) -> ClipRun:
    """Run a fresh pipeline (new tracker, new outbox) over the clip; no delivery.

    Args:
        config: from :func:`bench_config` (its outbox file should not exist yet).
        detector: the opened detector (shared between runs).
        frames: stop after this many frames; None: the whole clip.
    """
    started = time.perf_counter()
    first = last = stopping = 0.0
    telemetry = Telemetry()
    outbox = Outbox(config.outbox.path, config.device.id, config.outbox.max_bytes)
    kinds: Counter[str] = Counter()
    try:
        control = TunablesControl(config.rules)
        pipeline = build_pipeline(config, detector, outbox, control, telemetry)
        source = open_source(config.source, RateGate(config.detection.rate_hz))
        reader = FrameReader(source, config.detection.queue_frames, telemetry).start()
        try:
            while frames is None or pipeline.processed < frames:
                frame = reader.next_frame(POLL_S)
                if frame is None:
                    if reader.finished:
                        break
                    continue
                kinds.update(event.type.value for event in pipeline.process(frame))
                last = time.perf_counter()
                first = first or last
        finally:
            stopping = time.perf_counter()
            reader.stop()
    finally:
        outbox.close()
    return ClipRun(
        pipeline.processed,
        dict(kinds),
        startup_s=(first or stopping) - started,
        steady_s=last - first,
        shutdown_s=time.perf_counter() - stopping,
    )
