"""Which rendered boxes become detector labels, and the YOLO text format."""

from __future__ import annotations

from dataclasses import dataclass

from training.synth.camera import Camera
from training.synth.geo import GeoOrigin
from training.synth.render import Seen
from training.synth.taxonomy import class_id, is_violation
from training.synth.truth import BoxTruth, IntrinsicsTruth, PoseTruth


@dataclass(frozen=True)
class LabelRule:
    """When a violation's box is labelled.

    Attributes:
        min_visible: least visible fraction (in frame × unoccluded).
        min_box_px: least box width and height in pixels.
    """

    min_visible: float = 0.35
    min_box_px: float = 4.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_visible <= 1.0:
            raise ValueError(f"min_visible {self.min_visible} is outside 0..1")

    def labelled(self, seen: Seen) -> bool:
        """Whether ``seen`` is a labelled box."""
        x0, y0, x1, y1 = seen.box
        return (
            is_violation(seen.kind)
            and seen.visible_fraction >= self.min_visible
            and x1 - x0 >= self.min_box_px
            and y1 - y0 >= self.min_box_px
        )


def box_truths(seen: tuple[Seen, ...], rule: LabelRule) -> tuple[BoxTruth, ...]:
    """Truth boxes of everything in view, marking which are labelled."""
    out: list[BoxTruth] = []
    for s in seen:
        x0, y0, x1, y1 = s.box
        out.append(
            BoxTruth(
                object_id=s.object_id,
                kind=s.kind.value,
                class_id=class_id(s.kind),
                xyxy=(round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)),
                visible_fraction=s.visible_fraction,
                labelled=rule.labelled(s),
            )
        )
    return tuple(out)


def yolo_lines(boxes: tuple[BoxTruth, ...], width: int, height: int) -> list[str]:
    """``class cx cy w h`` lines (normalised) of the labelled boxes."""
    lines = []
    for b in boxes:
        if not b.labelled or b.class_id is None:
            continue
        x0, y0, x1, y1 = b.xyxy
        cx, cy = (x0 + x1) / 2 / width, (y0 + y1) / 2 / height
        w, h = (x1 - x0) / width, (y1 - y0) / height
        lines.append(f"{b.class_id} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
    return lines


def intrinsics_truth(camera: Camera) -> IntrinsicsTruth:
    """The camera's intrinsics as truth."""
    k = camera.intrinsics
    return IntrinsicsTruth(
        width=k.width,
        height=k.height,
        fx=round(k.fx, 4),
        fy=round(k.fy, 4),
        cx=k.cx,
        cy=k.cy,
        hfov_deg=round(k.hfov_deg, 4),
    )


def pose_truth(camera: Camera, origin: GeoOrigin) -> PoseTruth:
    """The camera's pose as truth (WGS-84 through the equirectangular approximation)."""
    p = camera.pose
    lat, lon = origin.to_latlon(p.east, p.north)
    return PoseTruth(
        lat=round(lat, 9),
        lon=round(lon, 9),
        east_m=round(p.east, 4),
        north_m=round(p.north, 4),
        height_m=round(p.height, 4),
        heading_deg=round(p.heading_deg % 360.0, 4),
        pitch_deg=round(p.pitch_deg, 4),
    )
