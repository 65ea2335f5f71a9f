"""The edge pipeline alone in its own process: peak RSS and events over a whole clip.

Run by ``bench edge`` as ``python -m streetwatch.bench.edge_rss CONFIG MODEL VIDEO THREADS
OUTBOX``; prints one JSON object. A process of its own, so that nothing the benchmark loads
for the other contenders (ultralytics, torch) counts against the pipeline's memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from edge.config import load_edge_config
from streetwatch.bench.edge_run import bench_config, open_detector, run_clip


@dataclass(frozen=True)
class WholeClip:
    """The pipeline's pass over a whole clip in its own process."""

    frames: int
    seconds: float
    events: dict[str, int]
    peak_rss_mb: float

    @property
    def violations(self) -> int:
        """Violation events (every type but ``sample``)."""
        return sum(n for kind, n in self.events.items() if kind != "sample")


def peak_rss_mb() -> float:
    """Peak resident set size of this process, MB.

    ``VmHWM`` from ``/proc/self/status`` where there is one: ``getrusage``'s ``ru_maxrss``
    starts from the parent's peak at ``fork`` (the benchmark process with torch loaded).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str]) -> int:
    """Run the pipeline over the whole clip; print frames, seconds, events and peak RSS."""
    base, model, video, threads, outbox = argv
    config = bench_config(
        load_edge_config(Path(base)), Path(model), Path(video), int(threads), Path(outbox)
    )
    detector = open_detector(config)
    started = time.perf_counter()
    run = run_clip(config, detector)
    seconds = time.perf_counter() - started
    result = {"frames": run.frames, "seconds": seconds, "events": run.events}
    print(json.dumps(result | {"peak_rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
