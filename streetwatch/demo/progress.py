"""Live progress of the demo: frames from the devices' heartbeats, events and cases from the DB."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts import ContractError, Heartbeat, MessageKind, Topics, decode
from server.services.context import ServerContext
from server.store.tables import CaseRow, EventRow


class HeartbeatWatch:
    """Keeps the newest frame count each device reported in its heartbeat."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self._frames: dict[str, int] = {}
        self._lock = threading.Lock()
        self._client = paho.Client(CallbackAPIVersion.VERSION2, client_id="streetwatch-demo")
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._where = (host, port)

    def __enter__(self) -> HeartbeatWatch:
        self._client.connect(*self._where)
        self._client.loop_start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(self, client: paho.Client, *_args: object) -> None:
        client.subscribe(Topics().subscription(MessageKind.HEARTBEAT), qos=0)

    def _on_message(self, _client: paho.Client, _data: object, msg: paho.MQTTMessage) -> None:
        try:
            beat = decode(MessageKind.HEARTBEAT, bytes(msg.payload), Heartbeat)
        except ContractError:
            return
        with self._lock:
            self._frames[beat.device_id] = beat.frames.decoded

    def frames(self, device_id: str) -> int:
        """Frames the device has decoded (0 before its first heartbeat)."""
        with self._lock:
            return self._frames.get(device_id, 0)


@dataclass(frozen=True)
class Counts:
    """What the server holds."""

    events: int
    cases: int


def counts(ctx: ServerContext) -> Counts:
    """Count the non-sample events and the cases in the server's database."""

    def work(session: Session) -> Counts:
        events = session.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.type != "sample")
        )
        cases = session.scalar(
            select(func.count()).select_from(CaseRow).where(CaseRow.merged_into.is_(None))
        )
        return Counts(events or 0, cases or 0)

    return ctx.database.run(work)


class ProgressLine:
    """One line rewritten in place on a terminal; a line every few seconds otherwise."""

    def __init__(self, every_s: float = 5.0) -> None:
        self._tty = sys.stdout.isatty()
        self._every = every_s
        self._last = -1e9
        self._shown = ""

    def show(self, text: str, now: float, *, force: bool = False) -> None:
        """Show ``text`` (throttled when not on a terminal, unless ``force``)."""
        if self._tty:
            print(f"\r{text}   ", end="", flush=True)
            self._shown = text
        elif force or (now - self._last >= self._every and text != self._shown):
            print(text, flush=True)
            self._last, self._shown = now, text

    def close(self) -> None:
        """End the line."""
        if self._tty and self._shown:
            print(flush=True)
