"""``streetwatch server run``: one worker process with ingest, escalation and the API.

Start-up fails with one clear sentence (and a non-zero exit) when the taxonomy or grid file,
the database or the broker cannot be used, or the HTTP port is taken. Several worker
processes may run at once: they share the events through the MQTT ``$share/`` group and the
database keeps case creation exactly-once.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from server.config import ServerConfig
from server.ingest.consumer import Consumer
from server.ingest.mqtt_client import default_client_id
from server.services.cases import CaseService
from server.services.context import ServerContext, build_context
from server.services.evidence_prune import EarlyEvidencePruner
from server.store.migrate import require_current, upgrade
from streetwatch.errors import UserError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    """What this worker runs."""

    api: bool = True
    ingest: bool = True
    migrate: bool = True


def prepare(config: ServerConfig) -> ServerContext:
    """Build the context and make sure the database is reachable (no migration)."""
    ctx = build_context(config)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    ctx.database.check()
    return ctx


def run(config: ServerConfig, options: RunOptions) -> int:
    """Run until SIGINT or SIGTERM; return the exit code.

    Raises:
        streetwatch.errors.UserError: something needed at start cannot be used.
    """
    ctx = prepare(config)
    if options.migrate:
        upgrade(ctx.database)
    else:
        require_current(ctx.database)
    stop = threading.Event()
    client_id = config.mqtt.client_id or default_client_id()
    sock = _bind(config.http.host, config.http.port) if options.api else None
    try:
        with (
            _background(ctx, stop),
            _consumer(ctx, client_id, options.ingest) as consumer,
        ):
            where = f"ingest as {client_id}" if consumer else "no ingest"
            with _stop_on_signals(stop):
                if sock is not None:
                    _ready(f"{where}; API on http://{config.http.host}:{config.http.port}")
                    _serve_api(ctx, sock, stop)
                else:
                    _ready(where)
                    while not stop.wait(1.0):
                        pass
    finally:
        if sock is not None:
            sock.close()
        ctx.database.dispose()
    return 0


def _ready(what: str) -> None:
    print(f"streetwatch server ready: {what}", flush=True)


@contextmanager
def _consumer(ctx: ServerContext, client_id: str, enabled: bool) -> Iterator[Consumer | None]:
    if not enabled:
        yield None
        return
    consumer = Consumer(ctx, client_id)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop()


def escalate_job(ctx: ServerContext) -> Callable[[], None]:
    """Return the job that escalates overdue dispatched cases (督办)."""
    service = CaseService(ctx)

    def job() -> None:
        escalated = service.escalate_overdue()
        if escalated:
            logger.info("escalated overdue cases (督办): %s", escalated)

    return job


def prune_job(ctx: ServerContext) -> Callable[[], None]:
    """Return the job that deletes early evidence whose event never came."""
    pruner = EarlyEvidencePruner(ctx)

    def job() -> None:
        pruned = pruner.prune()
        if pruned.items:
            logger.info("pruned %d early evidence items (%d files)", pruned.items, pruned.files)

    return job


@contextmanager
def _background(ctx: ServerContext, stop: threading.Event) -> Iterator[None]:
    """Run escalation and early-evidence pruning, each on its own thread, until ``stop``."""
    threads = [
        every(stop, "escalation", ctx.config.cases.escalation_check_s, escalate_job(ctx)),
        every(stop, "evidence-prune", ctx.config.evidence.prune_check_s, prune_job(ctx)),
    ]
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(5.0)


def every(
    stop: threading.Event, name: str, interval_s: float, job: Callable[[], None]
) -> threading.Thread:
    """Start a daemon thread that runs ``job`` every ``interval_s`` until ``stop`` is set.

    A failing run is logged and tried again at the next interval.
    """

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                job()
            except Exception:
                logger.exception("%s failed; trying again later", name)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    except OSError as exc:
        sock.close()
        raise UserError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
            "is another server using it? Change http.port.",
            exit_code=5,
        ) from None
    return sock


def _serve_api(ctx: ServerContext, sock: socket.socket, stop: threading.Event) -> None:
    """Serve the API until ``stop`` is set or uvicorn gets SIGINT/SIGTERM.

    uvicorn catches the signal while it serves and raises it again after its graceful
    shutdown; :func:`_stop_on_signals` receives it then.
    """
    import uvicorn  # noqa: PLC0415 - the API's imports are paid only when it runs

    from server.api.app import create_app  # noqa: PLC0415

    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), log_level="warning", access_log=False, lifespan="off")
    )

    def watch() -> None:
        stop.wait()
        server.should_exit = True

    threading.Thread(target=watch, name="api-stop", daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        stop.set()


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Make SIGINT and SIGTERM set ``stop`` (a clean shutdown and exit code 0)."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %d: stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        sys.stdout.flush()
