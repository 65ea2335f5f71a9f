"""Verdicts on near-miss samples: the service on SQLite and PostgreSQL, the tuning report
that counts them, and the samples page over a real uvicorn."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.api_server import serving
from support.messages import example_device_id
from support.server_harness import ready_context, register, server_config
from support.tuning_world import decided_cases, ingest_samples
from support.web_world import WebClient, add_users

from server.domain.roles import Role
from server.services.auth import Principal
from server.services.samples import (
    NotAllowedError,
    SampleFilter,
    SampleNotFoundError,
    SampleService,
)
from server.services.tuning import TuningService
from server.store.tables import EventRow

pytestmark = pytest.mark.integration

OPERATOR = Principal("wang.li", Role.OPERATOR, kind="user")
ADMIN = Principal("boss", Role.ADMIN, kind="user")
VIEWER = Principal("wall", Role.VIEWER, kind="user")


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_list_judge_rejudge_and_who_may(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_dsn") if store == "postgresql" else None
    ctx = ready_context(server_config(tmp_path, url))
    pole, bike, stranger = (example_device_id(p) for p in ("pole", "bike", "odd"))
    register(ctx, pole, bike)
    garbage = ingest_samples(ctx, pole, [0.45, 0.5, 0.55])
    vendor = ingest_samples(ctx, bike, [0.4], label="street_vendor", threshold=0.5)
    ingest_samples(ctx, stranger, [0.5])  # unregistered: quarantined, never listed
    case = decided_cases(ctx, pole, [(0.7, True)])[0]
    service = SampleService(ctx)

    mine = service.list(SampleFilter(device=pole))
    assert mine.total == 3 and {s.event.event_id for s in mine.items} == set(garbage)
    order = [(s.event.last_seen, s.event.event_id) for s in mine.items]
    assert order == sorted(order, reverse=True)  # newest first
    first = mine.items[0]
    assert first.threshold == 0.6 and first.sighting is not None and first.positive is None
    assert {e.kind for e in first.event.evidence} == {"frame", "crop"}
    assert all(e.url for e in first.event.evidence)
    assert pole in mine.devices and stranger not in mine.devices
    assert "street_vendor" in mine.labels and "garbage" in mine.labels

    paged = [service.list(SampleFilter(device=pole, limit=2, offset=o)) for o in (0, 2)]
    assert [len(p.items) for p in paged] == [2, 1] and all(p.total == 3 for p in paged)
    only = service.list(SampleFilter(label="street_vendor", device=bike))
    assert [s.event.event_id for s in only.items] == vendor

    service.judge(garbage[0], True, OPERATOR)
    service.judge(garbage[1], False, ADMIN)
    service.judge(garbage[0], False, ADMIN)  # judging again replaces the verdict
    with pytest.raises(NotAllowedError):
        service.judge(garbage[2], True, VIEWER)
    with pytest.raises(SampleNotFoundError):
        service.judge("01HZZZZZZZZZZZZZZZZZZZZZZZ", True, OPERATOR)
    case_event = ctx.database.run(
        lambda session: session.query(EventRow.event_id).filter(EventRow.case_id == case).scalar()
    )
    with pytest.raises(SampleNotFoundError):  # an event of a case is not a sample
        service.judge(case_event, True, OPERATOR)

    pending = service.list(SampleFilter(device=pole))
    assert [s.event.event_id for s in pending.items] == [garbage[2]]
    judged = service.list(SampleFilter(device=pole, judged=True))
    verdicts = {s.event.event_id: (s.positive, s.judged_by) for s in judged.items}
    assert verdicts == {garbage[0]: (False, "user:boss"), garbage[1]: (False, "user:boss")}
    ctx.database.dispose()


def test_tuning_counts_judged_samples_per_class_and_device(tmp_path: Path) -> None:
    ctx = ready_context(server_config(tmp_path))
    pole, bike = example_device_id("pole"), example_device_id("bike")
    register(ctx, pole, bike)
    decided_cases(ctx, pole, [(0.65, False), (0.7, True), (0.8, True)], threshold=0.6)
    before = TuningService(ctx).report(target=0.6).classes[0]
    assert before.suggestion is not None and before.suggestion.threshold == 0.65
    assert before.samples == 0

    judged = ingest_samples(ctx, pole, [0.45, 0.5]) + ingest_samples(ctx, bike, [0.55])
    ingest_samples(ctx, bike, [0.3])  # never judged: not counted
    service = SampleService(ctx)
    for event_id, positive in zip(judged, [True, False, True], strict=True):
        service.judge(event_id, positive, OPERATOR)

    report = TuningService(ctx).report(target=0.6)
    garbage = next(row for row in report.classes if row.label == "garbage")
    assert (garbage.verdicts, garbage.samples) == (6, 3)
    assert garbage.current_threshold == 0.6
    at = {row.threshold: row for row in garbage.rows}
    assert (at[0.45].volume, at[0.45].samples, at[0.45].true_positives) == (6, 3, 4)
    assert at[0.45].precision == pytest.approx(4 / 6)
    assert (at[0.6].volume, at[0.6].samples) == (3, 0)  # above the samples: cases only
    # The samples reach below the threshold: the suggestion can now go there.
    assert garbage.suggestion is not None and garbage.suggestion.threshold == 0.45

    devices = {row.device_id: row for row in report.devices if row.label == "garbage"}
    assert (devices[pole].verdicts, devices[pole].samples) == (5, 2)
    assert (devices[bike].verdicts, devices[bike].samples) == (1, 1)
    assert devices[bike].current_threshold == 0.6  # from its samples' threshold in force
    ctx.database.dispose()


def test_samples_page_judges_with_csrf_and_shows_in_tuning(tmp_path: Path) -> None:
    ctx = ready_context(server_config(tmp_path))
    add_users(ctx)
    pole = example_device_id("pole")
    register(ctx, pole)
    decided_cases(ctx, pole, [(0.7, True)], threshold=0.6)
    sample = ingest_samples(ctx, pole, [0.5])[0]
    with serving(ctx) as http:
        viewer = WebClient(http.base)
        viewer.login("viewer")
        page = viewer.get("/ui/samples").body.decode()
        assert f'data-event="{sample}"' in page and "judge-true" not in page
        assert 'class="bbox"' in page and "/ui/evidence/" in page and "0.50" in page

        operator = WebClient(http.base)
        operator.login("operator")
        page = operator.get(f"/ui/samples?device={pole}").body.decode()
        assert "judge-true" in page and 'data-key="c"' in page and 'data-key="r"' in page
        token = operator.csrf("/ui/samples")
        url = f"/ui/samples/{sample}/verdict"
        assert operator.post(url, {"verdict": "true"}).status == 403  # no CSRF token
        assert operator.post(url, {"verdict": "maybe", "csrf": token}).status == 422
        back = f"device={pole}&ok=evil"
        answer = operator.post(url, {"verdict": "true", "csrf": token, "back": back})
        assert answer.status == 303
        assert answer.headers["location"] == f"/ui/samples?device={pole}&ok=true"
        assert f'data-event="{sample}"' not in operator.get("/ui/samples").body.decode()
        judged = operator.get("/ui/samples?judged=1").body.decode()
        assert f'data-event="{sample}"' in judged and "user:operator" in judged

        missing = operator.post("/ui/samples/nothing/verdict", {"verdict": "true", "csrf": token})
        assert missing.status == 303 and "error=" in missing.headers["location"]

        tuning = operator.get("/ui/tuning").body.decode()
        assert '<span class="sample-count">1</span>' in tuning
    ctx.database.dispose()
