"""Payload models of every JSON message on the wire (schema version 1)."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field, model_validator

from contracts.base import DeviceId, Frozen, Label, Score, Sha256, Ulid, UtcMs
from contracts.tuning import TunableOverlay

SCHEMA_VERSION: Literal[1] = 1
"""The schema version this build speaks; a message with another version is refused."""

SchemaVersion = Literal[1]


class EventType(str, Enum):
    """Lifecycle step of a violation, or a below-threshold sample for tuning."""

    NEW = "new"
    UPDATE = "update"
    END = "end"
    SAMPLE = "sample"


class FixMode(str, Enum):
    """Quality of a position: none (no fix, no position), 2d, 3d, or static (configured)."""

    NONE = "none"
    FIX_2D = "2d"
    FIX_3D = "3d"
    STATIC = "static"


class LocationSource(str, Enum):
    """Where a position came from."""

    STATIC = "static"
    GPSD = "gpsd"
    NMEA = "nmea"
    GPX = "gpx"
    ESTIMATED = "estimated"


class Location(Frozen):
    """A WGS-84 position with its quality; with ``fix: none`` there is no position at all."""

    lat: float | None = Field(None, ge=-90.0, le=90.0, description="WGS-84 latitude, degrees.")
    lon: float | None = Field(None, ge=-180.0, le=180.0, description="WGS-84 longitude, degrees.")
    accuracy_m: float | None = Field(None, ge=0.0, description="Horizontal accuracy, metres.")
    fix: FixMode = Field(description="Fix mode.")
    fix_age_s: float | None = Field(None, ge=0.0, description="Age of the fix at frame time.")
    stale: bool = Field(False, description="True when the fix is older than the allowed age.")
    heading_deg: float | None = Field(None, ge=0.0, lt=360.0, description="Course over ground.")
    speed_mps: float | None = Field(None, ge=0.0, description="Speed over ground, m/s.")
    source: LocationSource = Field(description="Where the position came from.")

    @model_validator(mode="after")
    def _position_matches_fix(self) -> Location:
        has_position = self.lat is not None and self.lon is not None
        if self.fix is FixMode.NONE and (self.lat is not None or self.lon is not None):
            raise ValueError("a location with fix 'none' must not carry lat/lon")
        if self.fix is not FixMode.NONE and not has_position:
            raise ValueError(f"a location with fix {self.fix.value!r} needs both lat and lon")
        return self


class Box(Frozen):
    """A box in frame pixels: top-left (x1, y1), bottom-right (x2, y2)."""

    x1: float = Field(ge=0.0)
    y1: float = Field(ge=0.0)
    x2: float = Field(ge=0.0)
    y2: float = Field(ge=0.0)

    @model_validator(mode="after")
    def _positive_size(self) -> Box:
        if self.x2 <= self.x1 or self.y2 <= self.y1:
            raise ValueError("box needs x2 > x1 and y2 > y1")
        return self


class CameraView(Frozen):
    """Which camera saw the violation, the frame size and where in the frame."""

    source_id: str = Field(min_length=1, max_length=128, description="Camera name on the device.")
    frame_width: int = Field(gt=0)
    frame_height: int = Field(gt=0)
    box: Box = Field(description="Best box of the violation, in frame pixels.")
    zone: str | None = Field(None, max_length=64, description="Image zone that admitted it.")

    @model_validator(mode="after")
    def _box_inside_frame(self) -> CameraView:
        if self.box.x2 > self.frame_width or self.box.y2 > self.frame_height:
            raise ValueError("box extends past the frame")
        return self


class ModelIdentity(Frozen):
    """The detector that produced the detection."""

    name: str = Field(min_length=1, max_length=128)
    version: str = Field(min_length=1, max_length=64)
    sha256: Sha256


class EvidenceKind(str, Enum):
    """Kinds of evidence; each kind appears at most once per event."""

    FRAME = "frame"
    CROP = "crop"


class EvidenceItem(Frozen):
    """One evidence file, sent on its own topic as raw bytes and checked by its hash."""

    kind: EvidenceKind
    sha256: Sha256
    content_type: Literal["image/jpeg", "image/png"] = "image/jpeg"
    bytes: int = Field(gt=0, le=16 * 1024 * 1024, description="Size of the file in bytes.")
    width: int = Field(gt=0, description="Image width, pixels.")
    height: int = Field(gt=0, description="Image height, pixels.")


class ViolationEvent(Frozen):
    """One message about one physical violation (or a below-threshold sample).

    ``event_id`` identifies this message and is the idempotency key; ``violation_id`` is
    shared by every message of the violation's lifecycle; ``seq`` grows by one per event
    message of the device.
    """

    schema_version: SchemaVersion = SCHEMA_VERSION
    event_id: Ulid
    violation_id: Ulid
    device_id: DeviceId
    seq: int = Field(ge=0, description="Per-device event message counter, +1 per message.")
    type: EventType
    label: Label
    taxonomy_code: str = Field(pattern=r"^[0-9A-Za-z._-]{1,32}$", description="City code.")
    confidence: Score = Field(description="Track-level confirmation score (median).")
    threshold: Score = Field(description="Confirmation threshold in force on the device.")
    config_version: int = Field(ge=0, description="Config push version in force (0: local).")
    first_seen: UtcMs
    last_seen: UtcMs
    created_at: UtcMs = Field(description="When the device created this message.")
    location: Location = Field(description="Where the violation is.")
    observer: Location | None = Field(None, description="Where the camera was (moving cameras).")
    camera: CameraView
    track_id: int | None = Field(None, ge=0)
    model: ModelIdentity
    evidence: list[EvidenceItem] = Field(default_factory=list, max_length=4)
    evidence_dropped: list[EvidenceKind] = Field(
        default_factory=list, description="Evidence kinds dropped on the device to save disk."
    )

    @model_validator(mode="after")
    def _seen_in_order(self) -> ViolationEvent:
        if self.last_seen < self.first_seen:
            raise ValueError("last_seen is before first_seen")
        return self

    @model_validator(mode="after")
    def _evidence_kinds_unique(self) -> ViolationEvent:
        kinds = [item.kind for item in self.evidence]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each evidence kind may appear only once per event")
        return self

    def evidence_item(self, kind: EvidenceKind) -> EvidenceItem | None:
        """Return the listed evidence item of ``kind``, if any."""
        return next((item for item in self.evidence if item.kind is kind), None)


class StageTiming(Frozen):
    """Timing of one pipeline stage over the heartbeat interval."""

    count: int = Field(ge=0)
    mean_ms: float = Field(ge=0.0)
    p95_ms: float = Field(ge=0.0)


class FrameCounters(Frozen):
    """Frame counters since the device started."""

    decoded: int = Field(ge=0)
    processed: int = Field(ge=0)
    dropped: int = Field(ge=0, description="Frames dropped by a full queue (live sources).")


class OutboxState(Frozen):
    """Messages waiting on the device for the server's commit-ack."""

    depth: int = Field(ge=0, description="Events not yet acknowledged.")
    bytes: int = Field(ge=0, description="Disk used by the outbox.")
    oldest_age_s: float | None = Field(None, ge=0.0)


