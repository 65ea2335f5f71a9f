"""Every contract message kind through a real broker: Mosquitto and the embedded amqtt broker.

Each message is published at the QoS and retain flag of ``contracts.DELIVERY``, received by a
subscriber at the same QoS, decoded with ``contracts.decode`` and compared with what was sent.
"""

from __future__ import annotations

import queue

import pytest
from support.brokers import BrokerEndpoint
from support.messages import (
    example_ack,
    example_config_push,
    example_device_id,
    example_event,
    example_event_with_evidence,
    example_heartbeat,
    example_status,
)
from support.mosquitto import MosquittoServer
from support.mqtt_client import ClientPool, MqttClient, MQTTv5, Received, Will, unique_client_id

from contracts import (
    DeviceState,
    EvidenceKind,
    MessageKind,
    Topics,
    ViolationEvent,
    decode,
    encode,
    verify_evidence,
)
from contracts.topics import DELIVERY

pytestmark = pytest.mark.integration

TOPICS = Topics()


def _qos(kind: MessageKind) -> int:
    return DELIVERY[kind].qos


def _publish_events(device: MqttClient, events: list[ViolationEvent]) -> None:
    for event in events:
        device.publish_kind(MessageKind.EVENTS, TOPICS.events(event.device_id), encode(event))


def _decoded_events(received: list[Received]) -> list[ViolationEvent]:
    return [decode(MessageKind.EVENTS, m.payload, ViolationEvent) for m in received]


# -- every kind, both brokers ----------------------------------------------------------------


def test_event_and_evidence_round_trip(broker: BrokerEndpoint, mqtt_client: ClientPool) -> None:
    device_id = example_device_id()
    event, images = example_event_with_evidence(device_id)
    server = mqtt_client(broker)
    server.subscribe(TOPICS.subscription(MessageKind.EVENTS), _qos(MessageKind.EVENTS))
    server.subscribe(TOPICS.subscription(MessageKind.EVIDENCE), _qos(MessageKind.EVIDENCE))
    device = mqtt_client(broker)

    device.publish_kind(MessageKind.EVENTS, TOPICS.events(device_id), encode(event))
    for kind, data in images.items():
        topic = TOPICS.evidence(device_id, event.event_id, kind)
        device.publish_kind(MessageKind.EVIDENCE, topic, data)

    received = server.wait_messages(1 + len(images))
    parsed = [(TOPICS.parse(m.topic), m) for m in received]
    [event_message] = [m for ref, m in parsed if ref.kind is MessageKind.EVENTS]
    assert decode(MessageKind.EVENTS, event_message.payload) == event
    assert event_message.qos == _qos(MessageKind.EVENTS)
    seen_kinds: set[EvidenceKind] = set()
    for ref, message in parsed:
        if ref.kind is not MessageKind.EVIDENCE:
            continue
        assert ref.event_id == event.event_id and ref.evidence_kind is not None
        item = event.evidence_item(ref.evidence_kind)
        assert item is not None
        verify_evidence(item, message.payload)  # size and sha256 as listed in the event
        assert message.qos == _qos(MessageKind.EVIDENCE)
        seen_kinds.add(ref.evidence_kind)
    assert seen_kinds == set(images)


def test_heartbeat_round_trip(broker: BrokerEndpoint, mqtt_client: ClientPool) -> None:
    device_id = example_device_id()
    heartbeat = example_heartbeat(device_id)
    server = mqtt_client(broker)
    server.subscribe(TOPICS.subscription(MessageKind.HEARTBEAT), _qos(MessageKind.HEARTBEAT))

    mqtt_client(broker).publish_kind(
        MessageKind.HEARTBEAT, TOPICS.heartbeat(device_id), encode(heartbeat)
    )

    message = server.wait_message()
    assert message.topic == TOPICS.heartbeat(device_id)
    assert message.qos == _qos(MessageKind.HEARTBEAT) == 0
    assert decode(MessageKind.HEARTBEAT, message.payload) == heartbeat


def test_ack_round_trip(broker: BrokerEndpoint, mqtt_client: ClientPool) -> None:
    device_id = example_device_id()
    ack = example_ack(device_id)
    device = mqtt_client(broker)
    device.subscribe(TOPICS.acks(device_id), _qos(MessageKind.ACKS))

    mqtt_client(broker).publish_kind(MessageKind.ACKS, TOPICS.acks(device_id), encode(ack))

    message = device.wait_message()
    assert message.qos == _qos(MessageKind.ACKS) == 1
    assert decode(MessageKind.ACKS, message.payload) == ack


