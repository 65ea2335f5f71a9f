"""One benchmark run: per store, the bare MQTT rate and the server's, repeated; medians."""

from __future__ import annotations

import secrets
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts import encode
from server.bench.broker import PrivateMosquitto
from server.bench.ingest_bench import bare_rate, measure_server
from server.bench.workload import Workload, build_events, device_ids
from server.config import ServerConfig
from streetwatch.errors import UserError


@dataclass(frozen=True)
class BenchSettings:
    """What to measure."""

    base: ServerConfig
    workload: Workload
    repeat: int = 3
    latency_rate: float = 500.0
    latency_s: float = 10.0
    postgres_admin_dsn: str | None = None


@dataclass(frozen=True)
class StoreResult:
    """Medians over the repeats for one store."""

    store: str
    bare_per_s: float
    server_per_s: float
    ratio: float
    p50_ms: float
    p99_ms: float
    runs: list[tuple[float, float, float, float]]  # bare, server, p50, p99 per repeat


@contextmanager
def _postgres(admin_dsn: str) -> Iterator[str]:
    """Create a throw-away database on the admin DSN's server; yield its URL."""
    try:
        import psycopg  # noqa: PLC0415
        from psycopg import sql  # noqa: PLC0415
        from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: PLC0415
    except ImportError:
        raise UserError("--postgres needs psycopg: pip install 'streetwatch[postgres]'") from None
    name = f"streetwatch_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise UserError(f"cannot create a benchmark database: {str(exc).strip()}") from None
    params: dict[str, Any] = {k: v for k, v in conninfo_to_dict(admin_dsn).items() if v}
    params["dbname"] = name
    user, host = params.get("user", ""), params.get("host", "localhost")
    port, password = params.get("port", 5432), params.get("password")
    auth = f"{user}:{password}@" if password else f"{user}@"
    try:
        yield f"postgresql://{auth}{host}:{port}/{name}"
    finally:
        with psycopg.connect(make_conninfo(admin_dsn), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _config(settings: BenchSettings, host: str, port: int, url: str, folder: Path) -> ServerConfig:
    data = settings.base.model_dump(mode="json", exclude_none=True)
    data.update(
        mqtt={"host": host, "port": port, "shared_group": "bench"},
        database={"url": url},
        evidence={"dir": str(folder / "evidence"), "fsync": True},
        data_dir=str(folder),
        taxonomy=str(settings.base.taxonomy.resolve()),
    )
    if settings.base.grids is not None:
        data["grids"] = str(settings.base.grids.resolve())
    return ServerConfig.model_validate(data)


def run_bench(settings: BenchSettings, folder: Path, report: Any) -> list[StoreResult]:
    """Measure every store; ``report(text)`` gets a line per measurement."""
    payloads = [encode(e) for e in build_events(settings.workload, device_ids(20, "bare"))]
    stores = [("sqlite", None)] + (
        [("postgresql", settings.postgres_admin_dsn)] if settings.postgres_admin_dsn else []
    )
    results = []
    with PrivateMosquitto() as broker:
        for store, admin in stores:
            runs = []
            for index in range(settings.repeat):
                bare = bare_rate(broker.host, broker.port, payloads)
                with _store_url(store, admin, folder / f"{store}-{index}") as url:
                    config = _config(
                        settings, broker.host, broker.port, url, folder / f"{store}-{index}"
                    )
                    server = measure_server(
                        config, settings.workload, settings.latency_rate, settings.latency_s
                    )
                runs.append(
                    (bare, server.events_per_s, server.latency_p50_ms, server.latency_p99_ms)
                )
                report(
                    f"{store} run {index + 1}: bare {bare:,.0f} msg/s, "
                    f"server {server.events_per_s:,.0f} events/s, "
                    f"ratio {server.events_per_s / bare:.2f}; at {settings.latency_rate:g}/s "
                    f"p50 {server.latency_p50_ms:.1f} ms p99 {server.latency_p99_ms:.1f} ms"
                )
            results.append(_medians(store, runs))
    return results


@contextmanager
def _store_url(store: str, admin: str | None, folder: Path) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    if store == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    assert admin is not None
    with _postgres(admin) as url:
        yield url


def _medians(store: str, runs: list[tuple[float, float, float, float]]) -> StoreResult:
    bare, server, p50, p99 = (statistics.median(column) for column in zip(*runs, strict=True))
    ratios = [s / b for b, s, _, _ in runs]
    return StoreResult(store, bare, server, statistics.median(ratios), p50, p99, runs)
