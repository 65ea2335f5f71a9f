"""The HTTP API on a real uvicorn over SQLite.

Auth, case lists and filters, detail and evidence, the workflow with automatic dispatch and
escalation, merge, KPIs, devices, GeoJSON, Open311, metrics and health.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from support.api_server import Http, serving
from support.messages import example_device_id, example_image
from support.server_harness import (
    FakeClock,
    event_at,
    fresh_place,
    inbound_raw,
    ready_context,
    register,
    server_config,
    with_evidence,
)

from contracts import EvidenceKind, Topics, ViolationEvent
from server.domain.roles import Role
from server.services.auth import TokenService
from server.services.cases import CaseService
from server.services.context import ServerContext
from server.services.ingest import IngestService

pytestmark = pytest.mark.integration

XH1 = (31.19345, 121.43712)  # grid XH-CX-01
XH2 = (31.19, 121.45)  # grid XH-CX-02
HP = (31.230416, 121.473701)  # grid HP-NJ-01
NOWHERE = (31.05, 121.25)  # outside every grid


@dataclass
class World:
    ctx: ServerContext
    clock: FakeClock
    http: Http
    viewer: Http
    operator: Http
    admin: Http
    devices: tuple[str, str]

    def ingest(self, *events: ViolationEvent) -> None:
        messages = [m for event in events for m in with_evidence(event)]
        IngestService(self.ctx).process(messages)

    def case_of(self, device_id: str) -> int:
        page = self.viewer.get(f"/api/v1/cases?device={device_id}").json()
        return int(page["items"][0]["id"])


def _world(tmp_path: Path) -> Iterator[World]:
    clock = FakeClock()
    ctx = ready_context(server_config(tmp_path), clock=clock)
    tokens = TokenService(ctx)
    a, b = example_device_id("api-a"), example_device_id("api-b")
    register(ctx, a, b)
    with serving(ctx) as http:
        world = World(
            ctx,
            clock,
            http,
            http.as_(tokens.create("viewer", Role.VIEWER)),
            http.as_(tokens.create("operator", Role.OPERATOR)),
            http.as_(tokens.create("admin", Role.ADMIN)),
            (a, b),
        )
        yield world
    ctx.database.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Four cases that read-only tests share.

    Garbage in XH-CX-01 (a), vending in XH-CX-02 (b), signage in HP-NJ-01 (a) and garbage
    outside every grid (b).
    """
    for world in _world(tmp_path_factory.mktemp("api")):
        a, b = world.devices
        world.ingest(
            event_at(a, place=XH1),
            event_at(b, place=XH2, label="street_vending"),
            event_at(a, place=HP, label="illegal_signage"),
            event_at(b, place=NOWHERE),
        )
        yield world


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[World]:
    """An empty world of its own (for tests that change cases and count them)."""
    yield from _world(tmp_path)


def test_public_endpoints(seeded: World) -> None:
    assert seeded.http.get("/healthz").json() == {"status": "ok"}
    metrics = seeded.http.get("/metrics")
    assert metrics.status == 200 and b"streetwatch_events_total" in metrics.body
    paths = seeded.http.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{case_id}/transitions",
        "/open311/v2/requests.json",
    } <= set(paths)
    codes = {s["service_code"] for s in seeded.http.get("/open311/v2/services.json").json()}
    assert {"0102", "0202", "0203", "0501", "0504"} <= codes


@pytest.mark.parametrize(
    ("path", "who", "status"),
    [
        ("/api/v1/cases", None, 401),
        ("/api/v1/cases", "sw_not-a-token", 401),
        ("/api/v1/stats", None, 401),
        ("/api/v1/devices", None, 401),
        ("/api/v1/cases", "viewer", 200),
        ("/api/v1/me", "operator", 200),
    ],
)
def test_auth(seeded: World, path: str, who: str | None, status: int) -> None:
    http = getattr(seeded, who) if who in ("viewer", "operator", "admin") else seeded.http.as_(who)
    reply = http.get(path)
    assert reply.status == status
    if status == 401:
        assert reply.headers.get("www-authenticate") == "Bearer"


def test_roles_are_enforced(seeded: World) -> None:
    case_id = seeded.case_of(seeded.devices[0])
    reply = seeded.viewer.post(f"/api/v1/cases/{case_id}/transitions", {"action": "file"})
    assert reply.status == 403 and "operator role" in reply.json()["detail"]
    spec = {"device_id": "new-pole", "name": "New pole"}
    assert seeded.operator.put("/api/v1/devices/new-pole", spec).status == 403
    assert seeded.admin.put("/api/v1/devices/new-pole", spec).json()["registered"] is True


