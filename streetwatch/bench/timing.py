"""Timing helpers shared by the benchmarks: interleaved repeats and medians."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SelfTimed:
    """A run that timed its own steady part (its one-off start-up and shutdown left out)."""

    items: int
    seconds: float


@dataclass(frozen=True)
class Measured:
    """Median seconds per item of one contender over the repeats."""

    name: str
    items: int
    seconds: tuple[float, ...]

    @property
    def median_s(self) -> float:
        """Median seconds for all items."""
        return statistics.median(self.seconds)

    @property
    def per_second(self) -> float:
        """Median items per second."""
        return self.items / self.median_s

    def rates(self) -> tuple[float, ...]:
        """Items per second of each repeat, in run order."""
        return tuple(self.items / s for s in self.seconds)

    def ratio(self, other: Measured) -> float:
        """Median over the repeats of this rate / ``other``'s rate in the same round.

        Contenders run round-robin, so pairing each round's runs cancels the machine's slow
        drifts that a ratio of the two medians would keep.
        """
        pairs = zip(self.rates(), other.rates(), strict=True)
        return statistics.median(mine / theirs for mine, theirs in pairs)


def interleaved(
    contenders: Mapping[str, Callable[[], int | SelfTimed]], repeats: int, warmup: int = 1
) -> dict[str, Measured]:
    """Run each contender ``repeats`` times, round-robin, so machine noise hits all alike.

    Each callable processes its whole workload and returns the number of items it handled
    (timed here, call to return), or a :class:`SelfTimed` with its own timing.
    """
    for run in contenders.values():
        for _ in range(warmup):
            run()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    counts: dict[str, int] = {}
    for _ in range(repeats):
        for name, run in contenders.items():
            start = time.perf_counter()
            done = run()
            elapsed = time.perf_counter() - start
            if isinstance(done, SelfTimed):
                counts[name], elapsed = done.items, done.seconds
            else:
                counts[name] = done
            times[name].append(elapsed)
    return {name: Measured(name, counts[name], tuple(times[name])) for name in contenders}
