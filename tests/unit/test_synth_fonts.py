"""CJK sign text: a system font when there is one, drawn blocky glyphs otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from training.synth import fonts
from training.synth.drawing import Pen


def test_text_mask_draws_chinese() -> None:
    mask = fonts.text_mask("开业大酬宾", 32)
    assert mask.dtype == np.uint8 and mask.ndim == 2
    assert mask.max() > 128
    assert mask.shape[1] > mask.shape[0] * 3


def test_fallback_glyphs_without_a_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: fonts.FontInfo(None, "fallback", "test"))
    fonts.text_mask.cache_clear()
    try:
        a = fonts.text_mask("垃圾", 24)
        b = fonts.text_mask("垃圾", 24)
        c = fonts.text_mask("广告", 24)
        assert a.shape[0] == 24 and a.max() == 255
        assert np.array_equal(a, b)
        assert not np.array_equal(a, c)
        assert fonts.text_mask("138 1234", 24).max() == 255
    finally:
        fonts.text_mask.cache_clear()


def test_font_info_describes_itself() -> None:
    info = fonts.find_cjk_font()
    assert info.describe()
    assert fonts.FontInfo(None, "fallback", "no font").describe().startswith("blocky")


def test_pen_text_changes_colour_only() -> None:
    pen = Pen(2.0, 0.5, 64)
    pen.rect(0.0, 0.0, 1.0, 0.5, (0, 0, 200), alpha=255)
    before = pen.tex.copy()
    pen.text("旺铺转让", (0.0, 0.0, 2.0, 0.5), (255, 255, 255))
    assert np.array_equal(pen.tex[:, :, 3], before[:, :, 3])
    assert not np.array_equal(pen.tex[:, :, :3], before[:, :, :3])
