"""Levels of detail: texture resolution by distance, and a cache of built models."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Hashable

from training.synth.primitives import Model


class ModelCache:
    """Least-recently-used store of built models, so video frames reuse textures."""

    def __init__(self, capacity: int = 768) -> None:
        self._items: OrderedDict[Hashable, Model] = OrderedDict()
        self._capacity = capacity

    def get(self, key: Hashable, factory: Callable[[], Model]) -> Model:
        """The cached model for ``key``, built by ``factory`` when missing."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        model = factory()
        self._items[key] = model
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return model


def lod_ppm(fx: float, depth: float, lo: float = 4.0, hi: float = 512.0) -> float:
    """Texture pixels per metre for something ``depth`` metres away (a power of two)."""
    ppm = fx / max(depth, 0.3)
    return float(min(hi, max(lo, 2.0 ** round(math.log2(ppm)))))
