"""Export decided evidence as a labelled YOLO dataset for retraining.

Every event of a decided case whose clean frame was stored and verified becomes one image:
events of confirmed cases (filed, dispatched, handled, closed) get a label line with their
class and box; events of cases rejected as false positives get an empty label file (a
background image, the YOLO way of teaching "nothing here"). Layout::

    OUT/images/EVENT_ID.jpg   OUT/labels/EVENT_ID.txt   OUT/data.yaml   OUT/manifest.csv

Class indices follow the sorted detector labels of the taxonomy.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.services.context import ServerContext
from server.services.tuning import verdict_of
from server.store.tables import CaseRow, EventEvidenceRow, EventRow

FRAME, VERIFIED = "frame", "verified"


@dataclass(frozen=True)
class ExportSummary:
    """What was written: positive and background images, and frames that were missing."""

    positives: int
    negatives: int
    missing: int


@dataclass(frozen=True)
class _Item:
    event_id: str
    label: str
    positive: bool
    sha256: str
    payload: str


def yolo_line(index: int, payload: str) -> str:
    """Return ``index cx cy w h`` (normalised to the camera frame) of an event's box."""
    camera = json.loads(payload)["camera"]
    width, height = float(camera["frame_width"]), float(camera["frame_height"])
    box = camera["box"]
    cx = (box["x1"] + box["x2"]) / 2 / width
    cy = (box["y1"] + box["y2"]) / 2 / height
    w, h = (box["x2"] - box["x1"]) / width, (box["y2"] - box["y1"]) / height
    return f"{index} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}\n"


def export_dataset(ctx: ServerContext, out: Path) -> ExportSummary:
    """Write the dataset of ``ctx``'s decided cases under ``out`` (created if needed)."""
    names = sorted(ctx.taxonomy.labels)
    index = {name: i for i, name in enumerate(names)}
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(parents=True, exist_ok=True)
    positives = negatives = missing = 0
    with (out / "manifest.csv").open("w", newline="", encoding="utf-8") as manifest:
        writer = csv.writer(manifest)
        writer.writerow(["event_id", "label", "verdict", "sha256"])
        for item in ctx.database.run(_items):
            data = ctx.evidence.read(item.sha256)
            if data is None or (item.positive and item.label not in index):
                missing += 1
                continue
            (out / "images" / f"{item.event_id}.jpg").write_bytes(data)
            text = yolo_line(index[item.label], item.payload) if item.positive else ""
            (out / "labels" / f"{item.event_id}.txt").write_text(text, encoding="utf-8")
            writer.writerow(
                [item.event_id, item.label, "true" if item.positive else "false", item.sha256]
            )
            positives += item.positive
            negatives += not item.positive
    listing = "\n".join(f"  {i}: {name}" for i, name in enumerate(names))
    (out / "data.yaml").write_text(
        f"path: {out.resolve()}\ntrain: images\nval: images\nnames:\n{listing}\n",
        encoding="utf-8",
    )
    return ExportSummary(positives, negatives, missing)


def _items(session: Session) -> list[_Item]:
    query = (
        select(
            CaseRow.status,
            CaseRow.reject_reason,
            EventRow.event_id,
            EventRow.label,
            EventRow.payload,
            EventEvidenceRow.sha256,
        )
        .join(EventRow, EventRow.case_id == CaseRow.id)
        .join(EventEvidenceRow, EventEvidenceRow.event_id == EventRow.event_id)
        .where(EventEvidenceRow.kind == FRAME, EventEvidenceRow.state == VERIFIED)
        .order_by(EventRow.event_id)
    )
    items = []
    for status, reason, event_id, label, payload, sha256 in session.execute(query):
        verdict = verdict_of(status, reason)
        if verdict is not None:
            items.append(_Item(event_id, label, verdict, sha256, payload))
    return items
