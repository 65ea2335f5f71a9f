"""Per-detection gates of a class: instant ``min_score``, box area and aspect ratio."""

from __future__ import annotations

from contracts.tuning import ClassThresholds


def passes_shape(
    thresholds: ClassThresholds,
    score: float,
    box: tuple[float, float, float, float],
    frame_wh: tuple[int, int],
) -> bool:
    """Return True if one detection passes its class's instant gates.

    Args:
        thresholds: the class's thresholds.
        score: the detection's score.
        box: (x1, y1, x2, y2) in frame pixels.
        frame_wh: frame width and height in pixels.

    Area is the box area as a fraction of the frame; aspect is width / height.
    """
    if score < thresholds.min_score:
        return False
    width, height = box[2] - box[0], box[3] - box[1]
    if width <= 0 or height <= 0:
        return False
    area = width * height / float(frame_wh[0] * frame_wh[1])
    aspect = width / height
    return (
        thresholds.min_area <= area <= thresholds.max_area
        and thresholds.min_aspect <= aspect <= thresholds.max_aspect
    )
