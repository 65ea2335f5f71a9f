"""MQTT topic builders, topic parsing and the QoS/retain policy of each message kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from contracts.base import DEVICE_ID_PATTERN
from contracts.errors import ContractError
from contracts.ids import ULID_PATTERN
from contracts.messages import EvidenceKind

DEFAULT_PREFIX = "streetwatch/v1"


class MessageKind(str, Enum):
    """The kinds of message, each on its own per-device topic."""

    EVENTS = "events"
    EVIDENCE = "evidence"
    STATUS = "status"
    HEARTBEAT = "heartbeat"
    ACKS = "acks"
    CONFIG = "config"


@dataclass(frozen=True)
class Delivery:
    """How a kind of message is published."""

    qos: int
    retain: bool
    direction: str


DELIVERY: dict[MessageKind, Delivery] = {
    MessageKind.EVENTS: Delivery(qos=1, retain=False, direction="device->server"),
    MessageKind.EVIDENCE: Delivery(qos=1, retain=False, direction="device->server"),
    MessageKind.STATUS: Delivery(qos=1, retain=True, direction="device->server"),
    MessageKind.HEARTBEAT: Delivery(qos=0, retain=False, direction="device->server"),
    MessageKind.ACKS: Delivery(qos=1, retain=False, direction="server->device"),
    MessageKind.CONFIG: Delivery(qos=1, retain=True, direction="server->device"),
}
"""QoS and retain flag per kind: status is the retained last will, config is retained."""

_PREFIX_RE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
_DEVICE_RE = re.compile(DEVICE_ID_PATTERN)
_ULID_RE = re.compile(ULID_PATTERN)
_SHARE_GROUP_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class TopicRef:
    """What a topic names: its kind, device and, for evidence, event id and evidence kind."""

    kind: MessageKind
    device_id: str
    event_id: str | None = None
    evidence_kind: EvidenceKind | None = None


@dataclass(frozen=True)
class Topics:
    """Builds and parses topics under one prefix (``<prefix>/devices/<device>/<kind>``)."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if not _PREFIX_RE.match(self.prefix):
            raise ContractError(
                f"topic prefix {self.prefix!r} is not allowed: use segments of letters, digits, "
                "'_', '.', '-' joined by '/', with no wildcard and no leading or trailing '/'"
            )

    def _device(self, device_id: str) -> str:
        if not _DEVICE_RE.match(device_id):
            raise ContractError(f"device id {device_id!r} is not allowed in a topic")
        return f"{self.prefix}/devices/{device_id}"

    def topic(self, kind: MessageKind, device_id: str) -> str:
        """Return the topic of a non-evidence ``kind`` for ``device_id``."""
        if kind is MessageKind.EVIDENCE:
            raise ContractError("evidence topics need an event id and kind: use evidence()")
        return f"{self._device(device_id)}/{kind.value}"

    def events(self, device_id: str) -> str:
        """Topic of the device's violation events."""
        return self.topic(MessageKind.EVENTS, device_id)

    def evidence(self, device_id: str, event_id: str, kind: EvidenceKind) -> str:
        """Topic of one evidence file of one event."""
        if not _ULID_RE.match(event_id):
            raise ContractError(f"event id {event_id!r} is not a ULID")
        return f"{self._device(device_id)}/evidence/{event_id}/{kind.value}"

    def status(self, device_id: str) -> str:
        """Topic of the device's retained status and last will."""
        return self.topic(MessageKind.STATUS, device_id)

    def heartbeat(self, device_id: str) -> str:
        """Topic of the device's heartbeats."""
        return self.topic(MessageKind.HEARTBEAT, device_id)

    def acks(self, device_id: str) -> str:
        """Topic of the server's commit-acks to the device."""
        return self.topic(MessageKind.ACKS, device_id)

    def config(self, device_id: str) -> str:
        """Topic of the server's retained config push to the device."""
        return self.topic(MessageKind.CONFIG, device_id)

    def subscription(self, kind: MessageKind, device_id: str = "+") -> str:
        """Return a filter for ``kind`` of one device or, by default, of every device."""
        if device_id != "+":
            self._device(device_id)
        suffix = "evidence/+/+" if kind is MessageKind.EVIDENCE else kind.value
        return f"{self.prefix}/devices/{device_id}/{suffix}"

    @staticmethod
    def shared(group: str, topic_filter: str) -> str:
        """Return ``topic_filter`` as an MQTT 5 shared subscription of ``group``."""
        if not _SHARE_GROUP_RE.match(group):
            raise ContractError(f"shared subscription group {group!r} is not allowed")
        return f"$share/{group}/{topic_filter}"

    def parse(self, topic: str) -> TopicRef:
        """Return what ``topic`` names, or raise :class:`ContractError`."""
        head = f"{self.prefix}/devices/"
        if not topic.startswith(head):
            raise ContractError(f"topic {topic!r} is not under {head!r}")
        parts = topic[len(head) :].split("/")
        if not parts or not _DEVICE_RE.match(parts[0]):
            raise ContractError(f"topic {topic!r} has no valid device id")
        device_id, rest = parts[0], parts[1:]
        if len(rest) == 3 and rest[0] == MessageKind.EVIDENCE.value:
            event_id, evidence_kind = rest[1], rest[2]
            if not _ULID_RE.match(event_id):
                raise ContractError(f"topic {topic!r} has no valid event id")
            try:
                return TopicRef(
                    MessageKind.EVIDENCE, device_id, event_id, EvidenceKind(evidence_kind)
                )
            except ValueError:
                raise ContractError(
                    f"topic {topic!r} names unknown evidence kind {evidence_kind!r}"
                ) from None
        if len(rest) == 1 and rest[0] != MessageKind.EVIDENCE.value:
            try:
                return TopicRef(MessageKind(rest[0]), device_id)
            except ValueError:
                pass
        raise ContractError(f"topic {topic!r} is not a streetwatch topic")
