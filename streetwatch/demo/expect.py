"""Which violations a generated clip must, may and must not raise, from its truth and rules.

Worked out from the generator's ground truth (never from a run); the demo and the end-to-end
tests share it.

Fixed camera: a violation of a configured class is **expected** when it is labelled (clearly
visible) without a break for the dwell time plus a tracker margin and a second, and its biggest
box passes ``min_area`` with a quarter to spare; **forbidden** when it is visible for less than
the dwell time, too small, permitted, or not a violation (look-alike negatives); otherwise
**borderline** (at most one event).

Patrol bike: a violation is expected when labelled in at least ``min_frames`` frames on *each*
of the two passes, borderline when seen on both passes but briefly on one, else forbidden.
Two expected objects of one class closer than the bike's dedup radius are one place to the
system (one violation, by design): the one seen less is borderline.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from training.synth.truth import BoxTruth, ObjectTruth, VideoTruth

TRACK_MARGIN_S = 1.5
"""Tracker confirmation and the median score settling, at 5 detections per second."""


@dataclass(frozen=True)
class Expectation:
    """Object ids (as in the truth) by what the clip must raise for them."""

    expected: frozenset[int]
    forbidden: frozenset[int]
    borderline: frozenset[int]

    def allowed(self) -> frozenset[int]:
        """Objects that may raise a violation."""
        return self.expected | self.borderline


def boxes_of(obj: ObjectTruth, truth: VideoTruth) -> list[BoxTruth]:
    """The object's labelled boxes, frame by frame."""
    return [b for f in truth.frames for b in f.boxes if b.object_id == obj.object_id and b.labelled]


def area(box: BoxTruth, truth: VideoTruth) -> float:
    """Box area as a fraction of the frame."""
    x1, y1, x2, y2 = box.xyxy
    return (x2 - x1) * (y2 - y1) / (truth.width * truth.height)


def clear_run_s(obj: ObjectTruth, truth: VideoTruth) -> float:
    """Longest stretch (seconds) in which the object is labelled in every frame."""
    best = run = 0
    for frame in truth.frames:
        labelled = any(b.object_id == obj.object_id and b.labelled for b in frame.boxes)
        run = run + 1 if labelled else 0
        best = max(best, run)
    return best / truth.fps


def fixed_expectation(
    truth: VideoTruth,
    classes: Collection[str],
    dwell_s: float,
    min_area: float,
    permitted: Iterable[int] = (),
) -> Expectation:
    """Sort a fixed-camera clip's objects (see the module docstring)."""
    expected: set[int] = set()
    forbidden: set[int] = set()
    borderline: set[int] = set()
    needed = dwell_s + TRACK_MARGIN_S + 1.0
    skip = set(permitted)
    for obj in truth.objects:
        if not obj.is_violation or obj.class_name not in classes or obj.object_id in skip:
            forbidden.add(obj.object_id)
            continue
        run_s = clear_run_s(obj, truth)
        biggest = max((area(b, truth) for b in boxes_of(obj, truth)), default=0.0)
        if run_s < dwell_s or biggest < min_area * 0.8:
            forbidden.add(obj.object_id)
        elif run_s >= needed and biggest >= min_area * 1.25:
            expected.add(obj.object_id)
        else:
            borderline.add(obj.object_id)
    return Expectation(frozenset(expected), frozenset(forbidden), frozenset(borderline))


def pass_of(heading_deg: float, truth: VideoTruth) -> int:
    """0 for the pass along the street's bearing, 1 for the way back."""
    return 0 if math.cos(math.radians(heading_deg - truth.street_bearing_deg)) > 0 else 1


def patrol_expectation(
    truth: VideoTruth, classes: Collection[str], min_frames: int, radius_m: float = 0.0
) -> Expectation:
    """Sort a two-pass ride's objects (see the module docstring); ``radius_m``: the dedup radius."""
    frames: dict[int, list[int]] = {}
    for frame in truth.frames:
        for box in frame.boxes:
            if box.labelled:
                counts = frames.setdefault(box.object_id, [0, 0])
                counts[pass_of(frame.pose.heading_deg, truth)] += 1
    expected: set[int] = set()
    borderline: set[int] = set()
    for obj in truth.objects:
        counts = frames.get(obj.object_id, [0, 0])
        if not obj.is_violation or obj.class_name not in classes or min(counts) == 0:
            continue
        (expected if min(counts) >= min_frames else borderline).add(obj.object_id)
    seen = {o.object_id: min(frames.get(o.object_id, [0, 0])) for o in truth.objects}
    merged = _merged([o for o in truth.objects if o.object_id in expected], seen, radius_m)
    expected -= merged
    borderline |= merged
    forbidden = {o.object_id for o in truth.objects} - expected - borderline
    return Expectation(frozenset(expected), frozenset(forbidden), frozenset(borderline))


def _merged(objects: list[ObjectTruth], seen: dict[int, int], radius_m: float) -> set[int]:
    """Ids of objects within ``radius_m`` of a better-seen object of their class."""
    merged: set[int] = set()
    for obj in objects:
        for other in objects:
            if (
                other.object_id != obj.object_id
                and other.class_name == obj.class_name
                and (seen[other.object_id], -other.object_id)
                > (seen[obj.object_id], -obj.object_id)
                and _distance_m(obj, other) <= radius_m
            ):
                merged.add(obj.object_id)
    return merged


def _distance_m(a: ObjectTruth, b: ObjectTruth) -> float:
    return math.hypot(a.east_m - b.east_m, a.north_m - b.north_m)
