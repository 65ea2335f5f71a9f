"""``streetwatch model kinds``: per-kind detection of the shipped model on a generated clip,
tallied against the clip's own truth."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from streetwatch.cli import main
from streetwatch.demo.scenario import MODEL
from training.kinds import kind_recall
from training.synth.taxonomy import CLASS_NAMES
from training.synth.truth import load_video_truth
from training.synth.video import ClipSpec


def _spec(out: Path) -> ClipSpec:
    return ClipSpec(out=out, seed=1, kind="fixed", seconds=3, fps=2, width=960, height=540)


def test_each_labelled_kind_is_tallied_from_the_truth(tmp_path: Path) -> None:
    every = kind_recall(MODEL, [_spec(tmp_path)], dict.fromkeys(CLASS_NAMES, 0.01))
    truth = load_video_truth(tmp_path / "synth_fixed_1.truth.json")
    boxes = [b for f in truth.frames for b in f.boxes if b.labelled and b.class_id is not None]
    frames = Counter((CLASS_NAMES[b.class_id or 0], b.kind) for b in boxes)
    objects = Counter(
        (CLASS_NAMES[class_id], kind)
        for class_id, kind in {(b.class_id or 0, b.kind) for b in boxes}
    )
    assert {(r.label, r.kind): r.frames for r in every} == frames
    assert sum(r.objects for r in every) == len({b.object_id for b in boxes}) >= len(objects)

    none = kind_recall(MODEL, [_spec(tmp_path)], {})
    assert [(r.objects, r.found, r.frames_found) for r in none] == [
        (r.objects, 0, 0) for r in every
    ]

    real = kind_recall(MODEL, [_spec(tmp_path)], dict.fromkeys(CLASS_NAMES, 0.25))
    assert [(r.label, r.kind, r.objects, r.frames) for r in real] == [
        (r.label, r.kind, r.objects, r.frames) for r in every
    ]
    for low, high in zip(every, real, strict=True):  # a higher score finds a subset
        assert high.found <= low.found <= low.objects
        assert high.frames_found <= low.frames_found <= low.frames
    garbage = [r for r in real if r.label == "garbage"]
    assert garbage and sum(r.found for r in garbage) >= 1  # the clip's close garbage is found


def test_the_command_prints_the_table_and_refuses_bad_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["model", "kinds", str(MODEL), "--seeds", "1", "--seconds", "2", "--fps", "2"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "synth_fixed_1.mp4: 4 frames" in out
    assert "objects found" in out and "frames found" in out
    assert "scores: street_vending 0.25, garbage 0.25, illegal_signage 0.25" in out
    assert (tmp_path / "synth_fixed_1.mp4").is_file()

    for seeds, problem in [
        ("a-b", "seeds 'a-b' are not N, N-M or N,M,..."),
        ("4-1", "seeds '4-1' name no clip: seeds are 0 or more, N-M needs N <= M"),
        ("1,1", "seeds '1,1' repeat a seed"),
    ]:
        assert main(["model", "kinds", str(MODEL), "--seeds", seeds]) == 2
        assert problem in capsys.readouterr().err
