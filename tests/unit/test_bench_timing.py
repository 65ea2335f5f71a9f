"""The benchmarks' interleaved timer: wall-clock and self-timed contenders."""

from __future__ import annotations

import time

from streetwatch.bench.timing import Measured, SelfTimed, interleaved


def test_a_self_timed_contender_is_rated_on_its_own_steady_seconds() -> None:
    calls: list[str] = []

    def wall() -> int:
        calls.append("wall")
        time.sleep(0.01)
        return 5

    def steady() -> SelfTimed:
        calls.append("steady")
        time.sleep(0.02)  # a one-off start-up the contender leaves out of its own timing
        return SelfTimed(items=10, seconds=0.5)

    result = interleaved({"wall": wall, "steady": steady}, repeats=3)
    assert calls == ["wall", "steady"] * 4  # one warm-up, then round-robin
    assert result["steady"].seconds == (0.5, 0.5, 0.5)
    assert result["steady"].per_second == 20.0
    assert result["wall"].items == 5
    assert all(s >= 0.01 for s in result["wall"].seconds)


def test_ratios_pair_the_runs_of_each_round() -> None:
    # The machine slows down in round 2: each round's ratio is 2.0, the medians' ratio is not.
    fast = Measured("fast", 10, (0.5, 1.0, 0.5))
    slow = Measured("slow", 10, (1.0, 2.0, 1.0))
    drifting = Measured("drifting", 10, (0.5, 2.0, 2.0))
    assert fast.ratio(slow) == 2.0
    assert drifting.rates() == (20.0, 5.0, 5.0)
    assert drifting.ratio(slow) == 1.0
    assert drifting.per_second / slow.per_second == 0.5