def test_config_push_is_retained_for_a_late_subscriber(
    broker: BrokerEndpoint, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    push = example_config_push(device_id, version=3)
    assert DELIVERY[MessageKind.CONFIG].retain
    mqtt_client(broker).publish_kind(MessageKind.CONFIG, TOPICS.config(device_id), encode(push))

    device = mqtt_client(broker)  # connects only after the push
    device.subscribe(TOPICS.config(device_id), _qos(MessageKind.CONFIG))

    message = device.wait_message()
    assert message.retain
    assert message.qos == _qos(MessageKind.CONFIG)
    assert decode(MessageKind.CONFIG, message.payload) == push
    device.assert_no_message(within_s=0.2)


def test_status_is_retained_and_the_last_will_reports_offline(
    broker: BrokerEndpoint, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    online = example_status(device_id, DeviceState.ONLINE)
    offline = example_status(device_id, DeviceState.OFFLINE)
    status = DELIVERY[MessageKind.STATUS]
    will = Will(TOPICS.status(device_id), encode(offline), status.qos, status.retain)
    device = mqtt_client(broker, will=will)
    device.publish_kind(MessageKind.STATUS, TOPICS.status(device_id), encode(online))

    watcher = mqtt_client(broker)  # late: sees the retained online status
    # Its own device only: other tests' devices leave retained statuses on the shared broker.
    watcher.subscribe(TOPICS.subscription(MessageKind.STATUS, device_id), status.qos)
    retained = watcher.wait_message()
    assert retained.retain and decode(MessageKind.STATUS, retained.payload) == online

    device.kill()  # no DISCONNECT: the broker publishes the will

    will_message = watcher.wait_message()
    assert will_message.topic == TOPICS.status(device_id)
    assert will_message.qos == status.qos
    assert decode(MessageKind.STATUS, will_message.payload) == offline
    late = mqtt_client(broker)  # the will replaced the retained status
    late.subscribe(TOPICS.status(device_id), status.qos)
    assert decode(MessageKind.STATUS, late.wait_message().payload) == offline


def test_retained_messages_reach_only_matching_subscriptions(
    broker: BrokerEndpoint, mqtt_client: ClientPool
) -> None:
    """Pins the embedded broker's fix: amqtt sent every client all retained messages."""
    other = example_device_id()
    mqtt_client(broker).publish_kind(
        MessageKind.CONFIG, TOPICS.config(other), encode(example_config_push(other))
    )
    watcher = mqtt_client(broker)  # its filter matches the retained config
    watcher.subscribe(TOPICS.config(other), 1)
    assert watcher.wait_message().topic == TOPICS.config(other)

    device_id = example_device_id()
    device = mqtt_client(broker)
    device.subscribe(TOPICS.acks(device_id), 1)

    device.assert_no_message(within_s=0.3)


# -- persistent sessions ---------------------------------------------------------------------


def test_persistent_session_receives_what_was_published_while_away(
    broker: BrokerEndpoint, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    server_id = unique_client_id("ingest")
    first = mqtt_client(broker, server_id, clean_session=False)
    first.subscribe(TOPICS.subscription(MessageKind.EVENTS), 1)
    first.disconnect()
    events = [example_event(device_id, seq=seq) for seq in range(1, 4)]

    _publish_events(mqtt_client(broker), events)
    again = mqtt_client(broker, server_id, clean_session=False)

    assert again.session_present is True
    received = again.wait_messages(len(events))
    assert _decoded_events(received) == events
    assert all(m.qos == 1 and not m.retain for m in received)


def test_mqtt5_session_expiry_keeps_queued_messages(
    mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    server_id = unique_client_id("ingest5")
    options = {"clean_session": False, "protocol": MQTTv5, "session_expiry_s": 60}
    first = mqtt_client(mosquitto, server_id, **options)
    first.subscribe(TOPICS.subscription(MessageKind.EVENTS), 1)
    first.disconnect()
    events = [example_event(device_id, seq=seq) for seq in range(1, 3)]

    _publish_events(mqtt_client(mosquitto), events)
    again = mqtt_client(mosquitto, server_id, **options)

    assert again.session_present is True
    assert _decoded_events(again.wait_messages(len(events))) == events


def test_persistent_session_and_retained_config_survive_a_mosquitto_restart(
    mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    device_id = example_device_id()
    server_id = unique_client_id("ingest")
    first = mqtt_client(mosquitto, server_id, clean_session=False)
    first.subscribe(TOPICS.subscription(MessageKind.EVENTS), 1)
    first.disconnect()
    events = [example_event(device_id, seq=seq) for seq in range(1, 4)]
    publisher = mqtt_client(mosquitto)
    _publish_events(publisher, events)
    push = example_config_push(device_id)
    publisher.publish_kind(MessageKind.CONFIG, TOPICS.config(device_id), encode(push))
    publisher.disconnect()

    mosquitto.restart()  # SIGTERM saves the persistence database

    again = mqtt_client(mosquitto, server_id, clean_session=False)
    assert again.session_present is True
    assert _decoded_events(again.wait_messages(len(events))) == events
    device = mqtt_client(mosquitto)
    device.subscribe(TOPICS.config(device_id), 1)
    assert decode(MessageKind.CONFIG, device.wait_message().payload) == push


# -- Mosquitto only: shared subscriptions and faults -----------------------------------------


def test_shared_subscription_delivers_each_event_to_exactly_one_worker(
    mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    inbox: queue.Queue[Received] = queue.Queue()
    shared = Topics.shared("ingest", TOPICS.subscription(MessageKind.EVENTS))
    workers = [mqtt_client(mosquitto, protocol=MQTTv5, inbox=inbox) for _ in range(2)]
    for worker in workers:
        worker.subscribe(shared, 1)
    device_id = example_device_id()
    events = [example_event(device_id, seq=seq) for seq in range(1, 11)]

    _publish_events(mqtt_client(mosquitto), events)

    received = workers[0].wait_messages(len(events))
    workers[0].assert_no_message(within_s=0.3)  # nothing was delivered twice
    assert sorted(e.event_id for e in _decoded_events(received)) == sorted(
        e.event_id for e in events
    )
    per_worker = {w.client_id: sum(m.client_id == w.client_id for m in received) for w in workers}
    assert all(count > 0 for count in per_worker.values()), per_worker


def test_killed_mosquitto_drops_clients_and_starts_again_on_the_same_port(
    mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    port = mosquitto.port
    client = mqtt_client(mosquitto)

    mosquitto.kill()

    client.wait_disconnected()
    assert not mosquitto.running
    mosquitto.start()
    assert mosquitto.port == port
    fresh = mqtt_client(mosquitto)
    fresh.subscribe(TOPICS.subscription(MessageKind.ACKS), 1)
    fresh.publish(TOPICS.acks("after-restart"), b"{}", qos=1)
    assert fresh.wait_message().topic == TOPICS.acks("after-restart")
