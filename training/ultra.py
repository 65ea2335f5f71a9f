"""Lazy access to ultralytics (the ``[train]`` extra), with a clear error when it is missing."""

from __future__ import annotations

import os
from typing import Any

from streetwatch.errors import UserError


def yolo_class() -> Any:
    """Return ``ultralytics.YOLO``; raise :class:`UserError` when the extra is not installed."""
    os.environ.setdefault("YOLO_OFFLINE", "1")  # never reach for hub downloads or update checks
    try:
        from ultralytics import YOLO  # noqa: PLC0415 - heavy optional import
    except ImportError:
        raise UserError(
            "this command needs the training extra: pip install -e '.[train]'"
        ) from None
    return YOLO
