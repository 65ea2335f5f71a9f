"""``streetwatch edge run``: what a user sees when the config, model or input is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.edge_setup import Box, constant_model, edge_config, noise_video

from edge.config_sections import DeliverySettings
from edge.delivery.link import MqttLink
from streetwatch.cli import main
from streetwatch.errors import UserError
from streetwatch.mqtt_settings import MqttSettings


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return (
        constant_model(tmp_path / "m.onnx", [Box(10, 10, 50, 50, 0.9, 1)]),
        noise_video(tmp_path / "v.avi", seconds=0.5),
    )


def run(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["edge", "run", "-c", str(config), *extra])
    return code, capsys.readouterr().err.strip().splitlines()[-1]


def test_missing_model(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "models" / "none.onnx"
    config = edge_config(tmp_path, port=1, model=missing, video=files[1])
    assert run(config, capsys, "--once") == (2, f"streetwatch: model file {missing} does not exist")


def test_corrupt_model(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage")
    code, err = run(edge_config(tmp_path, port=1, model=bad, video=files[1]), capsys, "--once")
    assert code == 2 and err.startswith(
        f"streetwatch: model {bad} cannot be loaded by onnxruntime: "
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "video file {} does not exist"),
        (
            b"\x00\x01 not a video" * 50,
            "video file {} cannot be opened: it is damaged or not a video",
        ),
    ],
)
def test_unusable_video(
    tmp_path: Path,
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    message: str,
) -> None:
    video = tmp_path / "clip.mp4"
    if content is not None:
        video.write_bytes(content)
    config = edge_config(tmp_path, port=1, model=files[0], video=video)
    assert run(config, capsys, "--once") == (2, "streetwatch: " + message.format(video))


def test_invalid_config_names_file_line_and_key(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = edge_config(
        tmp_path, port=1, model=files[0], video=files[1], extra="events: {cooldown_s: -1}\n"
    )
    code, err = run(config, capsys, "--once")
    assert code == 2
    assert err.startswith(f"streetwatch: {config}:") and "events.cooldown_s" in err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "location: {mode: gps, gps: {kind: gpx, path: /nope/ride.gpx}}",
            "GPX track /nope/ride.gpx cannot be read: "
            "[Errno 2] No such file or directory: '/nope/ride.gpx'",
        ),
        (
            "source: {kind: rtsp, uri: 'rtsp://cam/1'}",
            "--once needs a file or images source, not 'rtsp'",
        ),
    ],
)
def test_bad_setups_end_with_one_sentence(
    tmp_path: Path,
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    line: str,
    message: str,
) -> None:
    config = edge_config(tmp_path, port=1, model=files[0], video=files[1])
    key = line.split(":", maxsplit=1)[0] + ":"
    lines = [line if old.startswith(key) else old for old in config.read_text().splitlines()]
    config.write_text("\n".join(lines) + "\n")
    assert run(config, capsys, "--once") == (2, f"streetwatch: {message}")


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "it does not exist"), (b"not a certificate\n", "it holds no PEM certificate")],
)
def test_unusable_ca_file_is_named_by_run_and_config_check(
    tmp_path: Path,
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    problem: str,
) -> None:
    ca = tmp_path / "certs" / "ca.crt"
    if content is not None:
        ca.parent.mkdir()
        ca.write_bytes(content)
    config = edge_config(tmp_path, port=1, model=files[0], video=files[1])
    mqtt = "mqtt: {host: 127.0.0.1, port: 1, keepalive_s: 5}"
    text = config.read_text()
    assert mqtt in text
    config.write_text(text.replace(mqtt, f"mqtt: {{host: 127.0.0.1, tls: true, ca_file: {ca}}}"))
    expected = f"{config}:4: mqtt.ca_file: {ca} cannot be used: {problem}"
    assert run(config, capsys, "--once") == (2, f"streetwatch: {expected}")
    assert main(["config", "check", str(config)]) == 2
    assert capsys.readouterr().err.strip() == expected


def test_mqtt_link_names_an_unusable_ca_file(tmp_path: Path) -> None:
    missing = tmp_path / "ca.crt"
    settings = MqttSettings(host="broker", tls=True, ca_file=missing)
    with pytest.raises(UserError) as caught:
        MqttLink(
            settings,
            DeliverySettings(),
            "edge-1",
            "edge-1",
            on_message=lambda *_: None,
            on_puback=lambda *_: None,
        )
    assert str(caught.value) == f"mqtt.ca_file {missing} cannot be used: it does not exist"
