"""Lazy access to ultralytics (the ``[train]`` extra), with a clear error when it is missing."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from streetwatch.errors import UserError

TRAIN_EXTRA_MISSING = "this command needs the training extra: pip install -e '.[train]'"


def require_train_extra() -> None:
    """Raise :class:`UserError` unless the ``[train]`` extra's packages are installed."""
    if any(importlib.util.find_spec(name) is None for name in ("ultralytics", "onnx")):
        raise UserError(TRAIN_EXTRA_MISSING)


def yolo_class() -> Any:
    """Return ``ultralytics.YOLO``; raise :class:`UserError` when the extra is not installed."""
    os.environ.setdefault("YOLO_OFFLINE", "1")  # never reach for hub downloads or update checks
    try:
        from ultralytics import YOLO  # noqa: PLC0415 - heavy optional import
    except ImportError:
        raise UserError(TRAIN_EXTRA_MISSING) from None
    return YOLO
