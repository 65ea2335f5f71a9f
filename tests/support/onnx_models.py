"""Small hand-built ONNX graphs for detector tests (end-to-end heads, broken models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def constant_head_model(
    path: Path,
    rows: np.ndarray,
    input_hw: tuple[int, int] = (64, 96),
    names: str = "{0: 'street_vending', 1: 'garbage', 2: 'illegal_signage'}",
    task: str = "detect",
) -> Path:
    """Write a model whose output is ``rows`` (shape (1, N, K)) whatever the input.

    The output still depends on the input (plus zero times its mean), so onnxruntime keeps
    the input. Metadata carries ``names``, ``imgsz`` and ``task`` like an ultralytics export.
    """
    h, w = input_hw
    value = numpy_helper.from_array(rows.astype(np.float32), name="rows")
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
        helper.make_node("Add", ["rows", "nothing"], ["output0"]),
    ]
    graph = helper.make_graph(
        nodes,
        "constant_head",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, h, w])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, list(rows.shape))],
        initializer=[value, numpy_helper.from_array(np.zeros((), np.float32), name="zero")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, val in {"names": names, "imgsz": f"[{h}, {w}]", "task": task}.items():
        model.metadata_props.add(key=key, value=val)
    onnx.save(model, str(path))
    return path
