"""Precision and case volume of a class at confirmation thresholds, and a suggested threshold.

Pure functions over verdicts: each verdict is the track-level score a case reached (the
highest confidence of its events) and whether an operator found it true (filed, dispatched,
handled, closed) or false (rejected as a false positive), or the score of a judged near-miss
``sample`` and its verdict. At threshold ``t`` a case would still be made when its score is
at least ``t``. Samples count once each: they are a share of the near misses, so the volume
below the threshold they were drawn at is a lower bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_GRID: tuple[float, ...] = tuple(round(0.05 * step, 2) for step in range(4, 20))
"""Thresholds of the table: 0.20, 0.25, …, 0.95."""


@dataclass(frozen=True)
class Verdict:
    """One decided case or judged sample: its score and whether it was a true violation."""

    score: float
    positive: bool
    sample: bool = False


@dataclass(frozen=True)
class AtThreshold:
    """What a threshold would keep: cases (volume), true ones, their precision, the samples."""

    threshold: float
    volume: int
    true_positives: int
    precision: float | None
    samples: int = 0


def at_threshold(verdicts: Iterable[Verdict], threshold: float) -> AtThreshold:
    """Return volume, true positives and precision of the verdicts scoring ``>= threshold``."""
    kept = [v for v in verdicts if v.score >= threshold]
    true = sum(1 for v in kept if v.positive)
    precision = true / len(kept) if kept else None
    samples = sum(1 for v in kept if v.sample)
    return AtThreshold(threshold, len(kept), true, precision, samples)


def table(verdicts: Sequence[Verdict], grid: Iterable[float] = DEFAULT_GRID) -> list[AtThreshold]:
    """Return :func:`at_threshold` at each threshold of ``grid`` (ascending)."""
    return [at_threshold(verdicts, t) for t in sorted(set(grid))]


def suggest(verdicts: Sequence[Verdict], target: float, min_support: int = 1) -> AtThreshold | None:
    """Return the lowest threshold whose precision reaches ``target`` (the most volume).

    Candidates are the verdicts' own scores (a threshold between two scores keeps the same
    cases as the higher one). A candidate must keep at least ``min_support`` cases.

    Args:
        verdicts: the decided cases of one class (and device, if per device).
        target: the precision to reach, 0..1.
        min_support: fewest cases the threshold must keep to be trusted.

    Returns:
        The suggested threshold and what it keeps, or None when no threshold reaches it.
    """
    for score in sorted({v.score for v in verdicts}):
        found = at_threshold(verdicts, score)
        if found.volume < max(1, min_support):
            return None
        if found.precision is not None and found.precision >= target:
            return found
    return None
