"""Evidence images: the best frame as JPEG and a crop of the box, with their SHA-256.

The frame is scaled down to ``evidence.max_width`` if wider, the crop (box plus
``crop_padding`` on each side) to ``crop_max_width``; both are encoded at ``jpeg_quality``.
Both are clean: nothing is drawn on them. An annotated copy (box, label, time, place, device)
is a separate display image, written only to ``annotated_dir`` when that is set and never sent
or listed as evidence.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from contracts.messages import EvidenceItem, EvidenceKind
from edge.config import EvidenceSettings
from edge.frames import Image
from edge.images import resize
from edge.violations import Violation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvidenceFile:
    """One encoded evidence image and the item that lists it in the event."""

    item: EvidenceItem
    data: bytes


def encode_jpeg(image: Image, quality: int) -> bytes:
    """Return ``image`` as JPEG bytes."""
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("OpenCV could not encode the evidence JPEG")
    return bytes(encoded.tobytes())


def _fit_width(image: Image, max_width: int) -> Image:
    height, width = image.shape[:2]
    if width <= max_width:
        return image
    return resize(image, max_width, max(1, round(height * max_width / width)))


def crop_box(image: Image, box: tuple[float, float, float, float], padding: float) -> Image:
    """Return the part of ``image`` inside ``box`` widened by ``padding`` of its size."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = box
    pad_x, pad_y = (x2 - x1) * padding, (y2 - y1) * padding
    left, top = max(0, int(x1 - pad_x)), max(0, int(y1 - pad_y))
    right = min(width, max(left + 1, int(np.ceil(x2 + pad_x))))
    bottom = min(height, max(top + 1, int(np.ceil(y2 + pad_y))))
    return np.ascontiguousarray(image[top:bottom, left:right])


def _file(kind: EvidenceKind, image: Image, quality: int) -> EvidenceFile:
    data = encode_jpeg(image, quality)
    item = EvidenceItem(
        kind=kind,
        sha256=hashlib.sha256(data).hexdigest(),
        content_type="image/jpeg",
        bytes=len(data),
        width=int(image.shape[1]),
        height=int(image.shape[0]),
    )
    return EvidenceFile(item, data)


class EvidenceMaker:
    """Cuts and encodes the evidence of a sighting.

    Args:
        settings: sizes, padding, JPEG quality and the annotated-copy folder.
        device_id: written on annotated copies.
    """

    def __init__(self, settings: EvidenceSettings, device_id: str) -> None:
        self._settings = settings
        self._device_id = device_id

    def make(self, violation: Violation) -> tuple[EvidenceFile, ...]:
        """Return the frame and crop evidence of ``violation``."""
        image = violation.frame.image
        quality = self._settings.jpeg_quality
        crop = crop_box(image, violation.box, self._settings.crop_padding)
        return (
            _file(EvidenceKind.FRAME, _fit_width(image, self._settings.max_width), quality),
            _file(EvidenceKind.CROP, _fit_width(crop, self._settings.crop_max_width), quality),
        )

    def annotate(self, violation: Violation, event_id: str) -> Path | None:
        """Write the annotated display copy of ``violation`` if a folder is configured."""
        folder = self._settings.annotated_dir
        if folder is None:
            return None
        copy = annotated(violation, self._device_id)
        path = folder / f"{event_id}.jpg"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(encode_jpeg(_fit_width(copy, self._settings.max_width), 85))
        except OSError as exc:
            log.warning("annotated copy %s not written: %s", path, exc.strerror or exc)
            return None
        return path


def annotated(violation: Violation, device_id: str) -> Image:
    """Return a copy of the frame with the box, label, time, place and device drawn on it."""
    image = violation.frame.image.copy()
    x1, y1, x2, y2 = (round(v) for v in violation.box)
    thickness = max(2, image.shape[1] // 400)
    cv2.rectangle(image, (x1, y1), (x2, y2), (0, 0, 255), thickness)
    place = violation.location
    where = f"{place.lat:.6f},{place.lon:.6f}" if place and place.lat is not None else "?"
    lines = [
        f"{violation.label} {violation.confidence:.2f}",
        f"{violation.seen_at:%Y-%m-%d %H:%M:%S} UTC  {where}  {device_id}",
    ]
    scale = max(0.5, image.shape[1] / 1600)
    for n, text in enumerate(lines):
        origin = (10, int(30 * scale * (n + 1)))
        cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 4)
        cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1)
    return np.asarray(image, np.uint8)
