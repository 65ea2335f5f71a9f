"""Every payload round-trips, refusals name their reason, and the exported schemas are current."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import contracts
from contracts import examples
from contracts.codec import PAYLOAD_MODELS
from contracts.schema import schemas, stale_schemas
from contracts.topics import MessageKind

ROOT = Path(__file__).resolve().parents[2]

EXAMPLES: dict[MessageKind, Callable[[], BaseModel]] = {
    MessageKind.EVENTS: examples.event,
    MessageKind.HEARTBEAT: examples.heartbeat,
    MessageKind.STATUS: examples.status,
    MessageKind.ACKS: examples.ack,
    MessageKind.CONFIG: examples.config_push,
}


def test_every_json_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(PAYLOAD_MODELS)


@pytest.mark.parametrize("kind", list(EXAMPLES), ids=lambda k: k.value)
def test_example_round_trips(kind: MessageKind) -> None:
    message = EXAMPLES[kind]()
    payload = contracts.encode(message)
    assert contracts.decode(kind, payload) == message
    assert contracts.encode(contracts.decode(kind, payload)) == payload


@pytest.mark.parametrize("kind", list(EXAMPLES), ids=lambda k: k.value)
def test_example_matches_exported_schema(kind: MessageKind) -> None:
    schema = json.loads(schemas()[f"{kind.value}.schema.json"])
    jsonschema.validate(json.loads(contracts.encode(EXAMPLES[kind]())), schema)


def test_exported_schemas_are_current() -> None:
    stale = stale_schemas(ROOT / "docs" / "contract")
    assert stale == [], f"run 'streetwatch contract schema': {stale} are stale"


def test_contract_doc_shows_a_valid_example_of_every_kind() -> None:
    text = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- example: (\w+) -->\s*```json\n(.*?)```", text, flags=re.S)
    shown = {MessageKind(kind): body for kind, body in blocks}
    assert set(shown) == set(PAYLOAD_MODELS)
    for kind, body in shown.items():
        assert contracts.decode(kind, body.encode()) == EXAMPLES[kind]()


def test_times_are_utc_with_milliseconds() -> None:
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2026, 5, 12, 9, 30, 0, 123456, tzinfo=shanghai)
    message = examples.status().model_copy(update={"since": local})
    payload = json.loads(contracts.encode(contracts.Status.model_validate(message.model_dump())))
    assert payload["since"] == "2026-05-12T01:30:00.123Z"


def _event_dict() -> dict[str, object]:
    data: dict[str, object] = json.loads(contracts.encode(examples.event()))
    return data


def _with(path: str, value: object) -> bytes:
    data = _event_dict()
    *parents, leaf = path.split(".")
    node: dict[str, object] = data
    for key in parents:
        child = node[key]
        assert isinstance(child, dict)
        node = child
    node[leaf] = value
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (_with("schema_version", 2), "schema_version 2; this build speaks 1"),
        (_with("event_id", "not-a-ulid"), "event_id"),
        (_with("confidence", 1.5), "confidence"),
        (_with("location.lat", 95.0), "location.lat"),
        (_with("location.fix", "none"), "fix 'none' must not carry lat/lon"),
        (_with("camera.box.x2", 5000.0), "box extends past the frame"),
        (_with("last_seen", "2026-05-12T01:00:00.000Z"), "last_seen is before first_seen"),
        (_with("surprise", 1), "surprise"),
        (_with("first_seen", "2026-05-12T01:00:00"), "first_seen"),
    ],
    ids=[
        "binary",
        "array",
        "version",
        "ulid",
        "confidence",
        "lat",
        "fix-none",
        "box",
        "order",
        "extra-key",
        "naive-time",
    ],
)
def test_bad_event_is_refused_with_its_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(contracts.ContractError, match=re.escape(reason)):
        contracts.decode(MessageKind.EVENTS, payload)


def test_duplicate_evidence_kind_is_refused() -> None:
    data = _event_dict()
    evidence = data["evidence"]
    assert isinstance(evidence, list)
    data["evidence"] = [evidence[0], evidence[0]]
    with pytest.raises(contracts.ContractError, match="only once per event"):
        contracts.decode(MessageKind.EVENTS, json.dumps(data).encode())


def test_evidence_payloads_are_not_json() -> None:
    with pytest.raises(contracts.ContractError, match="raw bytes"):
        contracts.decode(MessageKind.EVIDENCE, b"{}")


def test_verify_evidence_accepts_the_listed_bytes_only() -> None:
    event = examples.event()
    frame = event.evidence_item(contracts.EvidenceKind.FRAME)
    assert frame is not None
    contracts.verify_evidence(frame, examples.EXAMPLE_FRAME)
    with pytest.raises(contracts.ContractError, match="bytes, the event lists"):
        contracts.verify_evidence(frame, examples.EXAMPLE_FRAME + b"x")
    tampered = bytes([examples.EXAMPLE_FRAME[0] ^ 1]) + examples.EXAMPLE_FRAME[1:]
    with pytest.raises(contracts.ContractError, match="does not match"):
        contracts.verify_evidence(frame, tampered)


@settings(max_examples=60, deadline=None)
@given(
    seq=st.integers(min_value=0, max_value=2**53),
    confidence=st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False),
    lat=st.floats(-90.0, 90.0, allow_nan=False, allow_infinity=False),
    lon=st.floats(-180.0, 180.0, allow_nan=False, allow_infinity=False),
    x1=st.floats(0.0, 1900.0, allow_nan=False, allow_infinity=False),
    width=st.floats(0.5, 19.0, allow_nan=False, allow_infinity=False),
    dwell_ms=st.integers(min_value=0, max_value=10**9),
    kind=st.sampled_from(list(contracts.EventType)),
)
def test_any_valid_event_round_trips(
    seq: int,
    confidence: float,
    lat: float,
    lon: float,
    x1: float,
    width: float,
    dwell_ms: int,
    kind: contracts.EventType,
) -> None:
    base = examples.event()
    box = contracts.Box(x1=x1, y1=10.0, x2=x1 + width, y2=20.0)
    location = base.location.model_copy(update={"lat": lat, "lon": lon})
    event = contracts.ViolationEvent.model_validate(
        base.model_dump()
        | {
            "seq": seq,
            "type": kind,
            "confidence": confidence,
            "first_seen": base.last_seen - timedelta(milliseconds=dwell_ms),
            "location": location.model_dump(),
            "camera": base.camera.model_copy(update={"box": box}).model_dump(),
        }
    )
    assert contracts.decode(MessageKind.EVENTS, contracts.encode(event)) == event
