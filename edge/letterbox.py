"""Letterbox geometry: fit a frame into the model input and map boxes back.

Rounding follows ultralytics' ``LetterBox`` and ``scale_boxes`` exactly, so boxes agree with
ultralytics' own prediction on the same ONNX file.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

PAD_VALUE = 114


@dataclass(frozen=True)
class Letterbox:
    """How a frame of ``frame_hw`` maps into an input of ``input_hw``."""

    frame_hw: tuple[int, int]
    input_hw: tuple[int, int]
    resized_wh: tuple[int, int]
    top: int
    bottom: int
    left: int
    right: int

    @classmethod
    def fit(cls, frame_hw: tuple[int, int], input_hw: tuple[int, int]) -> Letterbox:
        """Return the letterbox that fits ``frame_hw`` into ``input_hw`` (centred padding)."""
        h, w = frame_hw
        r = min(input_hw[0] / h, input_hw[1] / w)
        resized = (max(round(w * r), 1), max(round(h * r), 1))
        dw = (input_hw[1] - resized[0]) / 2
        dh = (input_hw[0] - resized[1]) / 2
        return cls(
            frame_hw=frame_hw,
            input_hw=input_hw,
            resized_wh=resized,
            top=round(dh - 0.1),
            bottom=round(dh + 0.1),
            left=round(dw - 0.1),
            right=round(dw + 0.1),
        )

    def to_frame(self, xyxy: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Map (N, 4) boxes from input pixels back to frame pixels, clipped to the frame."""
        h0, w0 = self.frame_hw
        h1, w1 = self.input_hw
        gain = min(h1 / h0, w1 / w0)
        new_h, new_w = max(round(h0 * gain), 1), max(round(w0 * gain), 1)
        pad_x = round((w1 - new_w) / 2 - 0.1)
        pad_y = round((h1 - new_h) / 2 - 0.1)
        out = xyxy.astype(np.float32, copy=True)
        out[:, [0, 2]] = (out[:, [0, 2]] - pad_x) / (new_w / w0)
        out[:, [1, 3]] = (out[:, [1, 3]] - pad_y) / (new_h / h0)
        out[:, [0, 2]] = out[:, [0, 2]].clip(0, w0)
        out[:, [1, 3]] = out[:, [1, 3]].clip(0, h0)
        return out


class InputBuffer:
    """Letterboxes frames straight into one reused input tensor (no per-frame allocations).

    The pad border is written once; each frame only resizes into the middle and converts to
    float, which halves the preprocessing time of a fresh-array letterbox. The returned
    tensor is overwritten by the next call: run the model on it before preparing another.
    """

    def __init__(self, input_hw: tuple[int, int]) -> None:
        self.input_hw = input_hw
        self._box: Letterbox | None = None
        self._canvas = np.full((*input_hw, 3), PAD_VALUE, np.uint8)
        self._tensor = np.empty((1, 3, *input_hw), np.float32)

    def fill(self, image: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], Letterbox]:
        """Return the (1, 3, H, W) RGB 0..1 tensor of ``image`` and its letterbox."""
        frame_hw = (image.shape[0], image.shape[1])
        box = self._box
        if box is None or box.frame_hw != frame_hw:
            box = self._box = Letterbox.fit(frame_hw, self.input_hw)
            self._canvas[:] = PAD_VALUE  # a new frame size leaves a different border
        w, h = box.resized_wh
        inner = self._canvas[box.top : box.top + h, box.left : box.left + w]
        if (image.shape[1], image.shape[0]) == (w, h):
            inner[:] = image
        else:
            inner[:] = cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)
        rgb = self._canvas.transpose(2, 0, 1)[None, ::-1]
        np.divide(rgb, np.float32(255), out=self._tensor, casting="unsafe")
        return self._tensor, box
