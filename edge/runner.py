"""Runs an edge node: threads, hot reload, progress, the end of a file and the exit code.

Exit codes of ``streetwatch edge run``: 0 — done, every event acknowledged; 1 — stopped while
running: the outbox cannot store events (those already in it are kept) or every frame fails;
2 — bad config, model or input (a damaged video ends the run after its decodable frames, with
their events stored; it is logged as soon as the file ends); 3 — ``--once`` finished but
events still wait in the outbox for the server's commit-ack (they are sent by the next run).

A frame whose processing fails for another reason (an ONNX Runtime error, an image that cannot
be encoded) is logged, counted (telemetry counter ``frame_errors``) and skipped.
"""

from __future__ import annotations

import logging
import shutil
import signal
import sqlite3
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from edge.config import EdgeConfig, FileSource, GpsLocation, ImagesSource, load_edge_config
from edge.delivery.sender import Sender
from edge.detector import OnnxDetector
from edge.heartbeat import HeartbeatSources
from edge.liveness import LivenessFile, status_path
from edge.outbox import Outbox
from edge.pipeline import Pipeline, StoreError, build_pipeline
from edge.position.provider import Positioning
from edge.reload import ConfigFileWatcher, TunablesControl
from edge.sources import RateGate, SourceError, open_source
from edge.sources.reader import FrameReader
from edge.telemetry import Telemetry
from streetwatch.errors import UserError

log = logging.getLogger(__name__)

FAILED_EXIT = 1
UNDELIVERED_EXIT = 3
MAX_FAILED_FRAMES = 20
"""Frames in a row whose processing fails before the node gives up."""
POLL_S = 0.2
STARTUP_WAIT_S = 2.0
"""How long the node waits for the broker before the first frame, so that a retained config
push applies from the start (it goes on without the broker after that)."""
RETAINED_GRACE_S = 0.2


@dataclass(frozen=True)
class RunOptions:
    """How ``edge run`` behaves.

    Attributes:
        once: end when the file is done and every event is acknowledged (or ``wait_s`` passed).
        wait_s: longest wait for commit-acks after the file, seconds.
        progress: show a progress line (on a terminal).
    """

    once: bool = False
    wait_s: float = 30.0
    progress: bool = False


def _check_supported(config: EdgeConfig, options: RunOptions) -> None:
    if options.once and not isinstance(config.source, FileSource | ImagesSource):
        raise UserError(f"--once needs a file or images source, not {config.source.kind!r}")


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


