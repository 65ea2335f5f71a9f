"""Precision, volume and the suggested threshold over tables of verdicts."""

from __future__ import annotations

import pytest

from server.domain.tuning_math import Verdict, at_threshold, suggest, table

V = Verdict
MIXED = [V(0.3, False), V(0.4, False), V(0.5, True), V(0.6, False), V(0.7, True), V(0.9, True)]


@pytest.mark.parametrize(
    ("threshold", "volume", "true", "precision"),
    [
        (0.0, 6, 3, 0.5),
        (0.3, 6, 3, 0.5),
        (0.45, 4, 3, 0.75),
        (0.6, 3, 2, 2 / 3),
        (0.65, 2, 2, 1.0),
        (0.95, 0, 0, None),
    ],
)
def test_precision_and_volume_at_a_threshold(
    threshold: float, volume: int, true: int, precision: float | None
) -> None:
    found = at_threshold(MIXED, threshold)
    assert (found.volume, found.true_positives) == (volume, true)
    assert found.precision == (pytest.approx(precision) if precision is not None else None)


@pytest.mark.parametrize(
    ("verdicts", "target", "min_support", "expected"),
    [
        (MIXED, 0.5, 1, 0.3),
        (MIXED, 0.7, 1, 0.5),
        (MIXED, 0.9, 1, 0.7),
        (MIXED, 0.9, 3, None),  # 0.7 keeps only 2 cases
        ([V(0.8, False)], 0.5, 1, None),
        ([], 0.9, 1, None),
        ([V(0.2, True), V(0.9, True)], 1.0, 1, 0.2),
    ],
)
def test_suggested_threshold(
    verdicts: list[Verdict], target: float, min_support: int, expected: float | None
) -> None:
    found = suggest(verdicts, target, min_support)
    assert (found.threshold if found else None) == expected
    if found is not None:
        assert found.precision is not None and found.precision >= target


def test_table_is_ascending_and_volume_never_grows() -> None:
    rows = table(MIXED, [0.9, 0.1, 0.5, 0.5])
    assert [row.threshold for row in rows] == [0.1, 0.5, 0.9]
    assert [row.volume for row in rows] == [6, 4, 1]
    assert [row.precision for row in rows] == [0.5, 0.75, 1.0]


def test_judged_samples_count_as_verdicts_and_are_counted_apart() -> None:
    cases = [V(0.65, False), V(0.7, True), V(0.8, True)]
    samples = [V(0.45, True, sample=True), V(0.5, False, sample=True), V(0.55, True, True)]
    low = at_threshold(cases + samples, 0.45)
    assert (low.volume, low.samples, low.true_positives) == (6, 3, 4)
    assert at_threshold(cases + samples, 0.6).samples == 0
    assert [row.samples for row in table(cases + samples, [0.5, 0.6])] == [2, 0]
    found = suggest(cases + samples, 0.6)
    assert found is not None and found.threshold == 0.45  # below every case's score
    only_cases = suggest(cases, 0.6)
    assert only_cases is not None and only_cases.threshold == 0.65
