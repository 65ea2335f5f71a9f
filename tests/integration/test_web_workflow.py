"""The whole workflow through the review UI's forms: file, dispatch, handle, close, merge.

Real uvicorn over SQLite; cases come from the real ingest service; every action is a form
post with the session's CSRF token, and its outcome is read back from the services.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from support.api_server import serving
from support.messages import example_device_id
from support.server_harness import metres_north, ready_context, register, server_config
from support.web_world import WebClient, add_users, ingest_scene, scene_event

from server.services.case_queries import CaseFilter
from server.services.context import ServerContext
from server.services.reads import Reads

pytestmark = pytest.mark.integration
NOWHERE = (31.05, 121.25)  # outside every grid: no dispatch rule, stays filed


@dataclass
class Desk:
    ctx: ServerContext
    client: WebClient
    devices: tuple[str, str]

    def act(self, case_id: int, **form: str) -> dict[str, list[str]]:
        token = self.client.csrf(f"/ui/cases/{case_id}")
        reply = self.client.post(f"/ui/cases/{case_id}/act", {"csrf": token, **form})
        assert reply.status == 303, reply.body[:300]
        return parse_qs(urlsplit(reply.headers["location"]).query)

    def status(self, case_id: int) -> str:
        detail = Reads(self.ctx).case(case_id)
        assert detail is not None
        return detail.case.status.value


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    ctx = ready_context(server_config(tmp_path))
    add_users(ctx)
    a, b = example_device_id("pole"), example_device_id("bike")
    register(ctx, a, b)
    ingest_scene(ctx, scene_event(a, NOWHERE, seed=7), seed=7)
    # Another device sees the same garbage 400 m away: a separate case to merge.
    ingest_scene(ctx, scene_event(b, (metres_north(NOWHERE[0], 400), NOWHERE[1]), 8), seed=8)
    with serving(ctx) as http:
        client = WebClient(http.base)
        assert client.login("operator").status == 303
        yield Desk(ctx, client, (a, b))
    ctx.database.dispose()


def _case_of(desk: Desk, device: str) -> int:
    return Reads(desk.ctx).cases(CaseFilter(device=[device])).items[0].id


def test_file_dispatch_handle_close_through_the_forms(desk: Desk) -> None:
    case_id = _case_of(desk, desk.devices[0])
    assert desk.act(case_id, action="close") == {
        "error": ["cannot close a case that is reported; close is allowed from: handled"]
    }
    assert desk.act(case_id, action="file") == {"ok": ["file"]}
    assert desk.status(case_id) == "filed"  # outside every grid: left for an operator
    page = desk.client.get(f"/ui/cases/{case_id}").body.decode()
    assert 'id="act-dispatch"' in page and 'id="act-file"' not in page
    assert desk.act(case_id, action="dispatch") == {
        "error": ["no dispatch rule covers code 0102 in grid (none); name a department"]
    }
    assert desk.act(case_id, action="dispatch", department="xuhui-sanitation") == {
        "ok": ["dispatch"]
    }
    assert desk.act(case_id, action="handle") == {"ok": ["handle"]}
    assert desk.act(case_id, action="close") == {"ok": ["close"]}
    detail = Reads(desk.ctx).case(case_id)
    assert detail is not None and detail.case.status.value == "closed"
    assert detail.case.department == "xuhui-sanitation"
    actors = {t.action: t.actor for t in detail.transitions}
    assert actors["close"] == actors["dispatch"] == "user:operator"
    page = desk.client.get(f"/ui/cases/{case_id}").body.decode()
    assert "已结案件再次发现时会自动复发" in page  # reopening is by ingest only


def test_merge_into_another_case_and_refuse_a_bad_target(desk: Desk) -> None:
    source, target = (_case_of(desk, device) for device in desk.devices)
    page = desk.client.get(f"/ui/cases/{source}").body.decode()
    assert f'<option value="{target}">' in page  # offered as a merge target
    assert "error" in desk.act(source, action="merge", merge_into=str(source))
    assert "error" in desk.act(source, action="merge", merge_into="99999")
    assert desk.act(source, action="merge", merge_into=str(target)) == {"ok": ["merge"]}
    assert desk.status(source) == "merged"
    merged = Reads(desk.ctx).case(target)
    assert merged is not None and merged.case.sighting_count == 2
    assert {e.device_id for e in merged.events} == set(desk.devices)
    assert "error" in desk.act(source, action="reopen")  # not an operator action


def test_case_list_filters_and_search(desk: Desk) -> None:
    source = _case_of(desk, desk.devices[0])
    listing = desk.client.get("/ui/cases?status=reported").body.decode()
    assert listing.count('<tr>\n  <td><a href="/ui/cases/') == 2
    assert desk.client.get("/ui/cases?status=closed").body.decode().count("/ui/cases/") == 0
    found = desk.client.get(f"/ui/cases?q={desk.devices[0]}").body.decode()
    assert f'href="/ui/cases/{source}"' in found and found.count("<tr>\n  <td><a href") == 1
    jump = desk.client.get(f"/ui/cases?q=%23{source}")
    assert jump.status == 303 and jump.headers["location"] == f"/ui/cases/{source}"
    missing = desk.client.get("/ui/cases/424242")
    assert missing.status == 404 and b"no case 424242" in missing.body and b"<html" in missing.body


def test_reject_with_a_reason_and_notes_are_shown_escaped(desk: Desk) -> None:
    case_id = _case_of(desk, desk.devices[0])
    note = "<script>alert(1)</script> 持证摊位"
    assert desk.act(case_id, action="reject", reason="permitted", note=note) == {"ok": ["reject"]}
    page = desk.client.get(f"/ui/cases/{case_id}").body.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 持证摊位" in page
    assert '<b id="case-reason">已许可</b>' in page
    detail = Reads(desk.ctx).case(case_id)
    assert detail is not None and detail.reject_reason == "permitted"
    assert "error" in desk.act(case_id, action="reject", reason="no-such-reason")
