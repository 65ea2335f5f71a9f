"""``streetwatch synth images|video|fonts`` end to end, into a temporary folder."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from streetwatch.commands import synth_cmd
from streetwatch.errors import UserError
from training.synth.truth import load_video_truth


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="streetwatch")
    synth_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except UserError as exc:
        print(f"streetwatch: {exc}")
        return exc.exit_code


def test_images_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    argv = "synth images --count 5 --seed 2 --size 96 --split train=0.6,valid=0.2,test=0.2"
    assert _run([*argv.split(), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "street_vending" in text and "illegal_signage" in text and "data.yaml" in text
    report = json.loads((out / "report.json").read_text())
    assert sum(row["images"] for row in report.values()) == 5
    assert len(list(out.rglob("*.jpg"))) == 5
    boxes = sum(len(p.read_text().splitlines()) for p in out.rglob("labels/*/*.txt"))
    assert boxes == sum(
        row[name]
        for row in report.values()
        for name in ("street_vending", "garbage", "illegal_signage")
    )


def test_video_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixed = "synth video --seed 4 --kind fixed --seconds 1 --fps 4 --size 96x64"
    moving = (
        "synth video --seed 4 --kind moving --seconds 5 --fps 2 --size 96x64 --passes 2"
        " --origin 39.9,116.4 --start 2025-01-02T03:04:05Z"
    )
    assert _run([*fixed.split(), "--out", str(tmp_path)]) == 0
    assert _run([*moving.split(), "--out", str(tmp_path)]) == 0
    printed = [Path(line) for line in capsys.readouterr().out.splitlines()]
    assert {p.suffix for p in printed} == {".mp4", ".json", ".gpx"}
    assert all(p.is_file() for p in printed)
    truth = load_video_truth(tmp_path / "synth_moving_4.truth.json")
    assert truth.frame_count == 10 and truth.passes == 2
    assert truth.origin.lat == pytest.approx(39.9)
    assert truth.start_utc.isoformat().startswith("2025-01-02T03:04:05")


def test_fonts_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["synth", "fonts"]) == 0
    assert "CJK sign text:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["synth", "images", "--count", "2", "--size", "big"], "size"),
        (["synth", "images", "--count", "2", "--size", "8"], "size"),
        (["synth", "images", "--count", "2", "--split", "train=0.5"], "split"),
        (["synth", "images", "--count", "0"], "count"),
        (["synth", "images", "--count", "2", "--origin", "north"], "origin"),
        (["synth", "images", "--count", "2", "--min-visible", "2"], "min-visible"),
        (["synth", "video", "--kind", "moving", "--seconds", "2", "--passes", "2"], "too short"),
        (["synth", "video", "--fps", "0"], "positive"),
        (["synth", "video", "--start", "yesterday"], "ISO 8601"),
    ],
)
def test_user_errors_are_one_sentence(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run([*argv, "--out", str(tmp_path / "x")]) == 2
    assert message in capsys.readouterr().out


def test_parse_size() -> None:
    assert synth_cmd.parse_size("416") == (416, 416)
    assert synth_cmd.parse_size("640X360") == (640, 360)
    with pytest.raises(UserError):
        synth_cmd.parse_size("1x2x3")
