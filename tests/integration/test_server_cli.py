"""``streetwatch server``: migrate, check, tokens, devices, ``run``, and one-sentence errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from support.api_server import Http
from support.mosquitto import MosquittoServer
from support.server_harness import ROOT, server_config
from support.server_process import ServerProcess, write_config
from support.services import LOOPBACK, free_port

from server.store.engine import Database
from server.store.migrate import head_revision, upgrade
from server.store.tables import metadata
from streetwatch.cli import main

pytestmark = pytest.mark.integration


def _config(tmp_path: Path, **sections: Any) -> Path:
    data = server_config(tmp_path, **sections).model_dump(mode="json", exclude_none=True)
    return write_config(tmp_path / "server.yaml", data)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_migrations_match_the_tables(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        request.getfixturevalue("pg_dsn") if store == "postgresql" else f"sqlite:///{tmp_path}/m.db"
    )
    database = Database(url)
    assert upgrade(database) == head_revision()
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    database.dispose()


def test_migrate_check_tokens_and_devices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(_config(tmp_path))
    code, out, _ = _run(capsys, "server", "check", "-c", config)
    assert code == 0 and "needs 0005" in out and "OK taxonomy" in out and "3 grids" in out
    code, _, err = _run(capsys, "server", "token", "create", "desk", "-c", config)
    assert code == 3 and "run 'streetwatch server migrate -c CONFIG'" in err

    assert _run(capsys, "server", "migrate", "-c", config)[0] == 0
    assert "up to date" in _run(capsys, "server", "check", "-c", config)[1]
    code, out, _ = _run(
        capsys, "server", "token", "create", "desk", "--role", "operator", "-c", config
    )
    assert code == 0 and out.startswith("sw_") and len(out.strip()) > 30
    assert _run(capsys, "server", "token", "create", "desk", "-c", config)[2] == (
        "streetwatch: a token named 'desk' exists; pick another name\n"
    )
    assert "desk\toperator\tactive" in _run(capsys, "server", "token", "list", "-c", config)[1]
    assert _run(capsys, "server", "token", "revoke", "desk", "-c", config)[1] == "revoked desk\n"
    assert _run(capsys, "server", "token", "revoke", "desk", "-c", config)[0] == 2

    add = ("server", "device", "add", "pole-7", "--name", "杆 7", "--lat", "31.2", "--lon", "121.4")
    assert _run(capsys, *add, "-c", config)[1] == "registered pole-7 (杆 7)\n"
    assert (
        _run(capsys, "server", "device", "disable", "pole-7", "-c", config)[1]
        == "pole-7 disabled\n"
    )
    listed = json.loads(_run(capsys, "server", "device", "list", "-c", config)[1])
    assert (listed["device_id"], listed["enabled"], listed["online"]) == ("pole-7", False, False)
    code, _, err = _run(capsys, "server", "device", "enable", "nobody", "-c", config)
    assert (code, err) == (2, "streetwatch: device 'nobody' is not in the registry\n")
    bad = ("server", "device", "add", "bad id!", "--name", "x", "-c", config)
    assert _run(capsys, *bad)[2].startswith("streetwatch: device_id: String should match pattern")


@pytest.mark.parametrize(
    ("sections", "args", "code", "message"),
    [
        (
            {"mqtt": {"host": LOOPBACK, "port": 1}},
            ["--no-api"],
            4,
            f"streetwatch: cannot reach the MQTT broker at {LOOPBACK}:1: Connection refused",
        ),
        (
            {"database": {"url": "postgresql://sw:hunter2@127.0.0.1:1/sw"}},
            [],
            3,
            "streetwatch: cannot use the database postgresql+psycopg://sw:***@127.0.0.1:1/sw",
        ),
        ({"grids": "/nonexistent/grids.geojson"}, [], 2, "streetwatch: /nonexistent/grids.geojson"),
        (
            {"taxonomy": "/nonexistent/t.yaml"},
            [],
            2,
            "streetwatch: /nonexistent/t.yaml: no such file",
        ),
        ({}, ["--no-api", "--no-ingest"], 2, "streetwatch: --no-api and --no-ingest together"),
    ],
    ids=["broker unreachable", "database unreachable", "no grids", "no taxonomy", "nothing to run"],
)
def test_start_up_errors_are_one_sentence(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sections: dict[str, object],
    args: list[str],
    code: int,
    message: str,
) -> None:
    config = str(_config(tmp_path, **sections))
    got, _, err = _run(capsys, "server", "run", "-c", config, *args)
    assert got == code
    last = err.strip().splitlines()[-1]
    assert last.startswith(message), err
    assert "Traceback" not in err and "hunter2" not in err


def test_server_run_serves_the_api_and_stops_on_sigterm(
    tmp_path: Path, mosquitto: MosquittoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    config = _config(
        tmp_path,
        mqtt={"host": mosquitto.host, "port": mosquitto.port},
        http={"host": LOOPBACK, "port": port},
        taxonomy=str(ROOT / "models" / "taxonomy.yaml"),
    )
    process = ServerProcess(config)
    ready = process.start()
    try:
        assert f"API on http://{LOOPBACK}:{port}" in ready
        token = _run(capsys, "server", "token", "create", "ops", "-c", str(config))[1].strip()
        http = Http(f"http://{LOOPBACK}:{port}", token)
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/api/v1/me").json()["actor"] == "token:ops"
    finally:
        assert process.stop() == 0
