"""A constant-velocity Kalman filter over boxes as (centre x, centre y, aspect, height).

The state and noise model of SORT/ByteTrack: position noise scales with the box height
(1/20), velocity noise with 1/160 of it, one step per detection.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]
Matrix = npt.NDArray[np.float64]

_W_POS = 1.0 / 20.0
_W_VEL = 1.0 / 160.0
_F = np.eye(8)
_F[:4, 4:] = np.eye(4)
_H = np.eye(4, 8)


def xyxy_to_xyah(box: npt.NDArray[np.floating]) -> Vector:
    """Return (cx, cy, w/h, h) of an (x1, y1, x2, y2) box."""
    x1, y1, x2, y2 = (float(v) for v in box)
    w, h = max(x2 - x1, 1e-6), max(y2 - y1, 1e-6)
    return np.array([x1 + w / 2, y1 + h / 2, w / h, h])


def xyah_to_xyxy(state: Vector) -> Vector:
    """Return (x1, y1, x2, y2) of the first four state values (cx, cy, w/h, h)."""
    cx, cy, a, h = state[:4]
    w = a * h
    return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])


def initiate(measurement: Vector) -> tuple[Vector, Matrix]:
    """Return the mean and covariance of a new track at ``measurement`` (xyah)."""
    h = measurement[3]
    std = [2 * _W_POS * h, 2 * _W_POS * h, 1e-2, 2 * _W_POS * h]
    std += [10 * _W_VEL * h, 10 * _W_VEL * h, 1e-5, 10 * _W_VEL * h]
    return np.r_[measurement, np.zeros(4)], np.diag(np.square(std))


def predict(mean: Vector, cov: Matrix) -> tuple[Vector, Matrix]:
    """Return the state one step ahead."""
    h = mean[3]
    std = [_W_POS * h, _W_POS * h, 1e-2, _W_POS * h, _W_VEL * h, _W_VEL * h, 1e-5, _W_VEL * h]
    return _F @ mean, _F @ cov @ _F.T + np.diag(np.square(std))


def update(mean: Vector, cov: Matrix, measurement: Vector) -> tuple[Vector, Matrix]:
    """Return the state corrected by ``measurement`` (xyah)."""
    h = mean[3]
    noise = np.diag(np.square([_W_POS * h, _W_POS * h, 1e-1, _W_POS * h]))
    projected_cov = _H @ cov @ _H.T + noise
    gain = np.linalg.solve(projected_cov, (cov @ _H.T).T).T
    innovation = measurement - _H @ mean
    return mean + gain @ innovation, cov - gain @ projected_cov @ gain.T
