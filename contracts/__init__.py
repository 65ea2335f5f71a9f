"""The wire contract between edge nodes and the central case-creator.

Nothing outside this package builds a topic string or defines a payload shape.
"""

from contracts.codec import decode, encode, verify_evidence
from contracts.errors import ContractError
from contracts.ids import new_ulid, ulid_time
from contracts.messages import (
    SCHEMA_VERSION,
    Ack,
    Box,
    CameraView,
    ConfigPush,
    DeviceState,
    EventType,
    EvidenceItem,
    EvidenceKind,
    FixMode,
    Heartbeat,
    Location,
    LocationSource,
    ModelIdentity,
    Rejection,
    Status,
    ViolationEvent,
)
from contracts.topics import DEFAULT_PREFIX, Delivery, MessageKind, TopicRef, Topics
from contracts.tuning import (
    ClassOverlay,
    ClassThresholds,
    Permit,
    Schedule,
    TimeWindow,
    TunableOverlay,
    Tunables,
    Zone,
)

__all__ = [
    "DEFAULT_PREFIX",
    "SCHEMA_VERSION",
    "Ack",
    "Box",
    "CameraView",
    "ClassOverlay",
    "ClassThresholds",
    "ConfigPush",
    "ContractError",
    "Delivery",
    "DeviceState",
    "EventType",
    "EvidenceItem",
    "EvidenceKind",
    "FixMode",
    "Heartbeat",
    "Location",
    "LocationSource",
    "MessageKind",
    "ModelIdentity",
    "Permit",
    "Rejection",
    "Schedule",
    "Status",
    "TimeWindow",
    "TopicRef",
    "Topics",
    "TunableOverlay",
    "Tunables",
    "ViolationEvent",
    "Zone",
    "decode",
    "encode",
    "new_ulid",
    "ulid_time",
    "verify_evidence",
]
