"""Schema migrations with alembic: upgrade to the newest revision, or check that it is there.

The scripts live in ``server/migrations``. On PostgreSQL the upgrade holds an advisory lock,
so several workers starting at once migrate one after the other.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from server.store.engine import Database, DatabaseUnavailableError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"
MIGRATION_LOCK_KEY = 0x5357_4D49_4752  # "SWMIGR"


def alembic_config() -> Config:
    """Return the alembic configuration of the server's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """Return the newest revision in ``server/migrations``."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package ships revisions
        raise RuntimeError("no migrations found")
    return head


def current_revision(database: Database) -> str | None:
    """Return the revision the database is at (None: never migrated).

    Raises:
        DatabaseUnavailableError: the database cannot be reached.
    """
    try:
        with database.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DBAPIError as exc:
        raise DatabaseUnavailableError(database.unreachable(exc)) from None


def upgrade(database: Database) -> str:
    """Bring the database to the newest revision; return it.

    Raises:
        DatabaseUnavailableError: the database cannot be reached or refuses the change.
    """
    config = alembic_config()
    try:
        with database.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            config.attributes["connection"] = conn
            before = MigrationContext.configure(conn).get_current_revision()
            command.upgrade(config, "head")
    except DBAPIError as exc:
        raise DatabaseUnavailableError(database.unreachable(exc)) from None
    head = head_revision()
    if before != head:
        logger.info("database %s migrated from %s to %s", database.name, before, head)
    return head


def require_current(database: Database) -> None:
    """Raise unless the database is at the newest revision.

    Raises:
        DatabaseUnavailableError: unreachable, or not migrated (run 'streetwatch server migrate').
    """
    current, head = current_revision(database), head_revision()
    if current != head:
        raise DatabaseUnavailableError(
            f"the database {database.name} is at revision {current or '(none)'}, this server "
            f"needs {head}; run 'streetwatch server migrate -c CONFIG'"
        )
