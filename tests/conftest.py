"""Fixtures for tests that use real services: Mosquitto, the embedded broker, PostgreSQL.

The logic lives in ``tests/support``; these fixtures only wire it to pytest. A missing
service skips the tests that need it, or fails them when ``CI=true``
(:func:`support.services.require_or_skip`).

- ``mosquitto``: a private Mosquitto on a free loopback port (one per session, started again
  for each test if a previous test stopped or killed it) — :class:`MosquittoServer`.
- ``embedded_broker``: the in-process amqtt broker on a free port, per test.
- ``broker``: both of the above, one after the other — :class:`BrokerEndpoint`.
- ``mqtt_client``: ``mqtt_client(broker, client_id=None, **options)`` returns a connected
  :class:`MqttClient`; every client is disconnected at teardown.
- ``pg_dsn``: DSN of a fresh PostgreSQL database for the session, dropped at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from support.brokers import BROKER_NAMES, BrokerEndpoint
from support.mosquitto import BINARY_ENV, MosquittoServer, find_mosquitto
from support.mqtt_client import ClientPool
from support.services import require_module, require_or_skip

if TYPE_CHECKING:  # amqtt is imported only by tests that use the embedded broker
    from streetwatch.embedded_broker import EmbeddedBroker


@pytest.fixture(scope="session")
def mosquitto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MosquittoServer]:
    """The session's private Mosquitto process; prefer ``mosquitto``, which restarts it."""
    binary = find_mosquitto()
    if binary is None:
        require_or_skip(
            f"no mosquitto binary: install it (apt install mosquitto) or point {BINARY_ENV} at it"
        )
    server = MosquittoServer(binary, tmp_path_factory.mktemp("mosquitto"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mosquitto(mosquitto_server: MosquittoServer) -> MosquittoServer:
    """A running private Mosquitto: ``.host``, ``.port``, ``.stop()``, ``.kill()``,
    ``.start()``, ``.restart()`` (same port, same persistence)."""
    mosquitto_server.start()
    return mosquitto_server


@pytest.fixture
def embedded_broker() -> Iterator[EmbeddedBroker]:
    """The in-process amqtt broker on a free loopback port, stopped after the test."""
    from streetwatch.embedded_broker import EmbeddedBroker

    with EmbeddedBroker() as broker:
        yield broker


@pytest.fixture(params=BROKER_NAMES)
def broker(request: pytest.FixtureRequest) -> BrokerEndpoint:
    """Each broker in turn (ids ``mosquitto`` and ``embedded``)."""
    name: str = request.param
    server: MosquittoServer | EmbeddedBroker = request.getfixturevalue(
        "mosquitto" if name == "mosquitto" else "embedded_broker"
    )
    return BrokerEndpoint(name, server)


@pytest.fixture
def mqtt_client() -> Iterator[ClientPool]:
    """Factory of connected paho clients, all disconnected cleanly at teardown."""
    pool = ClientPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """DSN of a fresh database ``streetwatch_test_<random>`` on ``$STREETWATCH_TEST_PG_DSN``'s
    server (default ``postgresql://postgres@127.0.0.1:5432/postgres``), dropped at the end."""
    require_module("psycopg", "pip install 'streetwatch[postgres]'")
    from support.postgres import (
        PostgresUnavailableError,
        TemporaryDatabase,
        admin_dsn,
    )

    database = TemporaryDatabase(admin_dsn())
    try:
        dsn = database.create()
    except PostgresUnavailableError as exc:
        require_or_skip(str(exc))
    yield dsn
    database.drop()