@pytest.mark.parametrize(
    ("query", "labels"),
    [
        ("", ["garbage", "garbage", "illegal_signage", "street_vending"]),
        ("&label=garbage", ["garbage", "garbage"]),
        ("&code=0501&code=0203", ["illegal_signage", "street_vending"]),
        ("&grid=XH-CX-01&grid=HP-NJ-01", ["garbage", "illegal_signage"]),
        ("&status=reported", ["garbage", "garbage", "illegal_signage", "street_vending"]),
        ("&status=closed", []),
        ("&bbox=121.44,31.18,121.46,31.20", ["street_vending"]),
        ("&since=2000-01-01T00:00:00Z&until=2001-01-01T00:00:00Z", []),
    ],
)
def test_case_filters(seeded: World, query: str, labels: list[str]) -> None:
    a, b = seeded.devices
    page = seeded.viewer.get(f"/api/v1/cases?device={a}&device={b}{query}").json()
    assert sorted(item["label"] for item in page["items"]) == labels
    assert page["total"] == len(labels)


def test_paging_device_filter_and_bad_input(seeded: World) -> None:
    a, b = seeded.devices
    first = seeded.viewer.get(f"/api/v1/cases?device={a}&device={b}&limit=3").json()
    rest = seeded.viewer.get(f"/api/v1/cases?device={a}&device={b}&limit=3&offset=3").json()
    assert (first["total"], len(first["items"]), len(rest["items"])) == (4, 3, 1)
    assert len(seeded.viewer.get(f"/api/v1/cases?device={a}").json()["items"]) == 2
    assert seeded.viewer.get("/api/v1/cases?bbox=1,2,3").status == 422
    assert seeded.viewer.get("/api/v1/cases?status=lost").status == 422
    assert seeded.viewer.get("/api/v1/cases/999999").status == 404


def test_case_detail_and_evidence_download(seeded: World) -> None:
    detail = seeded.viewer.get(f"/api/v1/cases/{seeded.case_of(seeded.devices[0])}").json()
    [event] = detail["events"]
    assert detail["allowed_actions"] == ["file", "reject", "merge"]
    assert [t["action"] for t in detail["transitions"]] == ["report"]
    frame = next(e for e in event["evidence"] if e["kind"] == "frame")
    assert frame["state"] == "verified"
    reply = seeded.viewer.get(frame["url"])
    assert reply.body == example_image(EvidenceKind.FRAME)
    assert reply.headers["content-type"] == "image/jpeg"
    assert seeded.http.get(frame["url"]).status == 401
    assert seeded.viewer.get("/api/v1/evidence/" + "0" * 64).status == 404


def test_geojson_export(seeded: World) -> None:
    a, b = seeded.devices
    collection = seeded.viewer.get(f"/api/v1/cases.geojson?device={a}&device={b}").json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 4
    points = [f["geometry"]["coordinates"] for f in collection["features"]]
    assert any(abs(lon - XH1[1]) < 1e-6 and abs(lat - XH1[0]) < 1e-6 for lon, lat in points)
    assert all(set(f["properties"]) >= {"id", "status", "code"} for f in collection["features"])


def test_devices_listing(seeded: World) -> None:
    listed = {d["device_id"]: d for d in seeded.viewer.get("/api/v1/devices").json()}
    a, _ = seeded.devices
    assert listed[a]["registered"] and listed[a]["last_event_at"] is not None
    assert listed[a]["online"] is False  # no status or heartbeat yet
    assert seeded.viewer.get("/api/v1/devices/nobody").status == 404


def test_workflow_dispatch_escalation_and_kpis(fresh: World) -> None:
    a, _ = fresh.devices
    fresh.ingest(event_at(a, place=XH1))
    case_id = fresh.case_of(a)
    path = f"/api/v1/cases/{case_id}/transitions"

    filed = fresh.operator.post(path, {"action": "file", "note": "confirmed from the photo"}).json()

    assert filed["case"]["status"] == "dispatched"  # 智能派单 on filing
    assert filed["case"]["department"] == "xuhui-sanitation"
    trail = [(t["action"], t["actor"]) for t in filed["transitions"]]
    assert trail == [
        ("report", "system:ingest"),
        ("file", "token:operator"),
        ("dispatch", "system:dispatch"),
    ]
    assert filed["time_to_dispatch_s"] is not None
    refused = fresh.operator.post(path, {"action": "close"})
    assert refused.status == 409
    assert refused.json()["detail"] == (
        "cannot close a case that is dispatched; close is allowed from: handled"
    )

    fresh.clock.advance(timedelta(hours=5))  # the 4 h deadline passes: 督办
    assert CaseService(fresh.ctx).escalate_overdue() == [case_id]
    assert CaseService(fresh.ctx).escalate_overdue() == []  # once per deadline
    late = fresh.viewer.get(f"/api/v1/cases/{case_id}").json()
    assert late["case"]["overdue"] and late["case"]["escalations"] == 1
    assert late["transitions"][-1]["action"] == "escalate"
    assert fresh.viewer.get("/api/v1/stats").json()["overdue_now"] == 1
    assert [c["id"] for c in fresh.viewer.get("/api/v1/cases?overdue=true").json()["items"]] == [
        case_id
    ]

    fresh.operator.post(path, {"action": "handle"})
    closed = fresh.operator.post(path, {"action": "close", "note": "核查 ok"}).json()
    assert closed["case"]["status"] == "closed" and closed["time_to_close_s"] is not None

    stats = fresh.viewer.get("/api/v1/stats").json()
    assert (stats["reported"], stats["filed"], stats["closed"], stats["overdue_now"]) == (
        1,
        1,
        1,
        0,
    )
    assert (stats["filing_rate"], stats["handling_rate"], stats["closing_rate"]) == (1.0, 1.0, 1.0)
    assert stats["median_time_to_dispatch_s"] is not None
    assert stats["per_day"][0]["grid_id"] == "XH-CX-01"


