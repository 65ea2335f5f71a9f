"""CJK text for signs: a system CJK font through Pillow, or blocky drawn glyphs as a fallback.

Search order: the ``STREETWATCH_CJK_FONT`` environment variable (a font file path), the usual
Debian locations (``fonts-noto-cjk``, ``fonts-wqy-zenhei``, ``fonts-wqy-microhei``,
``fonts-arphic-*``, ``fonts-droid-fallback``), then any file under ``/usr/share/fonts`` whose
name looks like a CJK font. A candidate is accepted only when Pillow draws two different
Chinese characters differently (so a font of empty boxes is refused). Without Pillow or without
such a font, characters are drawn as deterministic blocky strokes that read as "some Chinese
text" to a detector; labels never depend on the glyphs (text is colour, never alpha/shape).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

FONT_ENV = "STREETWATCH_CJK_FONT"
"""Environment variable naming a CJK font file to use first."""

FONT_DIR = Path("/usr/share/fonts")
KNOWN_FONTS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
NAME_HINTS: tuple[str, ...] = (
    "cjk",
    "wqy",
    "zenhei",
    "microhei",
    "uming",
    "ukai",
    "droidsansfallback",
    "sourcehan",
    "simhei",
    "simsun",
)

Mask = NDArray[np.uint8]


@dataclass(frozen=True)
class FontInfo:
    """The text renderer in use.

    Attributes:
        path: the font file, or ``None`` for the blocky fallback.
        source: how it was found: ``env``, ``system`` or ``fallback``.
        reason: why the fallback is used (empty when a font was found).
    """

    path: str | None
    source: str
    reason: str = ""

    def describe(self) -> str:
        """One line for the console."""
        if self.path is None:
            return f"blocky fallback glyphs ({self.reason})"
        return f"{self.path} ({self.source})"


def _pillow() -> Any:
    try:
        from PIL import ImageFont  # noqa: PLC0415 - optional dependency
    except ImportError:
        return None
    return ImageFont


def _candidates() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    env = os.environ.get(FONT_ENV)
    if env:
        found.append((env, "env"))
    found += [(p, "system") for p in KNOWN_FONTS if Path(p).is_file()]
    if FONT_DIR.is_dir():
        for path in sorted(FONT_DIR.rglob("*")):
            name = path.name.lower()
            if path.suffix.lower() in {".ttc", ".ttf", ".otf"} and any(
                h in name for h in NAME_HINTS
            ):
                found.append((str(path), "system"))
    return found


def _draws_chinese(image_font: Any, path: str) -> bool:
    try:
        font = image_font.truetype(path, 32)
        a = np.asarray(font.getmask("垃"), dtype=np.uint8)
        b = np.asarray(font.getmask("圾"), dtype=np.uint8)
    except OSError:
        return False
    return bool(a.size and b.size and a.any() and (a.shape != b.shape or (a != b).any()))


@lru_cache(maxsize=1)
def find_cjk_font() -> FontInfo:
    """Find the CJK font to draw sign text with (cached for the process)."""
    image_font = _pillow()
    if image_font is None:
        return FontInfo(None, "fallback", "Pillow is not installed")
    for path, source in _candidates():
        if _draws_chinese(image_font, path):
            return FontInfo(path, source)
    logger.warning("no CJK font found; install fonts-wqy-zenhei or set %s", FONT_ENV)
    return FontInfo(None, "fallback", f"no CJK font under {FONT_DIR}; install fonts-wqy-zenhei")


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> Any:
    return _pillow().truetype(path, size)


@lru_cache(maxsize=2048)
def text_mask(text: str, size_px: int) -> Mask:
    """A coverage mask (0–255) of one line of text whose glyph height is about ``size_px``."""
    size_px = max(6, int(size_px))
    info = find_cjk_font()
    mask = _pillow_mask(info.path, text, size_px) if info.path else _blocky_line(text, size_px)
    mask.setflags(write=False)
    return mask


def _pillow_mask(path: str, text: str, size: int) -> Mask:
    font = _font(path, size)
    left, top, right, bottom = font.getbbox(text)
    from PIL import Image, ImageDraw  # noqa: PLC0415 - optional dependency

    img = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
    ImageDraw.Draw(img).text((-left, -top), text, fill=255, font=font)
    out: Mask = np.array(img, dtype=np.uint8)
    return out


def _blocky_line(text: str, size: int) -> Mask:
    cells = [_blocky_glyph(ch, size) for ch in text if not ch.isspace()] or [_blank(size)]
    gap = np.zeros((size, max(1, size // 8)), np.uint8)
    parts: list[Mask] = []
    for cell in cells:
        parts += [cell, gap]
    return np.concatenate(parts[:-1], axis=1)


def _blank(size: int) -> Mask:
    return np.zeros((size, size // 2), np.uint8)


@lru_cache(maxsize=4096)
def _blocky_glyph(ch: str, size: int) -> Mask:
    if ord(ch) < 128:
        width = max(2, int(size * 0.6))
        cell = np.zeros((size, width), np.uint8)
        scale = size / 30.0
        cv2.putText(
            cell,
            ch,
            (0, int(size * 0.85)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            255,
            max(1, size // 10),
            cv2.LINE_AA,
        )
        return cell
    cell = np.zeros((size, size), np.uint8)
    rng = np.random.default_rng(ord(ch))
    thick = max(1, size // 9)
    m = size * 0.12
    span = size - 2 * m

    def pt(gx: float, gy: float) -> tuple[int, int]:
        return int(m + gx * span), int(m + gy * span)

    for _ in range(int(rng.integers(3, 7))):
        kind = int(rng.integers(0, 4))
        g = rng.integers(0, 5, size=2) / 4.0
        if kind == 0:
            cv2.line(cell, pt(0.0, g[0]), pt(1.0, g[0]), 255, thick)
        elif kind == 1:
            cv2.line(cell, pt(g[0], 0.0), pt(g[0], 1.0), 255, thick)
        elif kind == 2:
            cv2.rectangle(
                cell, pt(g[0] * 0.5, g[1] * 0.5), pt(0.5 + g[0] * 0.5, 0.5 + g[1] * 0.5), 255, thick
            )
        else:
            cv2.line(cell, pt(g[0], g[1]), pt(g[1], 1.0), 255, thick)
    return cell
