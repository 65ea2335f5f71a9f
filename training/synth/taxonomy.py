"""What the generator can place: object kinds, the three detector classes and the negatives.

Class ids follow the detector's taxonomy: 0 ``street_vending``, 1 ``garbage``,
2 ``illegal_signage``. Every other kind is a *negative* (a look-alike or ordinary street
clutter): it appears in the ground truth with ``is_violation = False`` and is never labelled.
"""

from __future__ import annotations

from enum import Enum

CLASS_NAMES: tuple[str, ...] = ("street_vending", "garbage", "illegal_signage")
"""Detector class names, indexed by class id."""

VENDING, GARBAGE, SIGNAGE = 0, 1, 2


class Kind(str, Enum):
    """Every object kind the generator draws."""

    UMBRELLA_STALL = "umbrella_stall"
    CANOPY_STALL = "canopy_stall"
    TRICYCLE_CART = "tricycle_cart"
    GROUND_GOODS = "ground_goods"
    SHOPFRONT_DISPLAY = "shopfront_display"
    GARBAGE_HEAP = "garbage_heap"
    GARBAGE_BAGS = "garbage_bags"
    OVERFLOWING_BIN = "overflowing_bin"
    SCATTERED_LITTER = "scattered_litter"
    CLOTH_BANNER = "cloth_banner"
    A_FRAME_SIGN = "a_frame_sign"
    STANDING_SIGN = "standing_sign"
    POSTERS = "posters"
    OVERSIZED_SIGN = "oversized_sign"
    SHOP_SIGN = "shop_sign"
    CLEAN_BIN = "clean_bin"
    DELIVERY_TRICYCLE = "delivery_tricycle"
    PEDESTRIAN_WITH_BAGS = "pedestrian_with_bags"
    PEDESTRIAN = "pedestrian"
    BICYCLE = "bicycle"
    CAR = "car"


KIND_CLASS: dict[Kind, int] = {
    Kind.UMBRELLA_STALL: VENDING,
    Kind.CANOPY_STALL: VENDING,
    Kind.TRICYCLE_CART: VENDING,
    Kind.GROUND_GOODS: VENDING,
    Kind.SHOPFRONT_DISPLAY: VENDING,
    Kind.GARBAGE_HEAP: GARBAGE,
    Kind.GARBAGE_BAGS: GARBAGE,
    Kind.OVERFLOWING_BIN: GARBAGE,
    Kind.SCATTERED_LITTER: GARBAGE,
    Kind.CLOTH_BANNER: SIGNAGE,
    Kind.A_FRAME_SIGN: SIGNAGE,
    Kind.STANDING_SIGN: SIGNAGE,
    Kind.POSTERS: SIGNAGE,
    Kind.OVERSIZED_SIGN: SIGNAGE,
}
"""Violation kinds and their class id; kinds not listed are negatives."""

LOOKALIKES: tuple[Kind, ...] = (
    Kind.SHOP_SIGN,
    Kind.CLEAN_BIN,
    Kind.DELIVERY_TRICYCLE,
    Kind.PEDESTRIAN_WITH_BAGS,
)
"""Negatives chosen to resemble a violation class."""

CLUTTER: tuple[Kind, ...] = (Kind.PEDESTRIAN, Kind.BICYCLE, Kind.CAR)
"""Ordinary street objects, also negatives."""

WALL_KINDS: frozenset[Kind] = frozenset({Kind.SHOP_SIGN, Kind.OVERSIZED_SIGN})
"""Kinds that are always mounted on a facade."""


def class_id(kind: object) -> int | None:
    """The detector class id of a kind, or ``None`` for a negative (or anything else)."""
    return KIND_CLASS.get(kind) if isinstance(kind, Kind) else None


def class_name(kind: Kind) -> str | None:
    """The detector class name of a kind, or ``None`` for a negative."""
    cid = KIND_CLASS.get(kind)
    return None if cid is None else CLASS_NAMES[cid]


def is_violation(kind: object) -> bool:
    """Whether objects of this kind are labelled for the detector."""
    return isinstance(kind, Kind) and kind in KIND_CLASS


def violation_kinds(cid: int) -> tuple[Kind, ...]:
    """All kinds that belong to one class id."""
    return tuple(k for k, c in KIND_CLASS.items() if c == cid)
