"""The server's MQTT client names an unusable CA file in one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ServerMqttSettings
from server.ingest.mqtt_client import make_client
from streetwatch.errors import UserError


@pytest.mark.parametrize(
    ("content", "problem"), [(None, "it does not exist"), ("junk", "it holds no PEM certificate")]
)
def test_an_unusable_ca_file_is_one_sentence(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    ca = tmp_path / "ca.crt"
    if content is not None:
        ca.write_text(content)
    settings = ServerMqttSettings(host="broker", port=8883, tls=True, ca_file=ca)
    with pytest.raises(UserError) as caught:
        make_client(settings, "server-1", manual_ack=True)
    assert str(caught.value) == f"mqtt.ca_file {ca} cannot be used: {problem}"
