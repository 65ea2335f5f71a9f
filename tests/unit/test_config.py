"""The config layer: YAML loading, ${ENV} substitution, models and their error lines."""

from __future__ import annotations

from datetime import datetime, time, timezone
from pathlib import Path

import pytest
from pydantic import BaseModel

import edge.config
import server.config
from contracts.tuning import ClassThresholds
from edge.config import EdgeConfig, FileSource, GpsLocation, StaticLocation, load_edge_config
from edge.config_sections import track_start_problems
from server.config import ServerConfig, load_server_config
from streetwatch.commands.config_cmd import CONFIG_KINDS
from streetwatch.yamlconf import ConfigError, check_file, format_keys, load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"

# Line numbers matter: the tests below assert them.
EDGE = """\
version: 1
kind: edge
device: {id: cam-1, name: Test pole}
mqtt:
  host: localhost
  password: ${MQTT_PASSWORD:-}
source: {kind: file, path: clip.mp4, start_time: "2024-05-20T07:30:00+08:00"}
model: {path: models/m.onnx}
location: {mode: static, lat: 31.2, lon: 121.4}
taxonomy:
  garbage: {code: "0102", name_zh: 暴露垃圾}
  street_vending: {code: "0501", name_zh: 占道经营}
rules:
  classes:
    garbage:
      min_score: 0.3
      confirm_score: 0.5
    street_vending: {dwell_s: 60}
  zones:
    - name: corner
      polygon: [[0, 0], [1, 0], [1, 1]]
  schedules:
    - name: breakfast
      effect: allow
      zones: [corner]
      windows: [{start: "06:00", end: "09:00"}]
"""

SERVER = """\
version: 1
kind: server
mqtt:
  host: localhost
  port: ${MQTT_PORT:-1883}
database:
  url: sqlite:///data/streetwatch.db
"""


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def errors_of(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    return check_file(path, CONFIG_KINDS, environ={} if environ is None else environ)


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_example_configs_are_valid(path: Path) -> None:
    assert errors_of(path) == []


def test_example_configs_exist() -> None:
    names = {p.name for p in CONFIGS.glob("*.yaml")}
    assert {"edge-fixed.yaml", "edge-bike.yaml", "server.yaml"} <= names


def test_fixed_camera_example_values() -> None:
    config = load_edge_config(CONFIGS / "edge-fixed.yaml")
    assert isinstance(config.source, FileSource)
    assert config.source.start_time.astimezone(timezone.utc) == datetime(
        2024, 5, 19, 23, 30, tzinfo=timezone.utc
    )
    assert isinstance(config.location, StaticLocation)
    assert set(config.rules.classes) == {"street_vending", "garbage", "illegal_signage"}
    assert config.rules.classes["street_vending"].dwell_s > 0
    breakfast = config.rules.schedules[0]
    assert breakfast.effect.value == "allow"
    assert (breakfast.windows[0].start, breakfast.windows[0].end) == (time(6), time(9))
    assert config.rules.permits
    assert config.taxonomy["garbage"].name_zh == "暴露垃圾"
    assert config.client_id == config.device.id


def test_bike_example_uses_gpsd() -> None:
    config = load_edge_config(CONFIGS / "edge-bike.yaml")
    assert isinstance(config.location, GpsLocation)
    assert config.location.gps.kind == "gpsd"


def test_server_example_defaults() -> None:
    config = load_server_config(CONFIGS / "server.yaml")
    assert config.mqtt.shared_group is None or config.mqtt.shared_group
    assert config.database.url.startswith(("sqlite://", "postgresql"))
    assert (config.evidence.early_max_age_h, config.evidence.prune_check_s) == (72, 3600)


def test_minimal_edge_config_gets_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EDGE), EdgeConfig, environ={})
    assert config.mqtt.port == 1883
    assert config.mqtt.password is None
    assert config.mqtt.prefix == "streetwatch/v1"
    assert config.model.providers == ["CPUExecutionProvider"]
    assert config.timezone == "Asia/Shanghai"
    assert config.evidence.jpeg_quality == 85


