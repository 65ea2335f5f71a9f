"""``streetwatch zones draw|add`` on real frames, videos and config files."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.config import load_edge_config
from streetwatch.cli import main

ROOT = Path(__file__).resolve().parents[2]
W, H = 640, 360


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The shipped pole-camera config, reading a generated 2 s clip."""
    frames = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(frames), cv2.VideoWriter.fourcc(*"MJPG"), 10, (W, H))
    for index in range(20):
        writer.write(np.full((H, W, 3), index * 10, np.uint8))
    writer.release()
    path = tmp_path / "edge.yaml"
    shutil.copy(ROOT / "configs" / "edge-fixed.yaml", path)
    text = path.read_text(encoding="utf-8").replace("data/demo/fixed.mp4", str(frames))
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.full((720, 1280, 3), 128, np.uint8))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.strip(), captured.err.strip()


def test_draw_marks_zones_and_calibration(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "zones.png"
    code, said, _ = run(capsys, "zones", "draw", "-c", str(config), "--at", "1", "--out", str(out))
    assert code == 0 and said == f"wrote {out}: 4 zone(s), 4 calibration point(s)"
    drawn = cv2.imread(str(out))
    assert drawn is not None
    assert drawn.shape == (H, W, 3)
    plain = np.full((H, W, 3), 100, np.uint8)  # the frame at 1 s of the generated clip
    assert np.abs(drawn.astype(int) - plain).max(axis=2).mean() > 10
    roadway_pixel = drawn[10, W // 2].astype(int)  # inside the red exclude zone
    assert roadway_pixel[2] > roadway_pixel[1] + 20


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "{tmp}/none.mp4"], "source {tmp}/none.mp4 does not exist"),
        (["--at", "30"], "has no frame at 30 s (it is 2.0 s long)"),
        (["--source", "{tmp}/edge.yaml"], "cannot be opened: it is damaged or not a video"),
        (["--out", "{tmp}/z.jpg"], "--out {tmp}/z.jpg must name a .png file"),
    ],
)
def test_draw_bad_input_is_one_sentence(
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    extra = [arg.format(tmp=tmp_path) for arg in argv]
    out = [] if "--out" in argv else ["--out", str(tmp_path / "z.png")]
    code, _, err = run(capsys, "zones", "draw", "-c", str(config), *out, *extra)
    assert code == 2 and message.format(tmp=tmp_path) in err and len(err.splitlines()) == 1


def test_add_writes_the_zone_and_keeps_comments(
    config: Path, image: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_text(encoding="utf-8")
    args = ["zones", "add", "-c", str(config), "--source", str(image), "--name", "kiosk"]
    points = ["--points", "128,72 640,72 640,360 128,360"]
    code, said, _ = run(capsys, *args, "--kind", "exclude", *points, "--classes", "garbage")
    assert code == 0 and said == f"added zone 'kiosk' (exclude) to {config}"
    after = config.read_text(encoding="utf-8")
    kept = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in after.splitlines() for line in kept)
    assert 'start: "06:00"' in after and 'code: "0501"' in after  # quotes kept
    zone = load_edge_config(config).rules.zones[-1]
    assert zone.name == "kiosk" and zone.kind.value == "exclude" and zone.classes == ["garbage"]
    assert zone.polygon == [(0.1, 0.1), (0.5, 0.1), (0.5, 0.5), (0.1, 0.5)]

    code, _, err = run(capsys, *args, "--kind", "include", *points)
    assert code == 2 and err.endswith(
        "already exists in " + f"{config}; use --replace to redraw it"
    )
    code, _, _ = run(capsys, *args, "--kind", "include", *points, "--replace")
    zones = load_edge_config(config).rules.zones
    assert code == 0 and [z.name for z in zones].count("kiosk") == 1
    assert zones[-1].kind.value == "include" and zones[-1].classes == []


@pytest.mark.parametrize(
    ("points", "extra", "message"),
    [
        ("0,0 100,0", [], "a zone needs at least three points, got 2"),
        ("0,0 100,x 5,5", [], "bad point '100,x' in --points"),
        ("0,0 1300,0 0,100", [], "point 2 (1300,0) is outside the 1280x720 frame"),
        ("0,0 100,100 200,200", [], "the polygon has no area: its points lie on one line"),
        ("0,0 100,100 0,100 100,0", [], "the polygon crosses itself"),
        (
            "0,0 100,0 0,100",
            ["--classes", "bikes"],
            "the zone would make the config invalid: {config}:",
        ),
    ],
)
def test_add_bad_polygon_is_one_sentence_and_leaves_the_file(
    config: Path,
    image: Path,
    capsys: pytest.CaptureFixture[str],
    points: str,
    extra: list[str],
    message: str,
) -> None:
    before = config.read_text(encoding="utf-8")
    args = ["zones", "add", "-c", str(config), "--source", str(image), "--name", "z"]
    code, _, err = run(capsys, *args, "--kind", "include", "--points", points, *extra)
    assert code == 2 and message.format(config=config) in err and len(err.splitlines()) == 1
    assert config.read_text(encoding="utf-8") == before
    assert [p.name for p in config.parent.iterdir() if p.name.startswith(".")] == []
