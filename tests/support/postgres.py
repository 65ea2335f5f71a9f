"""A fresh, uniquely named PostgreSQL database for one test session, dropped afterwards."""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

DSN_ENV = "STREETWATCH_TEST_PG_DSN"
"""Environment variable with the DSN of a server and a database to connect to for admin work."""

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
"""The admin DSN used when :data:`DSN_ENV` is not set."""

DATABASE_PREFIX = "streetwatch_test_"


class PostgresUnavailableError(RuntimeError):
    """The admin DSN does not lead to a usable PostgreSQL server; the message says why."""


def admin_dsn() -> str:
    """Return the admin DSN: ``$STREETWATCH_TEST_PG_DSN`` or :data:`DEFAULT_DSN`."""
    return os.environ.get(DSN_ENV) or DEFAULT_DSN


def with_database(dsn: str, dbname: str) -> str:
    """Return ``dsn`` pointing at ``dbname``, keeping its form (URL or ``key=value``)."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        return urlunsplit(parts._replace(path=f"/{dbname}"))
    return make_conninfo(dsn, dbname=dbname)


def _describe(dsn: str) -> str:
    """Return ``dsn`` without its password, for messages."""
    params = conninfo_to_dict(dsn)
    params.pop("password", None)
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


class TemporaryDatabase:
    """Creates ``streetwatch_test_<random>`` on the server of an admin DSN and drops it.

    Args:
        admin: DSN of a database on the server with the right to CREATE DATABASE.
        connect_timeout_s: how long to wait for the server before giving up.
    """

    def __init__(self, admin: str, connect_timeout_s: int = 3) -> None:
        self.admin = admin
        self.connect_timeout_s = connect_timeout_s
        self.name = f"{DATABASE_PREFIX}{secrets.token_hex(6)}"
        self.dsn = with_database(admin, self.name)

    def create(self) -> str:
        """Create the database and return its DSN.

        Raises:
            PostgresUnavailableError: the server cannot be reached or refuses CREATE DATABASE.
        """
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        return self.dsn

    def drop(self) -> None:
        """Drop the database, closing any connection still open to it (``FORCE``)."""
        self._execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        )

    def _execute(self, statement: sql.Composed) -> None:
        try:
            with psycopg.connect(
                self.admin, autocommit=True, connect_timeout=self.connect_timeout_s
            ) as conn:
                conn.execute(statement)
        except psycopg.Error as exc:
            raise PostgresUnavailableError(
                f"PostgreSQL at {_describe(self.admin)} is not usable "
                f"(set {DSN_ENV} to a server where CREATE DATABASE is allowed): {exc}"
            ) from exc