# (name, old text, new text, expected error with the file name as F)
EDGE_ERRORS = [
    (
        "misspelt key",
        "confirm_score: 0.5",
        "confirm_scor: 0.5",
        "F:17: rules.classes.garbage.confirm_scor: unknown key; did you mean 'confirm_score'?",
    ),
    (
        "threshold above 1",
        "min_score: 0.3",
        "min_score: 1.5",
        "F:16: rules.classes.garbage.min_score: 1.5 is not allowed: must be at most 1",
    ),
    (
        "threshold below 0",
        "min_score: 0.3",
        "min_score: -0.1",
        "F:16: rules.classes.garbage.min_score: -0.1 is not allowed: must be at least 0",
    ),
    (
        "confirm below min",
        "min_score: 0.3",
        "min_score: 0.6",
        "F:15: rules.classes.garbage: confirm_score 0.5 is below min_score 0.6; "
        "a track's median can never pass a gate lower than its members",
    ),
    (
        "schedule names unknown zone",
        "zones: [corner]",
        "zones: [kerb]",
        "F:13: rules: schedule 'breakfast' names unknown zone 'kerb'",
    ),
    (
        "class missing from taxonomy",
        "street_vending: {dwell_s: 60}",
        "street_vendor: {dwell_s: 60}",
        "F:18: rules.classes.street_vendor: class 'street_vendor' is not in taxonomy; "
        "add it there with its code",
    ),
    (
        "missing key uses the parent's line",
        "  host: localhost\n",
        "",
        "F:4: mqtt.host: missing required key (Broker host name or IP)",
    ),
    (
        "unknown source kind",
        "kind: file",
        "kind: dvd",
        "F:7: source.kind: 'dvd' is not allowed: "
        "must be one of 'file', 'images', 'rtsp', 'http', 'camera'",
    ),
    (
        "start time without offset",
        "07:30:00+08:00",
        "07:30:00",
        "F:7: source.start_time: '2024-05-20T07:30:00' is not allowed: must have timezone info",
    ),
    (
        "latitude out of range",
        "lat: 31.2",
        "lat: 95",
        "F:9: location.lat: 95 is not allowed: must be at most 90",
    ),
    (
        "gps mode needs a gps section",
        "{mode: static, lat: 31.2, lon: 121.4}",
        "{mode: gps}",
        "F:9: location.gps: missing required key (Where the positions come from)",
    ),
    (
        "ca file without tls",
        "  host: localhost\n",
        "  host: localhost\n  ca_file: ca.pem\n",
        "F:4: mqtt: ca_file is set but tls is off; set 'tls: true' or drop ca_file",
    ),
    (
        "password without username",
        "password: ${MQTT_PASSWORD:-}",
        "password: pw",
        "F:4: mqtt: password is set without username",
    ),
    (
        "device id with a space",
        "id: cam-1",
        "id: cam 1",
        "F:3: device.id: 'cam 1' is not allowed: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$ "
        "(Unique id; appears in every topic)",
    ),
    (
        "model not onnx",
        "models/m.onnx",
        "models/m.pt",
        "F:8: model.path: model path 'models/m.pt' must name an .onnx file",
    ),
    (
        "polygon point outside the frame",
        "[1, 0], [1, 1]]",
        "[1, 0], [1.2, 1]]",
        "F:21: rules.zones[0].polygon[2][0]: 1.2 is not allowed: must be at most 1",
    ),
    (
        "unknown time zone",
        "kind: edge\n",
        "kind: edge\ntimezone: Mars/Olympus\n",
        "F:3: timezone: unknown time zone 'Mars/Olympus'; use an IANA name",
    ),
    (
        "class name that is not a label",
        "  garbage: {code",
        "  Garbage: {code",
        "F:11: taxonomy.Garbage: 'Garbage' is not allowed: must match ^[a-z][a-z0-9_]{0,63}$",
    ),
    (
        "top-level typo",
        "taxonomy:",
        "taxonomies:",
        "F:10: taxonomies: unknown key; did you mean 'taxonomy'?",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in EDGE_ERRORS], ids=[c[0] for c in EDGE_ERRORS]
)
def test_edge_config_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, edit(EDGE, old, new))
    errors = errors_of(path)
    assert expected.replace("F:", f"{path}:", 1) in errors, errors


@pytest.mark.parametrize(
    ("high_score", "refused"),
    [
        (0.25, []),  # at the lowest min_score: every admitted box can start a track
        (0.1, []),
        (0.35, ["garbage", "illegal_signage"]),
    ],
)
def test_tracks_must_start_at_every_class_min_score(high_score: float, refused: list[str]) -> None:
    classes = {
        "garbage": ClassThresholds(min_score=0.3, confirm_score=0.5),
        "street_vending": ClassThresholds(min_score=0.4, confirm_score=0.5),
        "illegal_signage": ClassThresholds(),  # min_score 0.25
    }
    problems = track_start_problems(high_score, classes)
    assert [keys for keys, _ in problems] == [
        ("rules", "classes", label, "min_score") for label in refused
    ]
    if refused:
        assert problems[0][1] == (
            "class 'garbage' min_score 0.3 is below tracking.high_score 0.35, so its boxes "
            "scoring between the two never start a track; set tracking.high_score to at most 0.3"
        )


