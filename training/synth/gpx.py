"""GPX 1.1 track of a moving camera (what a patrol bike's GPS logger would have recorded)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

GPX_NS = "http://www.topografix.com/GPX/1/1"


@dataclass(frozen=True)
class TrackPoint:
    """One GPS fix.

    Attributes:
        lat: WGS-84 latitude, degrees.
        lon: WGS-84 longitude, degrees.
        ele: elevation, metres.
        time_ms: milliseconds after the clip start.
    """

    lat: float
    lon: float
    ele: float
    time_ms: int


def _iso(start: datetime, time_ms: int) -> str:
    t = (start + timedelta(milliseconds=time_ms)).astimezone(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def gpx_document(points: Sequence[TrackPoint], start: datetime, name: str) -> ET.ElementTree:
    """A GPX 1.1 document with one track of one segment."""
    ET.register_namespace("", GPX_NS)
    root = ET.Element(f"{{{GPX_NS}}}gpx", {"version": "1.1", "creator": "streetwatch synth"})
    meta = ET.SubElement(root, f"{{{GPX_NS}}}metadata")
    ET.SubElement(meta, f"{{{GPX_NS}}}name").text = name
    ET.SubElement(meta, f"{{{GPX_NS}}}time").text = _iso(start, 0)
    trk = ET.SubElement(root, f"{{{GPX_NS}}}trk")
    ET.SubElement(trk, f"{{{GPX_NS}}}name").text = name
    seg = ET.SubElement(trk, f"{{{GPX_NS}}}trkseg")
    for p in points:
        pt = ET.SubElement(
            seg, f"{{{GPX_NS}}}trkpt", {"lat": f"{p.lat:.8f}", "lon": f"{p.lon:.8f}"}
        )
        ET.SubElement(pt, f"{{{GPX_NS}}}ele").text = f"{p.ele:.2f}"
        ET.SubElement(pt, f"{{{GPX_NS}}}time").text = _iso(start, p.time_ms)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_gpx(points: Sequence[TrackPoint], start: datetime, name: str, path: Path) -> None:
    """Write the track to ``path``."""
    gpx_document(points, start, name).write(path, encoding="utf-8", xml_declaration=True)
