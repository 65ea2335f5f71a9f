"""``streetwatch config check``: exit codes, OK lines, error lines and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streetwatch.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "configs").glob("*.yaml"))

SERVER = """\
version: 1
kind: server
mqtt:
  host: localhost
  port: 1883
"""


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``tmp_path`` so that error lines name files as the user typed them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_passes(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == (f"OK {path}\n", "")


def test_all_examples_at_once_in_a_subprocess() -> None:
    names = [str(p.relative_to(ROOT)) for p in EXAMPLES]
    done = subprocess.run(
        [sys.executable, "-m", "streetwatch", "config", "check", *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"OK {name}" for name in names]
    assert done.stderr == ""


def test_bad_file_in_a_subprocess_exits_2_without_traceback(in_tmp: Path) -> None:
    (in_tmp / "bad.yaml").write_text(SERVER.replace("port: 1883", "prot: 1883"))
    done = subprocess.run(
        [sys.executable, "-m", "streetwatch", "config", "check", "bad.yaml"],
        cwd=in_tmp,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "bad.yaml:5: mqtt.prot: unknown key; did you mean 'port'?\n"


EDGE_BAD = [
    (
        "misspelt key",
        "confirm_score: 0.5",
        "confirm_scor: 0.5",
        "bad.yaml:11: rules.classes.garbage.confirm_scor: unknown key; "
        "did you mean 'confirm_score'?",
    ),
    (
        "threshold outside 0..1",
        "confirm_score: 0.5",
        "confirm_score: 1.5",
        "bad.yaml:11: rules.classes.garbage.confirm_score: 1.5 is not allowed: must be at most 1",
    ),
]

EDGE = """\
version: 1
kind: edge
device: {id: cam-1, name: Test pole}
mqtt: {host: localhost}
source: {kind: rtsp, uri: "rtsp://10.0.0.5/stream"}
model: {path: models/m.onnx}
location: {mode: static, lat: 31.2, lon: 121.4}
taxonomy: {garbage: {code: "0102", name_zh: 暴露垃圾}}
rules:
  classes:
    garbage: {confirm_score: 0.5}
"""


def test_edge_base_is_valid(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "edge.yaml").write_text(EDGE, encoding="utf-8")
    assert main(["config", "check", "edge.yaml"]) == 0
    assert capsys.readouterr().out == "OK edge.yaml\n"


@pytest.mark.parametrize(
    ("old", "new", "expected"), [c[1:] for c in EDGE_BAD], ids=[c[0] for c in EDGE_BAD]
)
def test_bad_edge_config(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    (in_tmp / "bad.yaml").write_text(EDGE.replace(old, new), encoding="utf-8")
    assert main(["config", "check", "bad.yaml"]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", expected + "\n")


def test_good_and_bad_files_together(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "good.yaml").write_text(SERVER)
    (in_tmp / "v2.yaml").write_text(SERVER.replace("version: 1", "version: 2"))
    assert main(["config", "check", "good.yaml", "v2.yaml", "good.yaml"]) == 2
    out, err = capsys.readouterr()
    assert out == "OK good.yaml\nOK good.yaml\n"
    assert err == "v2.yaml:1: version: 2 is not supported: this streetwatch reads version 1\n"


def test_missing_env_var(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SW_TEST_BROKER", raising=False)
    (in_tmp / "env.yaml").write_text(SERVER.replace("localhost", "${SW_TEST_BROKER}"))
    assert main(["config", "check", "env.yaml"]) == 2
    assert capsys.readouterr().err == (
        "env.yaml:4: mqtt.host: environment variable SW_TEST_BROKER is not set; "
        "set it or write ${SW_TEST_BROKER:-default}\n"
    )
    monkeypatch.setenv("SW_TEST_BROKER", "broker.local")
    assert main(["config", "check", "env.yaml"]) == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("syntax.yaml", b"version: 1\nkind: server\nmqtt: [\n", "syntax.yaml:4: YAML syntax error"),
        ("latin.yaml", b"version: 1\nkind: server\n# caf\xe9\n", "latin.yaml:3: not UTF-8 text"),
        ("image.yaml", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image.yaml: is a binary file"),
        ("empty.yaml", b"", "empty.yaml:1: the file is empty"),
    ],
)
def test_unusable_files(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, expected: str
) -> None:
    (in_tmp / name).write_bytes(content)
    assert main(["config", "check", name]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(expected) and err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_file_and_directory(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "sub").mkdir()
    assert main(["config", "check", "nope.yaml", "sub"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "nope.yaml: no such file\nsub: is a directory, not a config file\n"


def test_no_files_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["config", "check"])
    assert caught.value.code == 2
    assert "FILE" in capsys.readouterr().err
