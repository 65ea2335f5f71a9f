"""The ``mqtt:`` section of the edge and server config files: how to reach the broker.

The edge config uses :class:`MqttSettings` as it is; the server's adds a shared subscription
group. Both read the same keys and report the same errors. Whether ``ca_file`` can be used
(:func:`ca_file_problem`) is checked by the edge config, which lives on the box that holds the
certificate, and by both clients before they connect; not by this model, since a server
config is often checked on a machine other than the one that runs it.
"""

from __future__ import annotations

import re
import ssl
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator

from contracts.base import Frozen
from contracts.errors import ContractError
from contracts.topics import DEFAULT_PREFIX, Topics
from streetwatch.errors import UserError


def _blank_to_none(value: object) -> object:
    return None if value == "" else value


BlankIsNone = BeforeValidator(_blank_to_none)
"""An empty string (e.g. from ``${VAR:-}``) means the value is not set."""

_NAME_MISMATCH = (62, 64)
"""OpenSSL verify codes: host name / IP address not in the certificate."""
_SSL_NOISE = re.compile(r"^\[SSL: \w+\] | \(_ssl\.c:\d+\)$")


def describe_tls_error(broker: str, error: BaseException) -> str | None:
    """Return one sentence on a failed TLS handshake with ``broker``, or None for other errors.

    Args:
        broker: how the message names the broker, e.g. ``broker HOST:PORT``.
        error: what connecting raised.
    """
    if isinstance(error, ssl.SSLCertVerificationError):
        detail = str(error.verify_message or error.reason or error).rstrip(".")
        if error.verify_code in _NAME_MISMATCH:
            return (
                f"the TLS certificate of {broker} is for other names ({detail}); set mqtt.host "
                "to a name the certificate lists"
            )
        return (
            f"{broker} presented a TLS certificate that cannot be verified ({detail}); "
            "set mqtt.ca_file to the CA that signed it"
        )
    if isinstance(error, ssl.SSLError):
        detail = _SSL_NOISE.sub("", str(error.strerror or error.reason or error))
        return (
            f"the TLS handshake with {broker} failed ({detail}); check that mqtt.port is "
            "the broker's TLS port"
        )
    return None


def ca_file_problem(path: Path) -> str | None:
    """Return why the TLS CA file ``path`` cannot be used (a clause), or None if it can."""
    try:
        ssl.create_default_context(cafile=str(path))
    except FileNotFoundError:
        return "it does not exist"
    except ssl.SSLError:
        return "it holds no PEM certificate"
    except OSError as exc:  # a folder, no permission
        return f"it cannot be read ({exc.strerror or exc})"
    return None


def check_ca_file(mqtt: MqttSettings) -> None:
    """Raise a one-sentence :class:`UserError` if ``mqtt.ca_file`` is set but cannot be used."""
    if mqtt.tls and mqtt.ca_file is not None:
        problem = ca_file_problem(mqtt.ca_file)
        if problem is not None:
            raise UserError(f"mqtt.ca_file {mqtt.ca_file} cannot be used: {problem}")


class MqttSettings(Frozen):
    """How the edge node reaches the broker."""

    host: str = Field(min_length=1, title="Broker host", description="Broker host name or IP.")
    port: int = Field(1883, ge=1, le=65535, title="Broker port", description="1883; 8883 TLS.")
    tls: bool = Field(False, title="TLS", description="Connect with TLS.")
    ca_file: Annotated[Path | None, BlankIsNone] = Field(
        None, title="CA file", description="CA bundle for TLS; default the system store."
    )
    username: Annotated[str | None, BlankIsNone] = Field(
        None, title="User name", description="Broker user; empty for anonymous."
    )
    password: Annotated[SecretStr | None, BlankIsNone] = Field(
        None, title="Password", description="Broker password; give it as ${ENV}."
    )
    keepalive_s: int = Field(
        60, ge=5, le=3600, title="Keepalive", description="MQTT keepalive, seconds."
    )
    prefix: str = Field(DEFAULT_PREFIX, title="Topic prefix", description="Prefix of every topic.")
    client_id: Annotated[str | None, BlankIsNone] = Field(
        None, max_length=128, title="Client id", description="MQTT client id; default: device id."
    )

    @field_validator("prefix")
    @classmethod
    def _prefix_allowed(cls, value: str) -> str:
        try:
            return Topics(value).prefix
        except ContractError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _ca_file_needs_tls(self) -> MqttSettings:
        if self.ca_file is not None and not self.tls:
            raise ValueError("ca_file is set but tls is off; set 'tls: true' or drop ca_file")
        return self

    @model_validator(mode="after")
    def _password_needs_username(self) -> MqttSettings:
        if self.password is not None and self.username is None:
            raise ValueError("password is set without username")
        return self
