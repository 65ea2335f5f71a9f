"""Engine and transactions for SQLite (WAL, one writer at a time) and PostgreSQL (psycopg 3).

:class:`Database` hands out sessions in transactions and retries a transaction after a
transient error (deadlock, serialization failure, a busy SQLite file, a dropped connection).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from streetwatch.errors import UserError

logger = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57P01"})
"""serialization_failure, deadlock_detected, lock_not_available, admin_shutdown."""


class DatabaseUnavailableError(UserError):
    """The database cannot be opened or reached; the message names it without its password."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=3)


def normalise_url(url: str) -> URL:
    """Return the SQLAlchemy URL: ``postgresql://`` means psycopg 3.

    Raises:
        DatabaseUnavailableError: the URL cannot be parsed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailableError("the database url cannot be parsed") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def describe(url: URL) -> str:
    """Return the URL with its password hidden, for messages and logs."""
    return url.render_as_string(hide_password=True)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailableError(
                f"cannot create the database folder {folder}: {exc.strerror or exc}"
            ) from None
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at BEGIN: two writers never deadlock on a lock upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 10},
    )


def is_transient(error: BaseException) -> bool:
    """Return True if retrying the transaction may succeed."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    if sqlstate in TRANSIENT_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "locked" in str(error.orig)


class Database:
    """One database: its engine and a session factory.

    Args:
        url: ``sqlite:///PATH`` or ``postgresql://...``.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.name = describe(self.url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = _postgres_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session in a transaction; commit on success, roll back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def run(self, work: Callable[[Session], T], retries: int = 5) -> T:
        """Run ``work`` in a transaction, retrying after transient errors.

        ``work`` must be safe to run again: a retry starts from a rolled-back transaction.
        """
        for attempt in range(retries + 1):
            try:
                with self.transaction() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt >= retries or not is_transient(exc):
                    raise
                delay = min(2.0, 0.02 * 2**attempt)
                logger.warning("transient database error, retry in %.2fs: %s", delay, exc.orig)
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def check(self) -> None:
        """Raise :class:`DatabaseUnavailableError` unless the database answers a query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            raise DatabaseUnavailableError(self.unreachable(exc)) from None

    def unreachable(self, exc: BaseException) -> str:
        """Return the one-sentence message for a database that cannot be used."""
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()
        return f"cannot use the database {self.name}: {detail[0] if detail else exc}"

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
