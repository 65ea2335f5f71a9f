"""Topic builders, parsing, the QoS/retain policy and identifiers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from contracts import ContractError, EvidenceKind, MessageKind, Topics, new_ulid, ulid_time
from contracts.topics import DELIVERY

EVENT_ID = "01JV0K7Q2X8M3N4P5R6S7T8V9W"


@pytest.mark.parametrize(
    ("kind", "topic"),
    [
        (MessageKind.EVENTS, "streetwatch/v1/devices/cam-1/events"),
        (MessageKind.STATUS, "streetwatch/v1/devices/cam-1/status"),
        (MessageKind.HEARTBEAT, "streetwatch/v1/devices/cam-1/heartbeat"),
        (MessageKind.ACKS, "streetwatch/v1/devices/cam-1/acks"),
        (MessageKind.CONFIG, "streetwatch/v1/devices/cam-1/config"),
    ],
)
def test_topic_builders_and_parse_agree(kind: MessageKind, topic: str) -> None:
    topics = Topics()
    assert topics.topic(kind, "cam-1") == topic
    ref = topics.parse(topic)
    assert (ref.kind, ref.device_id, ref.event_id) == (kind, "cam-1", None)


def test_evidence_topic_round_trips() -> None:
    topics = Topics("city/sw")
    topic = topics.evidence("bike-07", EVENT_ID, EvidenceKind.CROP)
    assert topic == f"city/sw/devices/bike-07/evidence/{EVENT_ID}/crop"
    ref = topics.parse(topic)
    assert (ref.kind, ref.device_id, ref.event_id, ref.evidence_kind) == (
        MessageKind.EVIDENCE,
        "bike-07",
        EVENT_ID,
        EvidenceKind.CROP,
    )


def test_subscriptions_cover_every_device() -> None:
    topics = Topics()
    assert topics.subscription(MessageKind.EVENTS) == "streetwatch/v1/devices/+/events"
    assert topics.subscription(MessageKind.EVIDENCE) == "streetwatch/v1/devices/+/evidence/+/+"
    assert topics.subscription(MessageKind.ACKS, "cam-1") == "streetwatch/v1/devices/cam-1/acks"
    assert Topics.shared("srv", "a/b") == "$share/srv/a/b"


@pytest.mark.parametrize(
    "topic",
    [
        "other/v1/devices/cam-1/events",
        "streetwatch/v1/devices/cam-1/unknown",
        "streetwatch/v1/devices/cam-1/evidence",
        "streetwatch/v1/devices/cam-1/evidence/not-ulid/frame",
        f"streetwatch/v1/devices/cam-1/evidence/{EVENT_ID}/video",
        "streetwatch/v1/devices/cam 1/events",
        "streetwatch/v1/devices/cam-1/events/extra",
    ],
)
def test_foreign_topics_are_refused(topic: str) -> None:
    with pytest.raises(ContractError):
        Topics().parse(topic)


@pytest.mark.parametrize("prefix", ["", "/a", "a/", "a/+/b", "a/#", "$SYS", "a//b"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ContractError, match="prefix"):
        Topics(prefix)


@pytest.mark.parametrize("device", ["", "a/b", "a+", "#", "x" * 65])
def test_bad_device_ids_are_refused(device: str) -> None:
    with pytest.raises(ContractError, match="device id"):
        Topics().events(device)


def test_delivery_policy() -> None:
    assert all(DELIVERY[k].qos == 1 for k in MessageKind if k is not MessageKind.HEARTBEAT)
    retained = {k for k, d in DELIVERY.items() if d.retain}
    assert retained == {MessageKind.STATUS, MessageKind.CONFIG}


def test_ulids_are_time_ordered() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    ids = [new_ulid(start + timedelta(milliseconds=i)) for i in range(50)]
    assert ids == sorted(ids)
    assert ulid_time(ids[7]) == start + timedelta(milliseconds=7)
    assert len({new_ulid() for _ in range(1000)}) == 1000
