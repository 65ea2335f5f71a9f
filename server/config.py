"""The central server's config file (``kind: server``).

Broker, database, HTTP, evidence storage, ingest batching, case clustering, the taxonomy and
grid files and the dispatch rules.

Load it with :func:`load_server_config`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from contracts.base import Frozen, Label
from contracts.errors import ContractError
from contracts.topics import Topics
from server.domain.clustering import ClusterParams, RecurrencePolicy
from server.domain.dispatch import DispatchSettings
from streetwatch.mqtt_settings import BlankIsNone, MqttSettings
from streetwatch.yamlconf import load_config

DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")
"""URL schemes of the supported stores: embedded SQLite and PostgreSQL (psycopg 3)."""


class ServerMqttSettings(MqttSettings):
    """How the server reaches the broker."""

    client_id: Annotated[str | None, BlankIsNone] = Field(
        None,
        max_length=128,
        title="Client id",
        description="MQTT client id; default: one per worker process, made at start.",
    )
    shared_group: Annotated[str | None, BlankIsNone] = Field(
        None,
        title="Shared subscription group",
        description="MQTT 5 $share group so several workers split the load; "
        "leave empty for brokers without shared subscriptions (one worker).",
    )

    @field_validator("shared_group")
    @classmethod
    def _group_allowed(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Topics.shared(value, "#")
            except ContractError:
                allowed = "1-64 letters, digits, '_', '.', '-'"
                raise ValueError(f"shared_group {value!r} is not allowed: use {allowed}") from None
        return value


class DatabaseSettings(Frozen):
    """Where cases and events are stored."""

    url: str = Field(
        "sqlite:///data/streetwatch.db",
        title="Database URL",
        description="sqlite:///PATH or postgresql://USER:${PASSWORD}@HOST/DB.",
    )

    @field_validator("url")
    @classmethod
    def _supported_scheme(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in DATABASE_SCHEMES or not rest:
            # The URL may hold a password: name only the scheme.
            raise ValueError(
                f"database url scheme {scheme if sep else '(none)'!r} is not supported: "
                f"use {', '.join(s + '://' for s in DATABASE_SCHEMES)}"
            )
        return value


class HttpSettings(Frozen):
    """Where the REST API and the review UI listen."""

    host: str = Field("127.0.0.1", min_length=1, title="Host", description="Listen address.")
    port: int = Field(8080, ge=1, le=65535, title="Port", description="Listen port.")
    session_hours: float = Field(
        12.0,
        gt=0.0,
        le=24.0 * 30,
        title="Session lifetime",
        description="Hours a review-UI login lasts before the user must log in again.",
    )
    tile_url: Annotated[str | None, BlankIsNone] = Field(
        None,
        title="Map tiles",
        description=(
            "Tile URL template of the case map, e.g. https://tiles.example/{z}/{x}/{y}.png; "
            "empty: the map plots the points on a plain grid."
        ),
    )
    tile_gcj02: bool = Field(
        False,
        title="GCJ-02 tiles",
        description="The tiles are in GCJ-02 (AMap, Tencent): convert WGS-84 points for them.",
    )


class EvidenceStore(Frozen):
    """Where evidence images are kept."""

    dir: Path = Field(
        Path("data/evidence"), title="Evidence folder", description="Folder of evidence files."
    )
    fsync: bool = Field(
        True,
        title="Flush to disk",
        description="fsync each new evidence file before its event is acknowledged.",
    )
    early_max_age_h: float = Field(
        72.0,
        ge=1.0,
        le=24.0 * 365,
        title="Early evidence age",
        description="Hours evidence waits for its event; older early evidence is deleted.",
    )
    prune_check_s: float = Field(
        3600.0,
        ge=10.0,
        le=86400.0,
        title="Prune check",
        description="Seconds between scans for early evidence older than early_max_age_h.",
    )


class IngestSettings(Frozen):
    """How the MQTT consumer groups messages into database transactions (group commit)."""

    batch_max: int = Field(
        500, ge=1, le=5000, title="Batch size", description="Most messages per transaction."
    )
    batch_wait_ms: float = Field(
        5.0,
        ge=0.0,
        le=1000.0,
        title="Batch wait",
        description="How long a batch waits for more messages after its first, milliseconds.",
    )
    queue_max: int = Field(
        20000,
        ge=10,
        le=1_000_000,
        title="Queue size",
        description="Messages received but not yet committed; the MQTT thread waits when full.",
    )
    dead_letter_max_bytes: int = Field(
        65536,
        ge=0,
        le=16 * 1024 * 1024,
        title="Dead-letter size bound",
        description="Raw bytes of a refused message kept in the dead-letter table.",
    )
    puback_after_commit: bool = Field(
        False,
        title="PUBACK after commit",
        description="Acknowledge MQTT deliveries only after the database commit. Safer against "
        "a crashed worker without an edge outbox, but the broker then holds back deliveries "
        "beyond its in-flight window (Mosquitto max_inflight_messages, default 20), which "
        "caps each batch. Devices rely on the commit-ack either way.",
    )
    offline_after_s: float = Field(
        180.0,
        ge=10.0,
        le=86400.0,
        title="Offline after",
        description="A device without a heartbeat for this many seconds shows as offline.",
    )
    commit_retries: int = Field(
        5,
        ge=0,
        le=100,
        title="Commit retries",
        description="Attempts after a transient database error (deadlock, lost connection).",
    )


class ClusterSettings(Frozen):
    """How close in space and time sightings of one class must be to make one case."""

    radius_m: float = Field(
        25.0, gt=0.0, le=2000.0, title="Radius", description="Metres from the case location."
    )
    window_h: float = Field(
        24.0,
        gt=0.0,
        le=24.0 * 90,
        title="Time window",
        description="Hours between the case's last sighting and a new one.",
    )

    def params(self) -> ClusterParams:
        """Return the clustering parameters."""
        return ClusterParams(self.radius_m, timedelta(hours=self.window_h))


class CaseSettings(Frozen):
    """Case building and follow-up."""

    default: ClusterSettings = Field(
        default_factory=ClusterSettings,
        title="Default clustering",
        description="Radius and window of classes not listed under classes.",
    )
    classes: dict[Label, ClusterSettings] = Field(
        default_factory=dict,
        title="Per-class clustering",
        description="Radius and window by detector label.",
    )
    reopen_window_h: float = Field(
        72.0,
        ge=0.0,
        le=24.0 * 365,
        title="Reopen window",
        description="Hours after closing in which a new sighting reopens the case (复发).",
    )
    link_lookback_days: float = Field(
        90.0,
        ge=0.0,
        le=3650.0,
        title="Link look-back",
        description="Days after closing in which a new case is linked to the closed one.",
    )
    escalation_check_s: float = Field(
        60.0,
        ge=1.0,
        le=86400.0,
        title="Escalation check",
        description="Seconds between scans for overdue dispatched cases (督办).",
    )

    def cluster_params(self, label: str) -> ClusterParams:
        """Return the clustering parameters of ``label``."""
        return self.classes.get(label, self.default).params()

    def recurrence(self) -> RecurrencePolicy:
        """Return the reopen and link policy."""
        return RecurrencePolicy(
            timedelta(hours=self.reopen_window_h), timedelta(days=self.link_lookback_days)
        )


class ServerConfig(Frozen):
    """The config file of the central case-creator.

    The top-level ``kind: server`` tells it from an edge config (``kind: edge``):
    ``streetwatch config check`` picks the model by that key, and loading an edge file
    as a server config fails on it.
    """

    version: Literal[1] = Field(title="Version", description="Format of this file; always 1.")
    kind: Literal["server"] = Field(title="Kind", description="'server' for the case-creator.")
    mqtt: ServerMqttSettings = Field(title="MQTT", description="Broker connection.")
    database: DatabaseSettings = Field(
        default_factory=DatabaseSettings, title="Database", description="The store."
    )
    http: HttpSettings = Field(
        default_factory=HttpSettings, title="HTTP", description="API and review UI."
    )
    evidence: EvidenceStore = Field(
        default_factory=EvidenceStore, title="Evidence", description="Evidence storage."
    )
    data_dir: Path = Field(
        Path("data"),
        title="Data folder",
        description="Folder for the server's local state; created on start.",
    )
    timezone: str = Field(
        "Asia/Shanghai",
        title="Time zone",
        description="IANA zone of the bureau: days in the KPIs are local days.",
    )
    ingest: IngestSettings = Field(
        default_factory=IngestSettings, title="Ingest", description="Batching and dead letters."
    )
    cases: CaseSettings = Field(
        default_factory=CaseSettings, title="Cases", description="Clustering and follow-up."
    )
    taxonomy: Path = Field(
        Path("models/taxonomy.yaml"),
        title="Taxonomy file",
        description="Case codes and the label mapping (kind: taxonomy).",
    )
    grids: Annotated[Path | None, BlankIsNone] = Field(
        None,
        title="Grid file",
        description="GeoJSON responsibility grids (网格); empty: no grids.",
    )
    dispatch: DispatchSettings = Field(
        default_factory=DispatchSettings,
        title="Dispatch",
        description="Departments and rules (code x grid to department).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name") from None
        return value


def load_server_config(path: Path) -> ServerConfig:
    """Load and validate a server config file.

    Raises:
        streetwatch.yamlconf.ConfigError: the file is not a valid server config.
    """
    return load_config(path, ServerConfig)
