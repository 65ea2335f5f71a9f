"""Everything the services need, built once from the server config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from server.config import ServerConfig
from server.domain.grids import EMPTY_GRIDS, GridIndex, load_grids
from server.domain.taxonomy import Taxonomy, load_taxonomy
from server.evidence_files import EvidenceFiles
from server.metrics import ServerMetrics
from server.store.engine import Database

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time, UTC."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ServerContext:
    """The config, database, taxonomy, grids, evidence folder, metrics and clock."""

    config: ServerConfig
    database: Database
    taxonomy: Taxonomy
    grids: GridIndex
    evidence: EvidenceFiles
    metrics: ServerMetrics
    clock: Clock = utc_now


def build_context(
    config: ServerConfig, database: Database | None = None, clock: Clock = utc_now
) -> ServerContext:
    """Load the taxonomy and grid files and open the database (no connection yet).

    Raises:
        streetwatch.errors.UserError: the taxonomy or grid file cannot be used.
    """
    grids = EMPTY_GRIDS if config.grids is None else load_grids(config.grids)
    return ServerContext(
        config=config,
        database=database or Database(config.database.url),
        taxonomy=load_taxonomy(config.taxonomy),
        grids=grids,
        evidence=EvidenceFiles(config.evidence.dir, config.evidence.fsync),
        metrics=ServerMetrics(),
        clock=clock,
    )
