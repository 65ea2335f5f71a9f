"""A pure-Python MQTT broker (amqtt) run inside this process, for machines without Mosquitto.

The demo uses it on a fresh machine; tests use it next to a real Mosquitto. It runs amqtt's
asyncio loop in a daemon thread and owns the listening socket itself, so ``port=0`` picks a
free port and a port already in use gives one clear error.

    with EmbeddedBroker() as broker:
        client.connect(broker.host, broker.port)

What works (checked by ``tests/integration/test_broker_roundtrip.py``): MQTT 3.1.1 over TCP,
QoS 0/1, retained messages, last will (retained too), and persistent sessions
(``clean_session=False``): QoS 1 messages published while a subscriber is away are delivered
when it reconnects. amqtt's own anonymous-auth plugin marks clients as anonymous and then
throws their persistent sessions away; this module installs :class:`OpenAuthPlugin` instead,
which admits every client without that mark.

Limitations of amqtt 0.12 (use Mosquitto where they matter):

- MQTT 3.1.1 only: an MQTT 5 client is refused, so there is no session expiry interval, no
  ``$share/`` shared subscription (such a filter never matches) and no user properties.
- No TLS here (no certificates are configured) and no authentication: every client is admitted,
  so listen on loopback only.
- All state is in memory: retained messages, sessions and queued messages are lost on
  :meth:`EmbeddedBroker.stop`; a later :meth:`EmbeddedBroker.start` reuses the port but starts
  empty.
- A message is delivered at the subscription's QoS even when it was published at a lower QoS
  (no QoS downgrade to the publisher's QoS).

Two amqtt 0.12 defects are corrected here by :class:`_Broker` (tests pin both):

- On every CONNECT amqtt sent the new client the retained messages of *every* subscription in
  the broker, including other clients' filters (a device would receive other devices' retained
  configs). Retained messages now go out only in answer to the client's own SUBSCRIBE, as the
  MQTT spec and Mosquitto do.
- Messages queued for an offline persistent session were delivered with the RETAIN flag set;
  they now carry RETAIN=0 like any live delivery.

Both corrections override private amqtt methods; if an amqtt upgrade renames them, the
integration tests that pin the behaviour fail rather than the defect returning silently.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeoutError
from types import TracebackType
from typing import Any

from amqtt.adapters import StreamReaderAdapter, StreamWriterAdapter
from amqtt.broker import Broker
from amqtt.plugins.base import BaseAuthPlugin

from streetwatch.errors import UserError

__all__ = ["EmbeddedBroker", "EmbeddedBrokerError", "OpenAuthPlugin"]

logger = logging.getLogger(__name__)

_LISTENER = "default"
_NOISY_LOGGERS = ("amqtt", "transitions")
_IN_SUBSCRIBE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "streetwatch_broker_in_subscribe", default=False
)


class EmbeddedBrokerError(UserError):
    """The embedded broker could not start (port in use, bad address) or stop in time."""


class OpenAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """amqtt auth plugin that admits every client and keeps its persistent session.

    amqtt's ``AnonymousAuthPlugin`` flags each client it admits as anonymous, and amqtt drops
    the sessions and queued messages of anonymous clients; this plugin does not set the flag.
    """

    async def authenticate(self, *, session: Any) -> bool:
        """Admit the client (no credentials are checked)."""
        del session
        return True


class _Broker(Broker):  # type: ignore[misc]
    """amqtt's broker with two delivery defects corrected (see the module docstring)."""

    async def _handle_subscription(self, *args: Any) -> None:
        token = _IN_SUBSCRIBE.set(True)
        try:
            await super()._handle_subscription(*args)
        finally:
            _IN_SUBSCRIBE.reset(token)

    async def _publish_retained_messages_for_subscription(self, *args: Any) -> None:
        # amqtt also calls this on CONNECT for every filter of every client: send retained
        # messages only in answer to the client's own SUBSCRIBE.
        if _IN_SUBSCRIBE.get():
            await super()._publish_retained_messages_for_subscription(*args)

    async def _publish_session_retained_messages(self, session: Any) -> None:
        # Messages queued while a persistent session was offline: deliver with RETAIN=0.
        # As in amqtt, the sends start in queue order (so PUBLISH packets go out in order)
        # and a failed send (client gone again) does not end the broker's client task.
        handler = self._get_handler(session)
        if handler is None:
            return
        sends = []
        while not session.retained_messages.empty():
            queued = session.retained_messages.get_nowait()
            sends.append(handler.mqtt_publish(queued.topic, queued.data, queued.qos, retain=False))
        if sends:
            await asyncio.gather(*sends, return_exceptions=True)