def test_rejections_and_false_positive_rates(fresh: World) -> None:
    a, b = fresh.devices
    fresh.ingest(event_at(a, place=fresh_place()), event_at(b, place=fresh_place()))
    fp, real = fresh.case_of(a), fresh.case_of(b)
    missing = fresh.operator.post(f"/api/v1/cases/{fp}/transitions", {"action": "reject"})
    assert missing.status == 422 and "needs a reason" in missing.json()["detail"]
    body = {"action": "reject", "reason": "false_positive", "note": "a clean bin"}
    assert (
        fresh.operator.post(f"/api/v1/cases/{fp}/transitions", body).json()["case"]["status"]
        == "rejected"
    )
    fresh.operator.post(f"/api/v1/cases/{real}/transitions", {"action": "file"})

    stats = fresh.viewer.get("/api/v1/stats").json()
    by_class = {row["key"]: row for row in stats["false_positives_by_class"]}
    by_device = {row["key"]: row["rate"] for row in stats["false_positives_by_device"]}
    assert (by_class["garbage"]["decided"], by_class["garbage"]["rate"]) == (2, 0.5)
    assert by_device == {a: 1.0, b: 0.0}
    assert stats["filing_rate"] == 0.5


def test_merge_moves_events(fresh: World) -> None:
    a, b = fresh.devices
    fresh.ingest(event_at(a, place=fresh_place()), event_at(b, place=fresh_place()))
    source, target = fresh.case_of(a), fresh.case_of(b)
    body = {"action": "merge", "merge_into": target, "note": "same heap, two cameras"}
    merged = fresh.operator.post(f"/api/v1/cases/{source}/transitions", body).json()
    assert merged["case"]["status"] == "merged" and merged["case"]["merged_into"] == target
    kept = fresh.viewer.get(f"/api/v1/cases/{target}").json()
    assert kept["case"]["event_count"] == kept["case"]["sighting_count"] == 2
    assert {e["device_id"] for e in kept["events"]} == {a, b}
    assert kept["transitions"][-1]["action"] == "absorb"
    again = fresh.operator.post(f"/api/v1/cases/{source}/transitions", body)
    assert again.status == 409


def test_open311(seeded: World) -> None:
    requests = seeded.http.get("/open311/v2/requests.json").json()
    assert {r["status"] for r in requests} == {"open"}
    assert {"service_request_id", "service_code", "lat", "long", "requested_datetime"} <= set(
        requests[0]
    )
    one = requests[0]["service_request_id"]
    assert (
        seeded.http.get(f"/open311/v2/requests/{one}.json").json()[0]["service_request_id"] == one
    )
    assert seeded.http.get("/open311/v2/requests/999999.json").status == 404
    assert seeded.http.get("/open311/v2/requests.json?status=closed").json() == []

    operator_key = seeded.operator.token
    assert operator_key is not None
    form = {
        "api_key": operator_key,
        "service_code": "0504",
        "lat": "31.19",
        "long": "121.44",
        "description": "shop goods on the sidewalk",
    }
    created = seeded.http.post("/open311/v2/requests.json", form=form).json()
    new_id = created[0]["service_request_id"]
    detail = seeded.viewer.get(f"/api/v1/cases/{new_id}").json()
    assert (detail["case"]["origin"], detail["case"]["code"], detail["case"]["grid_id"]) == (
        "open311",
        "0504",
        "XH-CX-01",
    )
    assert detail["transitions"][0]["actor"] == "open311:operator"
    as_json = seeded.http.post("/open311/v2/requests.json", {**form, "service_code": "0102"})
    assert as_json.status == 200

    viewer_key = seeded.viewer.token or ""
    assert (
        seeded.http.post("/open311/v2/requests.json", form={**form, "api_key": viewer_key}).status
        == 403
    )
    bad = seeded.http.post("/open311/v2/requests.json", form={**form, "service_code": "9999"})
    assert bad.status == 400 and "unknown service_code" in bad.json()[0]["description"]


def test_dead_letters_and_quarantine_listings(seeded: World) -> None:
    stranger = example_device_id("stranger")
    IngestService(seeded.ctx).process(
        [inbound_raw(Topics().events(stranger), b"{oops"), *with_evidence(event_at(stranger))]
    )
    letters = seeded.viewer.get("/api/v1/dead-letters").json()
    assert any(
        item["device_id"] == stranger and "not valid JSON" in item["reason"]
        for item in letters["items"]
    )
    quarantined = seeded.viewer.get("/api/v1/quarantine").json()["items"]
    mine = [q for q in quarantined if q["device_id"] == stranger]
    assert mine and "not in the device registry" in mine[0]["quarantine_reason"]
    assert hashlib.sha256(example_image(EvidenceKind.CROP)).hexdigest() in {
        e["sha256"] for e in mine[0]["evidence"]
    }
