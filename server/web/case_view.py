"""What the case page shows, computed from the case detail and the events' sightings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from server.services.devices import DeviceView
from server.services.review_reads import Sighting
from server.services.views import CaseDetail, EventView, EvidenceView
from server.web.charts import Point, point_map


@dataclass(frozen=True)
class EvidenceImage:
    """An evidence image the page can load, with the box to draw over it (percent)."""

    url: str
    width: int
    height: int
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One event on the case's timeline."""

    event: EventView
    sighting: Sighting | None
    frame: EvidenceImage | None
    crop: EvidenceImage | None
    device_name: str


@dataclass(frozen=True)
class CaseView:
    """The case page's model: the best evidence, the timeline, map and identities."""

    lead: TimelineEntry | None
    timeline: list[TimelineEntry]
    map_svg: Markup
    points: list[tuple[float, float, str]]
    devices: list[DeviceView] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    mismatched: list[EvidenceView] = field(default_factory=list)


def ui_url(item: EvidenceView) -> str | None:
    """Return the UI's download path of a stored evidence item (session-authenticated)."""
    if item.url is None:
        return None
    return "/ui/evidence/" + item.url.rsplit("/", 1)[-1]


def evidence_image(
    event: EventView, kind: str, sighting: Sighting | None, boxed: bool
) -> EvidenceImage | None:
    """Return an event's stored image of ``kind``, with the sighting's box when ``boxed``."""
    item = next((e for e in event.evidence if e.kind == kind and e.url), None)
    if item is None:
        return None
    url = ui_url(item)
    assert url is not None
    box = sighting.box_percent() if (boxed and sighting is not None) else None
    return EvidenceImage(url, item.width, item.height, box)


def build_case_view(
    detail: CaseDetail, sightings: dict[str, Sighting], devices: Sequence[DeviceView]
) -> CaseView:
    """Return the case page's model."""
    names = {device.device_id: device.name or device.device_id for device in devices}
    timeline = [
        TimelineEntry(
            event=event,
            sighting=sightings.get(event.event_id),
            frame=evidence_image(event, "frame", sightings.get(event.event_id), boxed=True),
            crop=evidence_image(event, "crop", None, boxed=False),
            device_name=names.get(event.device_id, event.device_id),
        )
        for event in sorted(detail.events, key=lambda e: (e.first_seen, e.event_id))
    ]
    with_frame = [entry for entry in timeline if entry.frame is not None]
    lead = max(with_frame, key=lambda e: e.event.confidence, default=None) or (
        timeline[-1] if timeline else None
    )
    case = detail.case
    plotted = [Point(case.lat, case.lon, "case", f"#{case.id}")] + [
        Point(e.event.lat, e.event.lon, "event", f"{e.device_name} {e.event.confidence:.2f}")
        for e in timeline
        if e.event.lat is not None and e.event.lon is not None
    ]
    seen_devices = {entry.event.device_id for entry in timeline}
    models = sorted(
        {
            f"{e.sighting.model_name} {e.sighting.model_version} ({e.sighting.model_sha256[:12]})"
            for e in timeline
            if e.sighting is not None
        }
    )
    return CaseView(
        lead=lead,
        timeline=timeline,
        map_svg=point_map(plotted),
        points=[(p.lat, p.lon, p.kind) for p in plotted],
        devices=[device for device in devices if device.device_id in seen_devices],
        models=models,
        mismatched=[
            item for entry in timeline for item in entry.event.evidence if item.state == "mismatch"
        ],
    )
