"""What the end-to-end tests may demand of the shipped detector's recall and precision.

The system's own guarantees (delivery, evidence hashes, dedup, positions, the UI showing what
the server holds) are asserted outright. Whether the detector finds exactly the violations a
generated clip contains depends on the model's accuracy: while the shipped model is below its
targets (``models/README.md``, *Measured*), such a shortfall is reported as an expected
failure (xfail) with the objects it missed or invented, and never hides a failure of the
system. Set :data:`MEETS_TARGETS` once a model meets them: the same differences then fail.
"""

from __future__ import annotations

import pytest

MEETS_TARGETS = False
"""Whether the shipped detector meets the model card's accuracy targets."""

REASON = (
    "the shipped detector is below its accuracy targets (models/README.md: it misses "
    "illegal signage and small or distant garbage)"
)


def judge_detections(differences: list[str]) -> None:
    """Fail (model meets targets) or xfail (it does not) when the detections differ."""
    if not differences:
        return
    detail = "; ".join(differences)
    if MEETS_TARGETS:
        pytest.fail(f"the detections differ from the clip's truth: {detail}")
    pytest.xfail(f"{REASON}: {detail}")
