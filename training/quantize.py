"""Static int8 quantization of an ONNX detector with calibration frames (onnxruntime tools)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from edge.detector import OnnxDetector
from edge.images import IMAGE_SUFFIXES, read_image
from streetwatch.errors import UserError
from training.export import set_metadata

HEAD_PREFIX = "/model.22/"
"""Nodes of the YOLOv8 detection head's decoding (DFL, box maths) stay in float."""


class FrameReader(CalibrationDataReader):  # type: ignore[misc]
    """Feeds letterboxed calibration frames to the calibrator."""

    def __init__(self, detector: OnnxDetector, images: list[Path]) -> None:
        self._detector = detector
        self._input = detector.input_name
        self._images: Iterator[Path] = iter(images)

    def get_next(self) -> dict[str, np.ndarray] | None:
        """Return the next input feed, or ``None`` when done."""
        path = next(self._images, None)
        if path is None:
            return None
        tensor, _ = self._detector.prepare(read_image(path))
        return {self._input: tensor}


def calibration_images(folder: Path, limit: int) -> list[Path]:
    """Return up to ``limit`` images of ``folder`` (recursively), evenly spread, sorted."""
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if not found:
        raise UserError(f"no calibration images under {folder}")
    step = max(1, len(found) // limit)
    return found[::step][:limit]


def float_nodes(path: Path) -> list[str]:
    """Return the nodes kept in float: the stem and the detection head's decoding.

    The stem (the graph's first convolution) sees the raw image and sets the range of
    everything after it: quantized, it cost the real-photo garbage mAP50 about 3 points
    (models/README.md); in float it costs no measurable speed. The head's decoding (DFL, box
    maths) must stay exact.
    """
    graph = onnx.load(str(path)).graph
    convs = [n.name for n in graph.node if n.op_type == "Conv"]
    decode = [n.name for n in graph.node if n.name.startswith(HEAD_PREFIX) and n.op_type != "Conv"]
    return convs[:1] + decode


def quantize(fp32: Path, out: Path, calibration: Path, limit: int = 200) -> Path:
    """Write an int8 (QDQ, per-channel weights) copy of ``fp32`` calibrated on real frames."""
    detector = OnnxDetector(fp32, threads=2)
    images = calibration_images(calibration, limit)
    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        quantize_static(
            str(prepared),
            str(out),
            FrameReader(detector, images),
            quant_format=QuantFormat.QDQ,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            per_channel=True,
            calibrate_method=CalibrationMethod.MinMax,
            nodes_to_exclude=float_nodes(prepared),
        )
    meta = {p.key: p.value for p in onnx.load(str(fp32)).metadata_props}
    meta["streetwatch_precision"] = "int8"
    meta["streetwatch_calibration_images"] = str(len(images))
    set_metadata(out, meta)
    return out