class GpsState(Frozen):
    """The device's current GNSS state."""

    fix: FixMode
    source: LocationSource
    satellites: int | None = Field(None, ge=0)
    accuracy_m: float | None = Field(None, ge=0.0)
    fix_age_s: float | None = Field(None, ge=0.0)


class DeliveryProblems(Frozen):
    """Delivery problems since the device started; none of them counts as delivered."""

    refused_connects: int = Field(0, ge=0, description="Connections the broker refused.")
    rejected_publishes: int = Field(0, ge=0, description="Publishes answered with an error.")
    last_error: str | None = Field(None, max_length=300, description="The latest problem.")


class Reconnects(Frozen):
    """Reconnect counters since the device started."""

    broker: int = Field(0, ge=0)
    source: int = Field(0, ge=0)


class Heartbeat(Frozen):
    """Periodic device health report."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    device_id: DeviceId
    sent_at: UtcMs
    uptime_s: float = Field(ge=0.0)
    software_version: str = Field(min_length=1, max_length=64)
    config_version: int = Field(ge=0, description="Config push version in force (0: local).")
    last_seq: int | None = Field(None, ge=0, description="Last event seq issued by the device.")
    stages: dict[str, StageTiming] = Field(default_factory=dict)
    frames: FrameCounters
    outbox: OutboxState
    gps: GpsState | None = None
    clock_skew_ms: float | None = Field(None, description="Device clock minus GPS time.")
    reconnects: Reconnects = Field(default_factory=Reconnects)
    delivery: DeliveryProblems = Field(default_factory=DeliveryProblems)


class DeviceState(str, Enum):
    """Connection state of a device."""

    ONLINE = "online"
    OFFLINE = "offline"


class Status(Frozen):
    """Retained device status; the broker publishes the offline form as the last will."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    device_id: DeviceId
    state: DeviceState
    since: UtcMs = Field(description="When the device connected.")
    software_version: str = Field(min_length=1, max_length=64)


class Rejection(Frozen):
    """An event the server will never accept, kept in its dead-letter table."""

    event_id: Ulid
    reason: str = Field(min_length=1, max_length=500)


class Ack(Frozen):
    """Server to device: events whose event row and every listed evidence item are committed.

    ``rejected`` names events the server dead-lettered for good; the device may drop them too.
    """

    schema_version: SchemaVersion = SCHEMA_VERSION
    device_id: DeviceId
    committed: list[Ulid] = Field(default_factory=list, max_length=1000)
    rejected: list[Rejection] = Field(default_factory=list, max_length=1000)
    sent_at: UtcMs


class ConfigPush(Frozen):
    """Server to device (retained): a versioned overlay of the tunable fields.

    It takes precedence over the same fields of the device's local file until a push with a
    higher version replaces it; an empty overlay returns the device to its local file.
    """

    schema_version: SchemaVersion = SCHEMA_VERSION
    device_id: DeviceId
    version: int = Field(ge=1, description="Grows with each push to this device.")
    issued_at: UtcMs
    issued_by: str = Field(min_length=1, max_length=128)
    note: str = Field("", max_length=1000)
    overlay: TunableOverlay = Field(default_factory=TunableOverlay)