def test_missing_top_level_key_uses_line_of_top_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "# an edge node\nversion: 1\nkind: edge\n")
    errors = errors_of(path)
    assert f"{path}:2: device: missing required key (Identity of this node)" in errors
    assert len(errors) == 6


def test_load_config_raises_config_error_with_lines(tmp_path: Path) -> None:
    path = write(tmp_path, edit(EDGE, "min_score: 0.3", "min_score: 1.5"))
    with pytest.raises(ConfigError) as caught:
        load_config(path, EdgeConfig, environ={})
    expected = f"{path}:16: rules.classes.garbage.min_score: 1.5 is not allowed: must be at most 1"
    assert caught.value.errors == [expected]
    assert str(caught.value) == expected
    assert caught.value.exit_code == 2


def test_server_file_is_not_an_edge_config(tmp_path: Path) -> None:
    path = write(tmp_path, SERVER)
    with pytest.raises(ConfigError) as caught:
        load_config(path, EdgeConfig, environ={})
    assert f"{path}:2: kind: 'server' is not allowed: must be 'edge'" in caught.value.errors


SERVER_ERRORS = [
    (
        "unsupported database",
        "sqlite:///data/streetwatch.db",
        "mysql://sw:secret@db/sw",
        "F:7: database.url: database url scheme 'mysql' is not supported: "
        "use sqlite://, postgresql://, postgresql+psycopg://",
    ),
    (
        "bad shared group",
        "  host: localhost\n",
        "  host: localhost\n  shared_group: a/b\n",
        "F:5: mqtt.shared_group: shared_group 'a/b' is not allowed: "
        "use 1-64 letters, digits, '_', '.', '-'",
    ),
    (
        "port out of range",
        "${MQTT_PORT:-1883}",
        "70000",
        "F:5: mqtt.port: 70000 is not allowed: must be at most 65535",
    ),
    (
        "early evidence kept too briefly",
        "  url: sqlite:///data/streetwatch.db\n",
        "  url: sqlite:///data/streetwatch.db\nevidence:\n  early_max_age_h: 0.5\n",
        "F:9: evidence.early_max_age_h: 0.5 is not allowed: must be at least 1",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in SERVER_ERRORS], ids=[c[0] for c in SERVER_ERRORS]
)
def test_server_config_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, edit(SERVER, old, new))
    assert errors_of(path) == [expected.replace("F:", f"{path}:", 1)]


def test_database_error_does_not_show_the_password(tmp_path: Path) -> None:
    path = write(tmp_path, edit(SERVER, "sqlite:///data/streetwatch.db", "mysql://u:hunter2@db/x"))
    assert "hunter2" not in "\n".join(errors_of(path))


def test_server_accepts_postgresql_and_shared_group(tmp_path: Path) -> None:
    text = edit(SERVER, "sqlite:///data/streetwatch.db", "postgresql://sw:${PGPASSWORD}@db/sw")
    text = edit(text, "  host: localhost\n", "  host: localhost\n  shared_group: workers\n")
    config = load_config(write(tmp_path, text), ServerConfig, environ={"PGPASSWORD": "pw"})
    assert config.database.url == "postgresql://sw:pw@db/sw"
    assert config.mqtt.shared_group == "workers"
    assert config.http.port == 8080


def test_env_substitution(tmp_path: Path) -> None:
    text = edit(
        EDGE, "  host: localhost\n", "  host: ${HOST}\n  username: edge\n  port: ${PORT:-1884}\n"
    )
    text = edit(text, "name: Test pole", "name: '$${literal} pole ${ROOM:-B2}'")
    environ = {"HOST": "broker.local", "MQTT_PASSWORD": "s3cret"}
    config = load_config(write(tmp_path, text), EdgeConfig, environ=environ)
    assert config.mqtt.host == "broker.local"
    assert config.mqtt.port == 1884
    assert config.mqtt.password is not None
    assert config.mqtt.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(config)
    assert config.device.name == "${literal} pole B2"


def test_empty_env_default_means_unset(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EDGE), EdgeConfig, environ={})
    assert config.mqtt.password is None


