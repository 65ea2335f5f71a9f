"""Export a checkpoint to ONNX with the class names, input size and model identity in metadata."""

from __future__ import annotations

import shutil
from pathlib import Path

import onnx

from streetwatch.errors import UserError
from training.ultra import yolo_class


def parse_imgsz(text: str) -> tuple[int, int]:
    """Parse ``320`` or ``384,640`` (height, width) into a (height, width) pair."""
    try:
        values = [int(v) for v in text.replace("x", ",").split(",")]
    except ValueError:
        raise UserError(f"input size {text!r} is not N or H,W") from None
    if len(values) == 1:
        values *= 2
    if len(values) != 2 or min(values) < 32 or any(v % 32 for v in values):
        raise UserError(f"input size {text!r}: give N or H,W, each a multiple of 32")
    return values[0], values[1]


def set_metadata(path: Path, entries: dict[str, str]) -> None:
    """Add or replace metadata properties of an ONNX file in place."""
    model = onnx.load(str(path))
    props = {p.key: p.value for p in model.metadata_props}
    props.update(entries)
    del model.metadata_props[:]
    for key, value in props.items():
        model.metadata_props.add(key=key, value=value)
    onnx.save(model, str(path))


def export_onnx(weights: Path, out: Path, imgsz: tuple[int, int], name: str, version: str) -> Path:
    """Export ``weights`` to ``out`` (fp32 ONNX, batch 1, fixed ``imgsz`` = (height, width))."""
    if not weights.is_file():
        raise UserError(f"checkpoint {weights} does not exist")
    model = yolo_class()(str(weights))
    produced = Path(
        model.export(format="onnx", imgsz=list(imgsz), simplify=True, dynamic=False, batch=1)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(produced, out)
    set_metadata(
        out,
        {"streetwatch_name": name, "streetwatch_version": version, "streetwatch_precision": "fp32"},
    )
    return out
