"""Verdicts → suggestion → apply → a device on the real Mosquitto gets the retained push."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.messages import example_device_id
from support.mosquitto import MosquittoServer
from support.mqtt_client import ClientPool
from support.server_harness import ready_context, register, server_config
from support.tuning_world import decided_cases

from contracts import ConfigPush, MessageKind, Topics, decode
from server.services.config_push import ConfigPushService, ThresholdChange
from server.services.tuning import TuningService

pytestmark = pytest.mark.integration

VERDICTS = [(0.45, False), (0.5, False), (0.55, True), (0.62, False), (0.7, True), (0.8, True)]


def test_applied_suggestion_reaches_the_device_retained(
    tmp_path: Path, mosquitto: MosquittoServer, mqtt_client: ClientPool
) -> None:
    ctx = ready_context(
        server_config(tmp_path, mqtt={"host": mosquitto.host, "port": mosquitto.port})
    )
    device = example_device_id("pole")
    register(ctx, device)
    decided_cases(ctx, device, VERDICTS, threshold=0.4)

    report = TuningService(ctx).report(target=0.9)
    garbage = next(row for row in report.classes if row.label == "garbage")
    assert garbage.verdicts == 6 and garbage.current_threshold == 0.4
    assert garbage.current is not None and garbage.current.precision == pytest.approx(0.5)
    assert garbage.suggestion is not None and garbage.suggestion.threshold == 0.7
    assert [d.device_id for d in report.devices] == [device]

    service = ConfigPushService(ctx)
    first = service.apply(ThresholdChange("street_vendor", 0.6, "user:admin", "first"))
    change = ThresholdChange("garbage", garbage.suggestion.threshold, "user:admin", "tuned")
    second = service.apply(change)
    assert [p.version for p in first + second] == [1, 2]
    assert service.pushed_versions() == {device: 2}

    # A device that subscribes afterwards gets the newest push, retained.
    topics = Topics(ctx.config.mqtt.prefix)
    subscriber = mqtt_client(mosquitto)
    subscriber.subscribe(topics.config(device), qos=1)
    received = subscriber.wait_message()
    push = decode(MessageKind.CONFIG, received.payload, ConfigPush)
    assert received.retain and received.qos == 1
    assert push.version == 2 and push.device_id == device
    assert push.overlay.classes is not None
    assert push.overlay.classes["garbage"].confirm_score == 0.7
    assert push.overlay.classes["street_vendor"].confirm_score == 0.6  # merged, kept