def _plugin_path(plugin: type) -> str:
    return f"{plugin.__module__}.{plugin.__qualname__}"


def broker_config(host: str, port: int, session_expiry_s: int | None) -> dict[str, Any]:
    """Return the amqtt configuration of the embedded broker.

    The listener is of type ``external``: this module accepts the TCP connections and hands
    them to amqtt, so it knows the real port when ``port`` is 0.

    Args:
        host: address the broker listens on (informational for amqtt).
        port: port it listens on (informational for amqtt).
        session_expiry_s: seconds a disconnected persistent session is kept; None keeps it
            until the broker stops.
    """
    return {
        "listeners": {_LISTENER: {"type": "external", "bind": f"{host}:{port}"}},
        "plugins": {_plugin_path(OpenAuthPlugin): {}},
        "session_expiry_interval": session_expiry_s,
        "timeout_disconnect_delay": 0,
    }


class EmbeddedBroker:
    """An amqtt MQTT 3.1.1 broker listening on ``host:port`` from a daemon thread.

    Args:
        host: address to listen on; keep it on loopback (there is no authentication).
        port: TCP port; 0 picks a free one, readable from :attr:`port` after :meth:`start`.
        session_expiry_s: seconds a disconnected persistent session and its queued messages
            are kept; None (default) keeps them until the broker stops.
        start_timeout_s: how long :meth:`start` and :meth:`stop` may take.
        log_level: level of amqtt's own loggers (default WARNING: amqtt is chatty).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        session_expiry_s: int | None = None,
        start_timeout_s: float = 10.0,
        log_level: int = logging.WARNING,
    ) -> None:
        self.host = host
        self._port = port
        self._session_expiry_s = session_expiry_s
        self._timeout_s = start_timeout_s
        self._log_level = log_level
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The TCP port: the one asked for, or after :meth:`start` the one really bound."""
        return self._port

    @property
    def url(self) -> str:
        """``mqtt://host:port`` of the broker."""
        return f"mqtt://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> EmbeddedBroker:
        """Start the broker; return once it accepts connections.

        Raises:
            EmbeddedBrokerError: the address cannot be bound (e.g. the port is taken) or the
                broker did not start within the timeout.
            RuntimeError: the broker is already running.
        """
        if self.running:
            raise RuntimeError("the embedded broker is already running")
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).setLevel(self._log_level)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(
            target=_run_loop, args=(loop,), name="embedded-mqtt-broker", daemon=True
        )
        thread.start()
        self._loop, self._thread = loop, thread
        try:
            self._call(self._open())
        except OSError as exc:
            self._end_thread()
            raise EmbeddedBrokerError(
                f"the embedded MQTT broker cannot listen on {self.host}:{self._port} "
                f"({exc.strerror or exc}); is another broker using that port? "
                "Choose another port, or 0 for a free one."
            ) from None
        except BaseException:
            self._end_thread()
            raise
        logger.info("embedded MQTT broker listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Close every connection, drop all broker state and end the thread (idempotent)."""
        if not self.running:
            return
        try:
            self._call(self._close())
        finally:
            self._end_thread()
        logger.info("embedded MQTT broker on %s stopped", self.url)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _call(self, coro: Any) -> None:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            future.result(self._timeout_s)
        except FutureTimeoutError:
            future.cancel()
            raise EmbeddedBrokerError(
                f"the embedded MQTT broker on {self.host}:{self._port} did not answer within "
                f"{self._timeout_s:g} s"
            ) from None

    async def _open(self) -> None:
        server = await asyncio.start_server(
            self._on_connection, self.host, self._port, start_serving=False
        )
        broker = _Broker(broker_config(self.host, self._port, self._session_expiry_s))
        try:
            await broker.start()
        except BaseException:
            server.close()
            raise
        self._port = int(server.sockets[0].getsockname()[1])
        self._broker, self._server = broker, server
        await server.start_serving()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._broker is not None:
            await self._broker.shutdown()
        self._broker, self._server = None, None

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        broker = self._broker
        if broker is None:
            writer.close()
            return
        await broker.external_connected(
            StreamReaderAdapter(reader), StreamWriterAdapter(writer), _LISTENER
        )

    def _end_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(self._timeout_s)
        self._loop, self._thread = None, None


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Run ``loop`` until stopped, then cancel what is left and close it."""
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
