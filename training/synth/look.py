"""The look of a view: time of day, weather and camera imperfections, drawn at random."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from training.synth.primitives import Color

Vec = tuple[float, float, float]


@dataclass(frozen=True)
class Light:
    """Directional light plus ambient.

    Attributes:
        sun: unit vector pointing towards the sun.
        ambient: shade of a surface facing away from the sun.
        diffuse: extra shade of a surface facing the sun.
        glow: shade of emissive surfaces.
    """

    sun: Vec
    ambient: float
    diffuse: float
    glow: float = 1.0

    def shade(self, normal: Vec) -> float:
        """Brightness factor of a surface with unit ``normal``."""
        d = normal[0] * self.sun[0] + normal[1] * self.sun[1] + normal[2] * self.sun[2]
        return self.ambient + self.diffuse * max(0.0, d)


LIGHTS = ("day", "dusk", "overcast")


@dataclass(frozen=True)
class Look:
    """Everything about a view that is not geometry.

    Attributes:
        light_name: ``day``, ``dusk`` or ``overcast``.
        light: the lighting used to shade surfaces.
        sky_top: BGR colour at the top of the sky.
        sky_horizon: BGR colour at the horizon (and of fog).
        tint: BGR gains of the colour grade.
        exposure: overall brightness gain.
        fog_density: per-metre extinction of haze or fog (0: clear).
        rain: rain-streak intensity 0..1.
        motion_px: motion-blur length in pixels.
        motion_angle_deg: motion-blur direction.
        defocus_sigma: Gaussian defocus in pixels.
        noise_sigma: sensor noise standard deviation (0–255 scale).
        jpeg_quality: quality used when the frame is saved as JPEG.
    """

    light_name: str
    light: Light
    sky_top: Color
    sky_horizon: Color
    tint: tuple[float, float, float]
    exposure: float
    fog_density: float
    rain: float
    motion_px: float
    motion_angle_deg: float
    defocus_sigma: float
    noise_sigma: float
    jpeg_quality: int


def _sun(rng: np.random.Generator, elevation_deg: float) -> tuple[float, float, float]:
    az = math.radians(float(rng.uniform(0, 360)))
    el = math.radians(elevation_deg)
    return (math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el))


def sample_look(rng: np.random.Generator, moving: bool) -> Look:
    """A random look; ``moving`` cameras (e-bikes) get more motion blur."""
    name = LIGHTS[int(rng.choice(3, p=[0.55, 0.2, 0.25]))]
    if name == "day":
        light = Light(
            _sun(rng, float(rng.uniform(25, 70))),
            float(rng.uniform(0.5, 0.65)),
            float(rng.uniform(0.45, 0.6)),
        )
        sky_top, horizon = (205, 150, 90), (230, 215, 200)
        tint, exposure = (1.0, 1.0, 1.0), float(rng.uniform(0.95, 1.1))
    elif name == "dusk":
        light = Light(_sun(rng, float(rng.uniform(2, 12))), 0.45, 0.45, glow=1.25)
        sky_top, horizon = (120, 80, 75), (120, 170, 235)
        tint, exposure = (0.8, 0.9, 1.08), float(rng.uniform(0.7, 0.9))
    else:
        light = Light((0.0, 0.0, 1.0), float(rng.uniform(0.8, 0.9)), 0.12)
        sky_top, horizon = (190, 185, 180), (212, 210, 207)
        tint, exposure = (1.02, 1.0, 0.97), float(rng.uniform(0.85, 1.0))
    weather = rng.random()
    fog = (
        float(rng.uniform(0.012, 0.04))
        if weather < 0.12
        else (float(rng.uniform(0.002, 0.008)) if weather < 0.45 else 0.0)
    )
    rain = float(rng.uniform(0.3, 1.0)) if name != "day" and rng.random() < 0.3 else 0.0
    if rain:
        light = Light(light.sun, light.ambient, light.diffuse * 0.3, light.glow)
        exposure *= 0.9
    blur = (
        float(rng.uniform(0, 9))
        if moving and rng.random() < 0.5
        else (float(rng.uniform(0, 3)) if rng.random() < 0.2 else 0.0)
    )
    return Look(
        light_name=name,
        light=light,
        sky_top=sky_top,
        sky_horizon=horizon,
        tint=tint,
        exposure=exposure,
        fog_density=fog,
        rain=rain,
        motion_px=blur,
        motion_angle_deg=float(rng.uniform(-20, 20)) if moving else float(rng.uniform(0, 180)),
        defocus_sigma=float(rng.uniform(0.3, 1.4)) if rng.random() < 0.25 else 0.0,
        noise_sigma=float(rng.uniform(1.0, 5.0 if name == "day" else 9.0)),
        jpeg_quality=int(rng.integers(60, 96)),
    )