ENV_ERRORS = [
    (
        "unset variable",
        "  host: localhost",
        "  host: ${MQTT_HOST}",
        "F:5: mqtt.host: environment variable MQTT_HOST is not set; "
        "set it or write ${MQTT_HOST:-default}",
    ),
    (
        "malformed reference",
        "  host: localhost",
        "  host: ${MQTT HOST}",
        "F:5: mqtt.host: bad '${MQTT HOST}': write ${NAME:-default}",
    ),
    (
        "unset variable in a list",
        "zones: [corner]",
        "zones: [corner, '${ZONE}']",
        "F:25: rules.schedules[0].zones[1]: environment variable ZONE is not set; "
        "set it or write ${ZONE:-default}",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in ENV_ERRORS], ids=[c[0] for c in ENV_ERRORS]
)
def test_env_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, edit(EDGE, old, new))
    assert errors_of(path) == [expected.replace("F:", f"{path}:", 1)]


def test_bad_value_from_env_shows_what_was_written(tmp_path: Path) -> None:
    path = write(tmp_path, edit(EDGE, "  host: localhost\n", "  host: localhost\n  port: ${P}\n"))
    assert errors_of(path, {"P": "abc"}) == [
        f"{path}:6: mqtt.port: '${{P}}' is not allowed: "
        "must be a valid integer, unable to parse string as an integer"
    ]


FILE_ERRORS = [
    ("empty file", "", "F:1: the file is empty; a config starts with 'version: 1'"),
    ("only a comment", "# nothing\n", "F:1: the file is empty; a config starts with 'version: 1'"),
    ("top-level list", "- version: 1\n", "F:1: the top level is a list; it must be a mapping"),
    ("top-level scalar", "edge\n", "F:1: the top level is a single value; it must be a mapping"),
    (
        "unclosed flow sequence",
        "version: 1\nkind: edge\nmqtt: {host: [a}\n",
        "F:3: YAML syntax error while parsing a flow sequence: expected ',' or ']', but got '}'",
    ),
    (
        "bad indentation",
        "version: 1\nkind: server\nmqtt:\n  host: a\n port: 1\n",
        "F:5: YAML syntax error while parsing a block mapping: "
        "expected <block end>, but found '<block mapping start>'",
    ),
    (
        "duplicate key",
        "version: 1\nkind: server\nkind: edge\n",
        'F:3: YAML syntax error while constructing a mapping: found duplicate key "kind" '
        'with value "edge" (original value: "server")',
    ),
    ("missing version", "kind: edge\n", "F:1: version: missing; add 'version: 1' as the first key"),
    (
        "unknown version",
        "kind: edge\nversion: 2\n",
        "F:2: version: 2 is not supported: this streetwatch reads version 1",
    ),
    (
        "version as text",
        "version: '1'\nkind: edge\n",
        "F:1: version: '1' is not supported: this streetwatch reads version 1",
    ),
    (
        "missing kind",
        "version: 1\n",
        "F:1: kind: missing; use kind 'edge', 'server' or 'dataset'",
    ),
    (
        "unknown kind",
        "version: 1\nkind: camera\n",
        "F:2: kind: 'camera' is not allowed; use kind 'edge', 'server' or 'dataset'",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in FILE_ERRORS], ids=[c[0] for c in FILE_ERRORS]
)
def test_file_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    assert errors_of(path) == [expected.replace("F:", f"{path}:", 1)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"version: 1\nkind: edge\nname: \xe9t\xe9\n", "F:3: not UTF-8 text; save it as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "F: is a binary file, not YAML text"),
    ],
    ids=["latin-1", "binary"],
)
def test_unreadable_content(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    assert errors_of(path) == [expected.replace("F", str(path), 1)]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert errors_of(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}: no such file"]
    assert errors_of(tmp_path) == [f"{tmp_path}: is a directory, not a config file"]


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["version: 1", "kind: server", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    [error] = errors_of(path)
    assert error.startswith(f"{path}:") and "too many values" in error


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SERVER.encode())
    assert errors_of(path) == []


@pytest.mark.parametrize(
    ("keys", "text"),
    [((), ""), (("a",), "a"), (("a", "b", 2, "c"), "a.b[2].c"), (("z", 0, 1), "z[0][1]")],
)
def test_format_keys(keys: tuple[str | int, ...], text: str) -> None:
    assert format_keys(keys) == text


@pytest.mark.parametrize("module", [edge.config, server.config], ids=lambda m: m.__name__)
def test_every_field_has_title_and_description(module: object) -> None:
    models = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == getattr(module, "__name__", "")
    ]
    assert len(models) >= 5
    for model in models:
        assert model.model_config.get("extra") == "forbid" and model.model_config.get("frozen")
        for name, field in model.model_fields.items():
            assert field.title and field.description, f"{model.__name__}.{name}"
