"""The few statements that differ between SQLite and PostgreSQL: insert-or-ignore and locks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_ignore(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (one executemany), skipping any whose primary or unique key exists."""
    if rows:
        session.execute(_insert(session, table).on_conflict_do_nothing(), [dict(r) for r in rows])


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    *,
    update: Callable[[Any], Mapping[str, Any]],
    where: Callable[[Any], Any] | None = None,
) -> None:
    """Insert ``rows`` (one executemany) or, where ``keys`` exist, update those rows.

    Args:
        session: the transaction.
        table: the table.
        rows: the rows to insert; all with the same columns.
        keys: columns of the unique constraint that may conflict.
        update: given the ``excluded`` (proposed) row, returns the columns to set.
        where: given ``excluded``, a condition the existing row must meet to be updated.
    """
    if not rows:
        return
    statement = _insert(session, table)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_=dict(update(excluded)),
        where=where(excluded) if where is not None else None,
    )
    session.execute(statement, [dict(row) for row in rows])


def lock_keys(session: Session, keys: Iterable[int], *, shared: bool = False) -> None:
    """Hold transaction-scoped locks on ``keys`` until commit, taken in ascending order.

    PostgreSQL: ``pg_advisory_xact_lock`` per key (ascending, so two workers never deadlock
    on them); ``shared``: ``pg_advisory_xact_lock_shared``, which only an exclusive holder
    of the key waits for. SQLite needs none: ``BEGIN IMMEDIATE`` already admits one writer at
    a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    for key in sorted(set(keys)):
        session.execute(text(f"SELECT {function}(:key)"), {"key": key})
