"""Writes the wire payload (:class:`~contracts.messages.ViolationEvent`) of a decision."""

from __future__ import annotations

from datetime import datetime

from contracts.messages import CameraView, EvidenceKind, ModelIdentity, ViolationEvent
from edge.config import TaxonomyEntry
from edge.events.decisions import Decision
from edge.evidence import EvidenceFile


class EventFactory:
    """Builds events of one device.

    Args:
        device_id: the device.
        taxonomy: the city code of each class (a hint; the server's taxonomy decides).
        model: the detector's identity.
    """

    def __init__(
        self, device_id: str, taxonomy: dict[str, TaxonomyEntry], model: ModelIdentity
    ) -> None:
        self._device_id = device_id
        self._taxonomy = dict(taxonomy)
        self._model = model

    def build(
        self,
        decision: Decision,
        evidence: tuple[EvidenceFile, ...],
        *,
        event_id: str,
        seq: int,
        created_at: datetime,
        config_version: int,
        dropped: tuple[EvidenceKind, ...] = (),
    ) -> ViolationEvent:
        """Return the event of ``decision`` listing ``evidence`` (minus ``dropped`` kinds)."""
        sighting = decision.sighting
        return ViolationEvent(
            event_id=event_id,
            violation_id=decision.violation_id,
            device_id=self._device_id,
            seq=seq,
            type=decision.type,
            label=sighting.label,
            taxonomy_code=self._taxonomy[sighting.label].code,
            confidence=min(1.0, max(0.0, sighting.confidence)),
            threshold=sighting.threshold,
            config_version=config_version,
            first_seen=decision.first_seen,
            last_seen=decision.last_seen,
            created_at=created_at,
            location=sighting.location,
            observer=sighting.observer,
            camera=CameraView(
                source_id=sighting.source_id,
                frame_width=sighting.frame_width,
                frame_height=sighting.frame_height,
                box=sighting.box,
                zone=sighting.zone,
            ),
            track_id=sighting.track_id,
            model=self._model,
            evidence=[f.item for f in evidence if f.item.kind not in dropped],
            evidence_dropped=list(dropped),
        )
