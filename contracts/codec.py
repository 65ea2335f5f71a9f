"""Encoding and decoding of payloads, with one readable reason for every refusal."""

from __future__ import annotations

import hashlib
import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from contracts.errors import ContractError
from contracts.messages import (
    SCHEMA_VERSION,
    Ack,
    ConfigPush,
    EvidenceItem,
    Heartbeat,
    Status,
    ViolationEvent,
)
from contracts.topics import MessageKind

__all__ = ["PAYLOAD_MODELS", "ContractError", "decode", "encode", "verify_evidence"]

PAYLOAD_MODELS: dict[MessageKind, type[BaseModel]] = {
    MessageKind.EVENTS: ViolationEvent,
    MessageKind.STATUS: Status,
    MessageKind.HEARTBEAT: Heartbeat,
    MessageKind.ACKS: Ack,
    MessageKind.CONFIG: ConfigPush,
}
"""The JSON payload model of each kind (evidence payloads are raw image bytes)."""

M = TypeVar("M", bound=BaseModel)


def encode(message: BaseModel) -> bytes:
    """Return the compact UTF-8 JSON of a payload model."""
    return message.model_dump_json(exclude_none=False).encode("utf-8")


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def decode(kind: MessageKind, payload: bytes, model: type[M] | None = None) -> M:
    """Parse and validate a JSON payload of ``kind``; raise :class:`ContractError` if invalid."""
    if kind is MessageKind.EVIDENCE:
        raise ContractError("evidence payloads are raw bytes, not JSON")
    target = model or PAYLOAD_MODELS[kind]
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractError(f"{kind.value} payload is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ContractError(f"{kind.value} payload is not a JSON object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ContractError(
            f"{kind.value} payload has schema_version {version!r}; "
            f"this build speaks {SCHEMA_VERSION}"
        )
    try:
        decoded = target.model_validate(data)
    except ValidationError as exc:
        raise ContractError(f"invalid {kind.value} payload: {_describe(exc)}") from None
    if model is None or isinstance(decoded, model):
        return decoded  # type: ignore[return-value]
    raise ContractError(f"{kind.value} payload is not a {model.__name__}")


def verify_evidence(item: EvidenceItem, data: bytes) -> None:
    """Raise :class:`ContractError` unless ``data`` matches the listed item's size and hash."""
    if len(data) != item.bytes:
        raise ContractError(
            f"{item.kind.value} evidence is {len(data)} bytes, the event lists {item.bytes}"
        )
    digest = hashlib.sha256(data).hexdigest()
    if digest != item.sha256:
        raise ContractError(
            f"{item.kind.value} evidence hash {digest[:12]}... does not match the event's "
            f"{item.sha256[:12]}..."
        )
