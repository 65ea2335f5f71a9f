"""The ``pg_dsn`` fixture gives a reachable, fresh PostgreSQL database that is dropped after."""

from __future__ import annotations

import pytest
from support.services import require_module

require_module("psycopg", "pip install 'streetwatch[postgres]'")

import psycopg  # noqa: E402
from support.postgres import DATABASE_PREFIX, TemporaryDatabase, admin_dsn  # noqa: E402

pytestmark = pytest.mark.integration


def _public_tables(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return [str(row[0]) for row in rows]


def _database_exists(admin: str, name: str) -> bool:
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    return row is not None and row[0] == 1


def test_pg_dsn_is_a_private_database_that_stores_rows(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        current = conn.execute("SELECT current_database()").fetchone()
        conn.execute("CREATE TABLE harness_probe (id serial PRIMARY KEY, note text NOT NULL)")
        conn.execute("INSERT INTO harness_probe (note) VALUES (%s), (%s)", ("one", "two"))
        rows = conn.execute("SELECT note FROM harness_probe ORDER BY id").fetchall()
        conn.execute("DROP TABLE harness_probe")  # leave the session's database as found

    assert current is not None and str(current[0]).startswith(DATABASE_PREFIX)
    assert rows == [("one",), ("two",)]


def test_temporary_database_starts_empty_and_is_dropped_despite_open_connections(
    pg_dsn: str,
) -> None:
    database = TemporaryDatabase(admin_dsn())
    dsn = database.create()
    assert dsn != pg_dsn
    assert _public_tables(dsn) == []
    lingering = psycopg.connect(dsn)  # DROP ... WITH (FORCE) must not wait for it
    try:
        database.drop()
    finally:
        lingering.close()

    assert not _database_exists(admin_dsn(), database.name)
