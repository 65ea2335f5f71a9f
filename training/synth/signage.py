"""Illegal signage (class 2): banners, A-frames, standing signs, small ads, oversized signs.

Also the legal shop sign, a look-alike that must not be labelled.

Wall-mounted models use a local frame whose ``b = 0`` plane is the wall (front = street side).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from training.synth.drawing import Pen, jitter, scale_color
from training.synth.primitives import Color, Facet, Model, Mount, Primitive, Quad, Texture, vec
from training.synth.shapes import box, panel, shadow
from training.synth.texts import (
    AFRAME_TEXTS,
    BANNER_SLOGANS,
    POSTER_TEXTS,
    SHOP_NAMES,
    phone_number,
    pick,
)

RED_CLOTH: Color = (35, 30, 200)
SIGN_COLORS: tuple[Color, ...] = (
    (140, 60, 20),
    (40, 40, 40),
    (235, 235, 235),
    (60, 120, 40),
    (30, 110, 200),
    (120, 40, 120),
    (40, 150, 220),
    (90, 60, 40),
    (200, 160, 60),
)
TEXT_COLORS: tuple[Color, ...] = ((255, 255, 255), (40, 220, 250), (30, 30, 30), (40, 40, 200))


def _contrast(rng: np.random.Generator, bg: Color) -> Color:
    options = [c for c in TEXT_COLORS if abs(sum(c) - sum(bg)) > 200]
    return options[int(rng.integers(len(options)))] if options else (255, 255, 255)


def banner_texture(rng: np.random.Generator, width: float, height: float, ppm: float) -> Texture:
    """Red cloth with a slogan, creases and tie loops."""
    pen = Pen(width, height, ppm, opaque=True)
    pen.fill(jitter(rng, RED_CLOTH, 15))
    for x in np.arange(float(rng.uniform(0.2, 0.8)), width, float(rng.uniform(0.6, 1.4))):
        pen.line(
            (float(x), 0.0),
            (float(x) + float(rng.uniform(-0.1, 0.1)), height),
            scale_color(RED_CLOTH, float(rng.uniform(0.75, 1.2))),
            0.05,
        )
    color = (40, 230, 250) if rng.random() < 0.6 else (250, 250, 250)
    pen.text(pick(rng, BANNER_SLOGANS), (0.15, height * 0.12, width - 0.15, height * 0.88), color)
    for x in (0.05, width - 0.05):
        pen.ellipse(x, 0.05, 0.03, 0.03, (220, 220, 220))
        pen.ellipse(x, height - 0.05, 0.03, 0.03, (220, 220, 220))
    pen.grain(0.25, int(rng.integers(0, 2**31)))
    return pen.done()


def cloth_banner(rng: np.random.Generator, ppm: float, mount: Mount) -> Model:
    """A slogan banner between posts, on a railing or across a facade."""
    width = mount.width or float(rng.uniform(2.5, 7.0))
    height = mount.height or float(rng.uniform(0.55, 1.0))
    z0 = mount.elevation or float(rng.uniform(1.8, 2.6))
    back = Pen(width, height, min(ppm, 32), opaque=True)
    back.fill(scale_color(RED_CLOTH, 0.8))
    tex = banner_texture(rng, width, height, ppm)
    parts: list[Primitive] = [
        panel((-width / 2, width / 2), (z0, z0 + height), -0.03, tex, back=back.done())
    ]
    if mount.variant == "posts":
        for a in (-width / 2 - 0.05, width / 2):
            parts += box((a, a + 0.05), (-0.02, 0.03), (0.0, z0 + height + 0.1), (60, 110, 150))
    return tuple(parts)


def _ad_texture(
    rng: np.random.Generator, width: float, height: float, ppm: float, vertical: bool
) -> Texture:
    pen = Pen(width, height, ppm, max_px=256, opaque=True)
    bg = jitter(rng, SIGN_COLORS[int(rng.integers(len(SIGN_COLORS)))], 15)
    pen.fill(bg)
    fg = _contrast(rng, bg)
    pen.rect(0.02, 0.02, width - 0.02, height - 0.02, fg, thickness_m=0.02)
    if rng.random() < 0.5:
        pen.ellipse(
            width / 2, height * 0.7, width * 0.3, height * 0.12, jitter(rng, (60, 140, 220), 60)
        )
        pen.text(
            pick(rng, AFRAME_TEXTS),
            (0.06, 0.06, width - 0.06, height * 0.55),
            fg,
            vertical=vertical,
        )
    else:
        pen.text(
            pick(rng, AFRAME_TEXTS), (0.06, 0.06, width - 0.06, height * 0.8), fg, vertical=vertical
        )
        pen.text(phone_number(rng), (0.06, height * 0.82, width - 0.06, height * 0.95), fg)
    return pen.done()


def a_frame_sign(rng: np.random.Generator, ppm: float, mount: Mount) -> Model:
    """A folding A-frame board standing on the pavement."""
    del mount
    w, h = float(rng.uniform(0.5, 0.8)), float(rng.uniform(0.9, 1.3))
    spread = h * 0.22
    tex = _ad_texture(rng, w, h, ppm, vertical=rng.random() < 0.4)
    frame = jitter(rng, (40, 40, 40), 20)
    front = Quad(vec(-w / 2, 0.0, h), vec(w, 0, 0), vec(0.0, -spread, -h), tex, two_sided=False)
    rear = Quad(vec(w / 2, 0.0, h), vec(-w, 0, 0), vec(0.0, spread, -h), tex, two_sided=False)
    edge = [
        Facet(
            np.array([vec(a, -spread, 0), vec(a, 0, h), vec(a, spread, 0)]), frame, two_sided=True
        )
        for a in (-w / 2, w / 2)
    ]
    return (shadow(w / 2, spread, 0.35), front, rear, *edge)


def standing_sign(rng: np.random.Generator, ppm: float, mount: Mount) -> Model:
    """A free-standing lightbox or roll-up banner stand set out on the pavement."""
    del mount
    if rng.random() < 0.5:
        w, h, d = float(rng.uniform(0.45, 0.8)), float(rng.uniform(1.5, 2.2)), 0.25
        tex = _ad_texture(rng, w, h - 0.15, ppm, vertical=True)
        parts: list[Primitive] = [shadow(w / 2, d, 0.35)]
        parts += box((-w / 2, w / 2), (-d / 2, d / 2), (0.0, h), (230, 230, 230))
        parts.append(
            panel(
                (-w / 2 + 0.03, w / 2 - 0.03),
                (0.1, h - 0.05),
                -d / 2 - 0.005,
                tex,
                two_sided=False,
                emissive=True,
            )
        )
        parts.append(
            panel(
                (w / 2 - 0.03, -w / 2 + 0.03),
                (0.1, h - 0.05),
                d / 2 + 0.005,
                tex,
                two_sided=False,
                emissive=True,
            )
        )
        return tuple(parts)
    w, h = float(rng.uniform(0.6, 0.9)), float(rng.uniform(1.6, 2.0))
    tex = _ad_texture(rng, w, h, ppm, vertical=rng.random() < 0.5)
    return (
        shadow(w / 2, 0.2, 0.3),
        *box((-w / 2, w / 2), (-0.05, 0.05), (0.0, 0.06), (60, 60, 60)),
        panel((-w / 2, w / 2), (0.06, h), 0.0, tex),
    )


def posters(rng: np.random.Generator, ppm: float, mount: Mount) -> Model:
    """A cluster of small paper ads (牛皮癣) stuck on a wall, pole or box (``b = 0`` surface)."""
    w = mount.width or float(rng.uniform(0.8, 2.0))
    h = mount.height or float(rng.uniform(0.8, 1.5))
    z0 = mount.elevation or float(rng.uniform(0.6, 1.3))
    pen = Pen(w, h, ppm, max_px=256)
    count = max(4, int(w * h * float(rng.uniform(8, 20))))
    for _ in range(count):
        pw, ph = float(rng.uniform(0.18, 0.4)), float(rng.uniform(0.25, 0.5))
        pw, ph = min(pw, w), min(ph, h)
        x, y = float(rng.uniform(0, w - pw)), float(rng.uniform(0, h - ph))
        paper = jitter(
            rng,
            [(235, 240, 240), (120, 220, 250), (200, 200, 255), (210, 240, 210)][
                int(rng.integers(4))
            ],
            10,
        )
        pen.rect(x, y, x + pw, y + ph, paper)
        ink = (30, 30, 30) if rng.random() < 0.6 else (40, 40, 200)
        pen.text(pick(rng, POSTER_TEXTS), (x + 0.02, y + 0.02, x + pw - 0.02, y + ph * 0.55), ink)
        pen.text(phone_number(rng), (x + 0.01, y + ph * 0.6, x + pw - 0.01, y + ph * 0.85), ink)
    return (panel((-w / 2, w / 2), (z0, z0 + h), -0.01, pen.done(), two_sided=False),)


def oversized_sign(rng: np.random.Generator, ppm: float, mount: Mount) -> Model:
    """A shop sign far beyond its sign band: over the upper floor, or sticking out of the wall."""
    z0 = mount.elevation or 3.5
    if mount.variant == "protruding":
        w, h = float(rng.uniform(0.6, 1.0)), float(rng.uniform(2.5, 4.5))
        tex = _sign_texture(rng, w, h, ppm, vertical=True)
        quad = Quad(
            vec(0.0, -0.1, z0 + h),
            vec(0.0, -w, 0.0),
            vec(0.0, 0.0, -h),
            tex,
            two_sided=True,
            emissive=True,
        )
        return (quad, *box((-0.05, 0.05), (-0.1 - w, -0.1), (z0 + h, z0 + h + 0.06), (60, 60, 60)))
    w = mount.width or float(rng.uniform(5.0, 10.0))
    h = mount.height or float(rng.uniform(2.2, 3.5))
    tex = _sign_texture(rng, w, h, ppm, vertical=False, slogan=True)
    return (
        *box((-w / 2, w / 2), (-0.2, 0.0), (z0, z0 + h), (90, 90, 90)),
        panel((-w / 2, w / 2), (z0, z0 + h), -0.205, tex, two_sided=False),
    )


def _sign_texture(
    rng: np.random.Generator,
    w: float,
    h: float,
    ppm: float,
    *,
    vertical: bool,
    slogan: bool = False,
) -> Texture:
    pen = Pen(w, h, ppm, opaque=True)
    bg = jitter(rng, SIGN_COLORS[int(rng.integers(len(SIGN_COLORS)))], 12)
    pen.fill(bg)
    fg = _contrast(rng, bg)
    border = min(w, h) * 0.06
    pen.rect(border, border, w - border, h - border, fg, thickness_m=border * 0.4)
    name_bottom = h * 0.62 if slogan else h - border * 2
    pen.text(
        pick(rng, SHOP_NAMES),
        (border * 2, border * 2, w - border * 2, name_bottom),
        fg,
        vertical=vertical,
    )
    if slogan:
        line = f"{pick(rng, AFRAME_TEXTS)} {phone_number(rng)}"
        pen.rect(border * 2, h * 0.66, w - border * 2, h - border * 2, fg)
        pen.text(line, (border * 3, h * 0.68, w - border * 3, h - border * 2.5), bg)
    pen.rect(0, 0, w, h * 0.12, scale_color(bg, 1.15))
    return pen.done()


SIGN_POOL = 96
"""Legal shop signs come in this many looks per size, shared across images (they are many)."""


@lru_cache(maxsize=2048)
def _pooled_sign(look: int, w: float, h: float, ppm: float) -> Texture:
    return _sign_texture(np.random.default_rng([look, 0x516]), w, h, ppm, vertical=False)


def shop_sign(rng: np.random.Generator, ppm: float, mount: Mount) -> Model:
    """The legal sign in a shop's sign band (a negative look-alike of signage)."""
    w = mount.width or float(rng.uniform(3.0, 6.0))
    h = mount.height or float(rng.uniform(0.7, 1.0))
    z0 = mount.elevation or 3.0
    look = int(rng.integers(0, SIGN_POOL))
    tex = _pooled_sign(look, round(w * 4) / 4, round(h * 10) / 10, ppm)
    edge = jitter(rng, (150, 150, 150), 40)
    face = panel((-w / 2, w / 2), (z0, z0 + h), -0.125, tex, two_sided=False)
    if ppm < 32:
        return (face,)
    return (*box((-w / 2, w / 2), (-0.12, 0.0), (z0, z0 + h), edge), face)
