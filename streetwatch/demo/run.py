"""``streetwatch demo``: the whole system on one machine, on generated clips.

It starts the embedded MQTT broker, the server on SQLite in the data folder (with a demo login)
and two edge nodes, a pole camera and a patrol bike with a GPS track, each replaying its
generated clip; shows their progress; then compares the cases with what the clips contain and
leaves the review UI running (or, with ``exit_when_done``, exits: 0 only for exactly the
expected cases).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from server.config import load_server_config
from server.domain.roles import Role
from server.services.case_queries import MAX_PAGE, CaseFilter
from server.services.context import ServerContext, build_context
from server.services.devices import DeviceService, DeviceSpec
from server.services.reads import Reads
from server.services.users import UserService
from server.store.migrate import upgrade
from streetwatch.demo.processes import READY, Child, free_port
from streetwatch.demo.progress import HeartbeatWatch, ProgressLine, counts
from streetwatch.demo.scenario import MODEL, Plan, prepare
from streetwatch.demo.verdict import Outcome, compare
from streetwatch.embedded_broker import EmbeddedBroker
from streetwatch.errors import UserError

DEMO_USER, DEMO_PASSWORD = "demo", "streetwatch-demo"
SERVER_START_S = 60.0
EDGE_WAIT_S = 60


@dataclass(frozen=True)
class DemoOptions:
    """How the demo runs.

    Attributes:
        data: folder for the clips, the database, evidence, outboxes and logs.
        http_port: the UI's port (another free one when it is taken).
        exit_when_done: exit after the summary instead of serving the UI.
        timeout_s: longest time the edge nodes may take.
        model: the detector (ONNX) both edge nodes run.
    """

    data: Path
    http_port: int = 8080
    exit_when_done: bool = False
    timeout_s: float = 900.0
    model: Path = MODEL


def _fresh(data: Path) -> None:
    """Forget a previous run's database, evidence, outboxes and logs (the clips stay)."""
    for name in ("streetwatch.db", "streetwatch.db-wal", "streetwatch.db-shm"):
        (data / name).unlink(missing_ok=True)
    for name in ("evidence", "edge", "logs"):
        shutil.rmtree(data / name, ignore_errors=True)


def _server_context(plan: Plan) -> ServerContext:
    """Migrate the database, create the demo login and register both devices."""
    ctx = build_context(load_server_config(plan.server_config))
    upgrade(ctx.database)
    UserService(ctx).create(DEMO_USER, Role.ADMIN, DEMO_PASSWORD, "演示管理员 (demo admin)")
    devices = DeviceService(ctx)
    for clip in plan.clips:
        first = clip.truth.frames[0].pose
        devices.register(
            DeviceSpec(
                device_id=clip.device_id,
                name=f"demo {'pole camera' if clip.kind == 'fixed' else 'patrol bike'}",
                lat=first.lat,
                lon=first.lon,
                location_note="generated clip",
            )
        )
    return ctx


def _status(plan: Plan, watch: HeartbeatWatch, ctx: ServerContext) -> str:
    held = counts(ctx)
    frames = "  ".join(
        f"{clip.device_id} {watch.frames(clip.device_id)}/{clip.truth.frame_count}"
        for clip in plan.clips
    )
    return f"frames {frames}  events {held.events}  cases {held.cases}"


def _follow(
    plan: Plan, edges: list[Child], server: Child, ctx: ServerContext, deadline: float
) -> None:
    line = ProgressLine()
    with HeartbeatWatch(plan.port) as watch:
        while any(edge.poll() is None for edge in edges):
            if server.poll() is not None:
                raise UserError(f"the server stopped: {server.tail(1)}")
            if time.monotonic() > deadline:
                raise UserError("the edge nodes did not finish in time (see data/demo/logs)")
            line.show(_status(plan, watch, ctx), time.monotonic())
            time.sleep(0.5)
        line.show(_status(plan, watch, ctx), time.monotonic(), force=True)
    line.close()


def _summary(outcome: Outcome, edges: list[Child]) -> None:
    print()
    for edge in edges:
        state = "done" if edge.poll() == 0 else f"exit {edge.poll()}: {edge.tail(1)}"
        print(f"{edge.name}: {state}")
    print(f"cases: {len(outcome.matches)} (the clips contain {outcome.expected} violations)")
    for match in outcome.matches:
        case = match.case
        where = (
            f"{match.clip} clip object {match.object_id}, {match.distance_m:.1f} m"
            if match.distance_m is not None
            else "no object of its class near it"
        )
        print(
            f"  case {case.id}  {case.code} {case.label:<16} {case.status.value:<10} "
            f"grid {case.grid_id or '-':<9} {case.department or '-':<20} {where}"
        )
    for clip, oid in outcome.missing:
        print(f"  MISSING: {clip} clip object {oid}")
    for match in outcome.unexpected:
        print(f"  UNEXPECTED: case {match.case.id} ({match.case.label})")
    for clip, oid in outcome.duplicates:
        print(f"  DUPLICATE: {clip} clip object {oid} has more than one case")
    print("exactly the expected cases" if outcome.exact else "the cases differ from the clips")


def run_demo(options: DemoOptions) -> int:
    """Run the demo; return the exit code."""
    if not options.model.is_file():
        raise UserError(f"the detector {options.model} is missing; see models/README.md")
    data = options.data.resolve()
    print(f"preparing {data} (the clips are rendered on the first run only)", flush=True)
    # ERROR: the edge nodes probe MQTT 5 first, and amqtt logs each refused probe
    with EmbeddedBroker(port=0, log_level=logging.ERROR) as broker:
        _fresh(data)
        plan = prepare(data, broker.port, free_port(options.http_port), options.model)
        ctx = _server_context(plan)
        logs = data / "logs"
        server = Child(
            "server", ["server", "run", "-c", str(plan.server_config)], logs / "server.log"
        )
        edges = [
            Child(
                f"edge node {clip.device_id}",
                ["edge", "run", "-c", str(config), "--once", "--wait", str(EDGE_WAIT_S)],
                logs / f"{clip.device_id}.log",
            )
            for clip, config in zip(plan.clips, plan.edge_configs, strict=True)
        ]
        try:
            server.start()
            server.wait_for(READY, SERVER_START_S)
            print(f"MQTT broker on 127.0.0.1:{plan.port}; server ready; starting both edge nodes")
            for edge in edges:
                edge.start()
            _follow(plan, edges, server, ctx, time.monotonic() + options.timeout_s)
            cases = Reads(ctx).cases(CaseFilter(limit=MAX_PAGE)).items
            outcome = compare(cases, plan.clips)
            _summary(outcome, edges)
            delivered = all(edge.poll() == 0 for edge in edges)
            url = f"http://127.0.0.1:{plan.http_port}/ui"
            if options.exit_when_done:
                return 0 if outcome.exact and delivered else 1
            print(
                f"\nReview the cases at {url}  (login {DEMO_USER} / {DEMO_PASSWORD}); Ctrl-C ends"
            )
            while server.poll() is None:
                time.sleep(0.5)
            raise UserError(f"the server stopped: {server.tail(1)}")
        except KeyboardInterrupt:
            print("\nstopping")
            return 0
        finally:
            for child in (*edges, server):
                child.stop()
            ctx.database.dispose()
