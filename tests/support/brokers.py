"""The brokers a test can run against, behind one small description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from support.mosquitto import MosquittoServer

if TYPE_CHECKING:
    from streetwatch.embedded_broker import EmbeddedBroker

BROKER_NAMES = ("mosquitto", "embedded")
"""Ids of the parametrized ``broker`` fixture, in order."""


@dataclass(frozen=True)
class BrokerEndpoint:
    """A running broker under test.

    Attributes:
        name: ``"mosquitto"`` or ``"embedded"`` (amqtt in this process).
        server: the broker object itself, to stop or restart it.
    """

    name: str
    server: MosquittoServer | EmbeddedBroker

    @property
    def host(self) -> str:
        """Broker address."""
        return self.server.host

    @property
    def port(self) -> int:
        """Broker TCP port (stable across restarts)."""
        return self.server.port

    @property
    def mqtt5(self) -> bool:
        """True if the broker speaks MQTT 5 (session expiry, ``$share/`` subscriptions)."""
        return isinstance(self.server, MosquittoServer)

    @property
    def durable(self) -> bool:
        """True if sessions and retained messages survive a broker restart."""
        return isinstance(self.server, MosquittoServer)
