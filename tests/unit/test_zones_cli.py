"""``streetwatch zones draw|add`` on real frames, videos and config files."""

from __future__ import annotations

import json
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


def labelme(
    path: Path, shapes: list[dict[str, object]], width: int = 1280, height: int = 720
) -> Path:
    """Write a LabelMe file as LabelMe 5 saves it, with ``shapes`` completed by its defaults."""
    full = [
        {"group_id": None, "description": "", "shape_type": "polygon", "flags": {}, **shape}
        for shape in shapes
    ]
    document: dict[str, object] = {
        "version": "5.5.0",
        "flags": {},
        "shapes": full,
        "imagePath": "frame.png",
        "imageData": None,
        "imageHeight": height,
        "imageWidth": width,
    }
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_add_from_labelme_adds_every_shape_and_keeps_comments(
    config: Path, image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = tmp_path / "frame.png"
    source = ["-c", str(config), "--source", str(image)]
    code, said, _ = run(capsys, "zones", "draw", *source, "--plain", "--out", str(frame))
    assert code == 0 and said == f"wrote {frame}: the 1280x720 frame, to annotate"
    plain = cv2.imread(str(frame))
    assert plain is not None and plain.shape == (720, 1280, 3) and (plain == 128).all()

    before = config.read_text(encoding="utf-8")
    drawn = labelme(
        tmp_path / "frame.json",
        [
            {
                "label": "kiosk",
                "points": [[128, 72], [640, 72], [640, 360], [128, 360]],
                "description": "drawn on site\nclasses: garbage",
            },
            {
                "label": "exclude: bus stop",
                "points": [[1280, 720], [640, 360]],
                "shape_type": "rectangle",
            },
        ],
    )
    extra = ["--kind", "include", "--classes", "street_vending"]
    code, said, _ = run(capsys, "zones", "add", *source, "--from", str(drawn), *extra)
    assert code == 0 and said == (
        f"added 2 zone(s) from {drawn} to {config}: 'kiosk' (include), 'bus stop' (exclude)"
    )
    after = config.read_text(encoding="utf-8")
    kept = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in after.splitlines() for line in kept)
    kiosk, bus_stop = load_edge_config(config).rules.zones[-2:]
    assert kiosk.name == "kiosk" and kiosk.kind.value == "include"
    assert kiosk.classes == ["garbage"]
    assert kiosk.polygon == [(0.1, 0.1), (0.5, 0.1), (0.5, 0.5), (0.1, 0.5)]
    assert bus_stop.name == "bus stop" and bus_stop.kind.value == "exclude"
    assert bus_stop.classes == ["street_vending"]
    assert bus_stop.polygon == [(1.0, 1.0), (0.5, 1.0), (0.5, 0.5), (1.0, 0.5)]


def test_add_from_labelme_takes_kinds_from_label_prefixes(
    config: Path, image: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    square = [[64, 36], [320, 36], [320, 180], [64, 180]]  # drawn on a 640x360 copy
    shapes: list[dict[str, object]] = [
        {"label": "include:stalls", "points": square},
        {"label": "EXCLUDE: lane", "points": square},
    ]
    drawn = labelme(tmp_path / "half.json", shapes, 640, 360)
    args = ["zones", "add", "-c", str(config), "--source", str(image), "--from", str(drawn)]
    code, _, _ = run(capsys, *args, "--kind", "include")
    zones = load_edge_config(config).rules.zones
    assert code == 0 and [(z.name, z.kind.value, z.classes) for z in zones[-2:]] == [
        ("stalls", "include", []),
        ("lane", "exclude", []),
    ]
    assert zones[-1].polygon == [(0.1, 0.1), (0.5, 0.1), (0.5, 0.5), (0.1, 0.5)]

    before = config.read_text(encoding="utf-8")
    labelme(drawn, [{"label": "kerb", "points": square}], 640, 360)
    code, _, err = run(capsys, *args, "--replace")
    assert (
        code == 2
        and err == "streetwatch: shape 'kerb' has no include:/exclude:/area: prefix; give --kind"
    )
    assert config.read_text(encoding="utf-8") == before


SQUARE = {"label": "square", "points": [[0, 0], [100, 0], [100, 100], [0, 100]]}


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            [SQUARE, {"label": "tall", "points": [[0, 0], [10, 10]], "shape_type": "rectangle"}],
            {"height": 1024},
            "{file} was drawn on a 1280x1024 image but the camera frame is 1280x720, another "
            "aspect ratio: annotate a `zones draw` PNG of this camera",
        ),
        (
            [SQUARE, {"label": "pole", "points": [[5, 5], [9, 9]], "shape_type": "circle"}],
            {},
            "shape 'pole' is a circle: only polygons and rectangles can be zones",
        ),
        (
            [SQUARE, {"label": "wide", "points": [[0, 0], [1300, 0], [0, 100]]}],
            {},
            "zone 'wide': point 2 (1300,0) is outside the 1280x720 frame",
        ),
        ([SQUARE, SQUARE], {}, "two shapes in {file} are labelled 'square'; zone names are unique"),
        ([SQUARE, {**SQUARE, "label": "sidewalk"}], {}, "zone 'sidewalk' already exists in"),
        ([{**SQUARE, "label": "left:kerb"}], {}, "unknown prefix: use include:, exclude: or area:"),
        ([], {}, "{file} holds no shapes: draw polygons on the image in LabelMe"),
        ('{"imageWidth": 1280, "imageHeight": 7', {}, "LabelMe file {file} is not JSON ("),
        ('{"shapes": []}', {}, "{file} is not a LabelMe file (imageWidth: Field required)"),
        ("[1, 2]", {}, "{file} is not a LabelMe file (top level: Input should be"),
        (None, {}, "LabelMe file {file} does not exist"),
        ([SQUARE], {"name": True}, "--from names each zone by its label; leave out --name"),
    ],
)
def test_add_from_bad_labelme_is_one_sentence_and_leaves_the_file(
    config: Path,
    image: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: list[dict[str, object]] | str | None,
    extra: dict[str, int | bool],
    message: str,
) -> None:
    drawn = tmp_path / "frame.json"
    if isinstance(content, str):
        drawn.write_text(content, encoding="utf-8")
    elif content is not None:
        labelme(drawn, content, height=int(extra.get("height", 720)))
    name = ["--name", "z"] if extra.get("name") else []
    before = config.read_text(encoding="utf-8")
    args = ["zones", "add", "-c", str(config), "--source", str(image), "--kind", "include"]
    code, _, err = run(capsys, *args, "--from", str(drawn), *name)
    assert code == 2 and message.format(file=drawn) in err and len(err.splitlines()) == 1
    assert config.read_text(encoding="utf-8") == before
    assert [p.name for p in config.parent.iterdir() if p.name.startswith(".")] == []


def test_add_points_needs_a_name_and_kind(
    config: Path, image: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["zones", "add", "-c", str(config), "--source", str(image), "--name", "z"]
    code, _, err = run(capsys, *args, "--points", "0,0 100,0 0,100")
    assert code == 2 and err == "streetwatch: --points needs --name and --kind"
