"""The central server's config file (``kind: server``): broker, database, HTTP and storage.

Load it with :func:`load_server_config`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from contracts.base import Frozen
from contracts.errors import ContractError
from contracts.topics import Topics
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


class EvidenceStore(Frozen):
    """Where evidence images are kept."""

    dir: Path = Field(
        Path("data/evidence"), title="Evidence folder", description="Folder of evidence files."
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


def load_server_config(path: Path) -> ServerConfig:
    """Load and validate a server config file.

    Raises:
        streetwatch.yamlconf.ConfigError: the file is not a valid server config.
    """
    return load_config(path, ServerConfig)