class EdgeNode:
    """One running edge node.

    Args:
        config_path: the config file (watched for rule changes).
        options: once, wait and progress.
    """

    def __init__(self, config_path: Path, options: RunOptions) -> None:
        self._path = config_path
        self._options = options
        self.config = load_edge_config(config_path)
        _check_supported(self.config, options)
        self.telemetry = Telemetry()
        self.control = TunablesControl(
            self.config.rules, self.config.taxonomy, self.config.tracking.high_score
        )
        model = self.config.model
        detector = OnnxDetector(
            model.path,
            providers=model.providers,
            threads=model.threads,
            conf_threshold=self.config.tracking.low_score,
        )
        self._warn_unknown_classes(detector.info.names)
        source = open_source(self.config.source, RateGate(self.config.detection.rate_hz))
        source.probe()
        self.outbox = Outbox(
            self.config.outbox.path, self.config.device.id, self.config.outbox.max_bytes
        )
        warn_if_disk_is_short(self.config.outbox.path, self.config.outbox.max_bytes)
        location = self.config.location
        self.positioning = Positioning(location) if isinstance(location, GpsLocation) else None
        if self.positioning is not None:
            self.positioning.check_covers(self.config.source)
        self.pipeline: Pipeline = build_pipeline(
            self.config,
            detector,
            self.outbox,
            self.control,
            self.telemetry,
            positioning=self.positioning,
        )
        self.reader = FrameReader(source, self.config.detection.queue_frames, self.telemetry)
        self.sender: Sender | None = None
        self._watcher = ConfigFileWatcher(config_path, self.config, self.config.reload_s)
        self._progress = _Progress(options.progress and sys.stderr.isatty())
        self.liveness = LivenessFile(status_path(self.config.outbox.path))

    def _warn_unknown_classes(self, names: tuple[str, ...]) -> None:
        for label in self.config.rules.classes:
            if label not in names:
                log.warning("rules name class %r, which the model does not detect", label)

    def run(self) -> int:
        """Run until the source ends (files) or the process is interrupted; return the exit code."""
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
        sources = HeartbeatSources(
            device_id=self.config.device.id,
            telemetry=self.telemetry,
            outbox=self.outbox,
            reader=self.reader,
            processed=lambda: self.pipeline.processed,
            config_version=lambda: self.control.version,
            link=lambda: self.sender.link if self.sender else None,
            started=time.monotonic(),
            positioning=self.positioning,
        )
        with ExitStack() as stack:  # undoes only what was started, last first
            stack.callback(self.outbox.close)
            if main_thread:
                stack.callback(signal.signal, signal.SIGTERM, previous)
            self.sender = Sender(
                self.config, self.outbox, self.telemetry, sources.build, self.control.offer_push
            )
            if self.positioning is not None:
                self.positioning.start()
                stack.callback(self.positioning.stop)
            self.sender.start()
            stack.callback(self.sender.stop)
            self._await_broker(self.sender)
            self.reader.start()
            stack.callback(self.reader.stop)
            error = self._process()
            return self._finish(error)

    def _await_broker(self, sender: Sender) -> None:
        if sender.link.subscribed.wait(STARTUP_WAIT_S):
            time.sleep(RETAINED_GRACE_S)  # the retained config push follows the SUBACK
        else:
            log.warning("broker %s not reachable yet; starting anyway", sender.link.where)
        self._reload()

    def _process(self) -> SourceError | None:
        failed = 0  # frames in a row whose processing failed
        while True:
            self._reload()
            try:
                frame = self.reader.next_frame(POLL_S)
            except SourceError as exc:
                return exc
            if frame is not None:
                try:
                    raised = self.pipeline.process(frame)
                except (StoreError, sqlite3.Error) as exc:
                    raise UserError(
                        f"the outbox {self.outbox.path} cannot store the events of frame "
                        f"{frame.index} ({exc}); the node stopped, and the events already in "
                        "the outbox are kept",
                        exit_code=FAILED_EXIT,
                    ) from None
                except UserError:
                    raise
                except Exception as exc:  # one bad frame must not end the node
                    failed += 1
                    self._frame_failed(frame.index, exc, failed)
                    continue
                failed = 0
                if raised and self.sender:
                    self.sender.wake()
                self._progress.show(self.reader, self.pipeline, self.outbox)
            elif self.reader.finished:
                return None

    def _frame_failed(self, index: int, error: Exception, in_a_row: int) -> None:
        """Log and count a frame whose processing failed; give up after too many in a row."""
        self.telemetry.count("frame_errors")
        log.error("frame %d skipped: %s", index, _one_line(error))
        if in_a_row >= MAX_FAILED_FRAMES:
            raise UserError(
                f"{in_a_row} frames in a row failed, the last with {_one_line(error)}; "
                "the node stopped",
                exit_code=FAILED_EXIT,
            )

    def _reload(self) -> None:
        """Apply changed rules; every pass of the main loop comes here, so it also beats."""
        self.liveness.beat(self.pipeline.processed)
        rules = self._watcher.poll()
        if rules is not None:
            self.control.offer_file(rules)
        tunables = self.control.take_change()
        if tunables is not None:
            self.pipeline.retune(tunables)

    def _finish(self, error: SourceError | None) -> int:
        self._progress.done(self.reader, self.pipeline, self.outbox)
        if error is not None:
            log.error("%s", error)
        if not self._options.once:
            log.info("source ended; still delivering (Ctrl-C to stop)")
            while True:
                self._reload()
                time.sleep(POLL_S)
        left = self._wait_for_acks()
        if left:
            link = self.sender.link if self.sender else None
            why = f" ({link.last_error})" if link and link.last_error else ""
            raise UserError(
                f"{left} event(s) wait in the outbox {self.outbox.path} for the server's "
                f"commit-ack{why}; they are sent on the next run",
                exit_code=UNDELIVERED_EXIT if error is None else error.exit_code,
            )
        if error is not None:
            raise error
        return 0

    def _wait_for_acks(self) -> int:
        deadline = time.monotonic() + self._options.wait_s
        while True:
            left = self.outbox.depth().events
            if left == 0 or time.monotonic() >= deadline:
                return left
            self._reload()
            time.sleep(0.05)


def _one_line(error: BaseException) -> str:
    """Return ``error``'s type and the first line of its message, at most 300 characters."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class _Progress:
    """A one-line progress display on stderr (only on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._last = 0.0

    def show(
        self, reader: FrameReader, pipeline: Pipeline, outbox: Outbox, *, force: bool = False
    ) -> None:
        now = time.monotonic()
        if not self._enabled or (now - self._last < 0.5 and not force):
            return
        self._last = now
        source = reader.source
        total = f"/{source.expected}" if source.expected else ""
        line = (
            f"\rframes {source.grabbed}{total}  detected {pipeline.processed}  "
            f"dropped {reader.dropped}  outbox {outbox.depth().events}   "
        )
        print(line, end="", file=sys.stderr, flush=True)

    def done(self, reader: FrameReader, pipeline: Pipeline, outbox: Outbox) -> None:
        if self._enabled:
            self.show(reader, pipeline, outbox, force=True)
            print(file=sys.stderr)


def warn_if_disk_is_short(outbox: Path, budget: int) -> bool:
    """Warn when the outbox's disk has less room than its budget; return True if it warned."""
    try:
        used = sum(p.stat().st_size for p in outbox.parent.glob(outbox.name + "*"))
        free = shutil.disk_usage(outbox.parent).free
    except OSError:
        return False
    if used + free >= budget:
        return False
    log.warning(
        "the outbox budget (outbox.max_bytes %.1f MiB) is more than the %.1f MiB the disk of "
        "%s has for it: during a long outage the disk fills first; lower outbox.max_bytes",
        budget / 2**20,
        (used + free) / 2**20,
        outbox,
    )
    return True
