"""Letterbox, decoding and NMS agree with ultralytics; the metadata path; bad models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.onnx_models import constant_head_model
from support.services import require_module

from edge.detector import ModelError, OnnxDetector
from edge.letterbox import InputBuffer, Letterbox
from edge.nms import decode_anchor_head, nms

require_module("ultralytics", "the [train] extra")
import torch  # noqa: E402 - after the availability check

SHAPES = [(1080, 1920), (720, 1280), (432, 768), (640, 640), (1920, 1080), (333, 517), (5, 900)]
INPUTS = [(320, 320), (384, 640), (416, 416)]


@pytest.mark.parametrize("input_hw", INPUTS)
def test_the_input_tensor_is_ultralytics_letterbox_bit_for_bit(input_hw: tuple[int, int]) -> None:
    from ultralytics.data.augment import LetterBox

    buffer = InputBuffer(input_hw)  # one buffer: every size change must redraw the border
    for frame_hw in [*SHAPES, (320, 320), SHAPES[0]]:
        rng = np.random.default_rng(sum(frame_hw))
        image = rng.integers(0, 255, (*frame_hw, 3), dtype=np.uint8)
        tensor, box = buffer.fill(image)
        padded = LetterBox(input_hw, auto=False, stride=32)(image=image)
        theirs = padded[:, :, ::-1].transpose(2, 0, 1)[None].astype(np.float32) / 255.0
        assert box == Letterbox.fit(frame_hw, input_hw)
        assert tensor.shape == theirs.shape == (1, 3, *input_hw)
        assert np.array_equal(tensor, theirs)


@pytest.mark.parametrize("frame_hw", SHAPES)
@pytest.mark.parametrize("input_hw", INPUTS)
def test_boxes_map_back_like_ultralytics(
    frame_hw: tuple[int, int], input_hw: tuple[int, int]
) -> None:
    from ultralytics.utils.ops import scale_boxes

    rng = np.random.default_rng(7)
    xy = rng.uniform(0, min(input_hw) - 20, (50, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(1, 20, (50, 2)).astype(np.float32)], axis=1)
    ours = Letterbox.fit(frame_hw, input_hw).to_frame(boxes)
    theirs = scale_boxes(input_hw, torch.from_numpy(boxes.copy()), frame_hw).numpy()
    np.testing.assert_allclose(ours, theirs, atol=1e-3)


def test_nms_matches_torchvision() -> None:
    import torchvision

    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 300, (400, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(5, 80, (400, 2))], axis=1).astype(np.float32)
    scores = rng.uniform(0, 1, 400).astype(np.float32)
    for iou in (0.3, 0.5, 0.7):
        ours = nms(boxes, scores, iou)
        theirs = torchvision.ops.nms(torch.from_numpy(boxes), torch.from_numpy(scores), iou)
        assert ours.tolist() == theirs.tolist()


def test_anchor_head_decoding_matches_ultralytics() -> None:
    from ultralytics.utils.nms import non_max_suppression

    rng = np.random.default_rng(11)
    n, nc = 2100, 3
    xy = rng.uniform(20, 300, (2, n))
    wh = rng.uniform(4, 60, (2, n))
    cls = rng.uniform(0, 1, (nc, n)) ** 6
    output = np.concatenate([xy, wh, cls])[None].astype(np.float32)
    xyxy, score, class_id = decode_anchor_head(output, 0.25, 0.7, 300)
    ref = non_max_suppression(torch.from_numpy(output), 0.25, 0.7, max_det=300)[0].numpy()
    np.testing.assert_allclose(xyxy, ref[:, :4], atol=1e-4)
    np.testing.assert_allclose(score, ref[:, 4], atol=1e-6)
    assert class_id.tolist() == ref[:, 5].astype(int).tolist()


def test_end_to_end_head_and_metadata(tmp_path: Path) -> None:
    rows = np.array(
        [[[10, 8, 40, 30, 0.9, 1], [50, 20, 90, 60, 0.6, 2], [0, 0, 5, 5, 0.1, 0]]],
        dtype=np.float32,
    )
    model = constant_head_model(tmp_path / "e2e.onnx", rows, input_hw=(64, 96))
    detector = OnnxDetector(model, conf_threshold=0.25)
    assert detector.info.end_to_end
    assert detector.info.names == ("street_vending", "garbage", "illegal_signage")
    assert detector.info.input_hw == (64, 96)
    found = detector.detect(np.zeros((128, 192, 3), np.uint8))  # scale 2, no padding
    assert found.class_id.tolist() == [1, 2]
    np.testing.assert_allclose(found.xyxy, [[20, 16, 80, 60], [100, 40, 180, 120]])
    np.testing.assert_allclose(found.confidence, [0.9, 0.6])


def test_bad_models_give_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        OnnxDetector(tmp_path / "missing.onnx")
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"\x08\x07not a protobuf" * 40)
    with pytest.raises(ModelError, match="cannot be loaded by onnxruntime"):
        OnnxDetector(corrupt)
    classifier = constant_head_model(tmp_path / "cls.onnx", np.zeros((1, 5), np.float32))
    with pytest.raises(ModelError, match="output shape"):
        OnnxDetector(classifier)
    seg = constant_head_model(
        tmp_path / "seg.onnx", np.zeros((1, 7, 84), np.float32), task="segment"
    )
    with pytest.raises(ModelError, match="'segment' model"):
        OnnxDetector(seg)
    nameless = constant_head_model(tmp_path / "n.onnx", np.zeros((1, 4, 6), np.float32), names="x(")
    with pytest.raises(ModelError, match="unreadable 'names'"):
        OnnxDetector(nameless)
    with pytest.raises(ModelError, match="not available"):
        OnnxDetector(corrupt, providers=["NoSuchExecutionProvider"])
