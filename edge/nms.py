"""Decoding of YOLO output heads and class-aware non-maximum suppression (numpy)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

MAX_WH = 7680.0
"""Per-class box offset that keeps classes apart in one NMS pass (as ultralytics does)."""
MAX_NMS = 30000

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]


def iou_one_to_many(box: Floats, boxes: Floats) -> Floats:
    """Return the IoU of one xyxy box with each of (N, 4) boxes."""
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[2], boxes[:, 2])
    y2 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    result: Floats = inter / (area + areas - inter + 1e-9)
    return result


def nms(boxes: Floats, scores: Floats, iou_threshold: float) -> Ints:
    """Greedy NMS: indices of kept boxes, highest score first."""
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        best = int(order[0])
        keep.append(best)
        rest = order[1:]
        order = rest[iou_one_to_many(boxes[best], boxes[rest]) <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def decode_anchor_head(
    output: Floats, conf_threshold: float, iou_threshold: float, max_det: int
) -> tuple[Floats, Floats, Ints]:
    """Decode a YOLOv8/11-style head ``(1, 4 + nc, N)`` into xyxy, score, class (input pixels)."""
    head = output[0]  # (4 + nc, N): filter on the rows before gathering any column
    class_scores = head[4:]
    score = class_scores.max(axis=0)
    keep = np.flatnonzero(score > conf_threshold)
    score, class_id = score[keep], class_scores[:, keep].argmax(axis=0)
    pred = head[:4, keep].T  # (n, 4)
    if len(score) > MAX_NMS:
        top = np.argsort(-score, kind="stable")[:MAX_NMS]
        pred, score, class_id = pred[top], score[top], class_id[top]
    cx, cy, w, h = pred[:, 0], pred[:, 1], pred[:, 2], pred[:, 3]
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    offset = class_id[:, None].astype(np.float32) * MAX_WH
    kept = nms(xyxy + offset, score.astype(np.float32), iou_threshold)[:max_det]
    return xyxy[kept], score[kept].astype(np.float32), class_id[kept].astype(np.int64)


def decode_end_to_end(
    output: Floats, conf_threshold: float, max_det: int
) -> tuple[Floats, Floats, Ints]:
    """Decode an end-to-end head ``(1, N, 6)``: x1, y1, x2, y2, score, class (no NMS needed)."""
    pred = output[0]
    pred = pred[pred[:, 4] > conf_threshold][:max_det]
    return (
        pred[:, :4].astype(np.float32),
        pred[:, 4].astype(np.float32),
        pred[:, 5].astype(np.int64),
    )
