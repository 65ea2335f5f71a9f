"""One entry point that turns an object kind into its local 3-D model."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from training.synth import garbage, signage, vending
from training.synth.people import pedestrian
from training.synth.primitives import Model, Mount
from training.synth.scenery import Scenery, pooled_scenery
from training.synth.taxonomy import Kind
from training.synth.vehicles import bicycle, car, delivery_tricycle

Builder = Callable[[np.random.Generator, float, Mount], Model]


def _plain(fn: Callable[[np.random.Generator, float], Model]) -> Builder:
    def build(rng: np.random.Generator, ppm: float, mount: Mount) -> Model:
        del mount
        return fn(rng, ppm)

    return build


BUILDERS: dict[Kind, Builder] = {
    Kind.UMBRELLA_STALL: _plain(vending.umbrella_stall),
    Kind.CANOPY_STALL: _plain(vending.canopy_stall),
    Kind.TRICYCLE_CART: _plain(vending.tricycle_cart),
    Kind.GROUND_GOODS: _plain(vending.ground_goods),
    Kind.SHOPFRONT_DISPLAY: _plain(vending.shopfront_display),
    Kind.GARBAGE_HEAP: _plain(garbage.garbage_heap),
    Kind.GARBAGE_BAGS: _plain(garbage.garbage_bags),
    Kind.OVERFLOWING_BIN: _plain(garbage.overflowing_bin),
    Kind.SCATTERED_LITTER: _plain(garbage.scattered_litter),
    Kind.CLOTH_BANNER: signage.cloth_banner,
    Kind.A_FRAME_SIGN: signage.a_frame_sign,
    Kind.STANDING_SIGN: signage.standing_sign,
    Kind.POSTERS: signage.posters,
    Kind.OVERSIZED_SIGN: signage.oversized_sign,
    Kind.SHOP_SIGN: signage.shop_sign,
    Kind.CLEAN_BIN: _plain(garbage.clean_bin),
    Kind.DELIVERY_TRICYCLE: _plain(delivery_tricycle),
    Kind.PEDESTRIAN_WITH_BAGS: _plain(lambda rng, ppm: pedestrian(rng, ppm, bags=True)),
    Kind.PEDESTRIAN: _plain(lambda rng, ppm: pedestrian(rng, ppm, bags=False)),
    Kind.BICYCLE: _plain(bicycle),
    Kind.CAR: _plain(car),
}


def build_model(kind: Kind | Scenery, style_seed: int, ppm: float, mount: Mount) -> Model:
    """The local model of one object, drawn for ``ppm`` texture pixels per metre.

    The same ``style_seed`` gives the same object at every ``ppm`` (only finer or coarser).
    """
    if isinstance(kind, Scenery):
        return pooled_scenery(kind, style_seed, ppm, mount.width)
    return BUILDERS[kind](np.random.default_rng(style_seed), ppm, mount)
