"""The ONNX Runtime detector: letterbox, run, decode, NMS; names and size from metadata."""

from __future__ import annotations

import ast
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from edge.detections import Detections
from edge.letterbox import InputBuffer, Letterbox
from edge.nms import decode_anchor_head, decode_end_to_end
from streetwatch.errors import UserError

log = logging.getLogger(__name__)


class ModelError(UserError):
    """A model file that is missing, corrupt or not a YOLO detector this build can run."""


@dataclass(frozen=True)
class ModelInfo:
    """What the detector knows about its model, read from the file and its metadata."""

    path: Path
    sha256: str
    name: str
    version: str
    names: tuple[str, ...]
    input_hw: tuple[int, int]
    end_to_end: bool


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_names(raw: str | None, path: Path) -> tuple[str, ...]:
    if raw is None:
        raise ModelError(f"model {path} has no 'names' metadata: export it with ultralytics")
    try:
        parsed = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        raise ModelError(f"model {path} has unreadable 'names' metadata: {raw[:80]!r}") from None
    if isinstance(parsed, dict):
        return tuple(str(parsed[k]) for k in sorted(parsed))
    if isinstance(parsed, list | tuple):
        return tuple(str(v) for v in parsed)
    raise ModelError(f"model {path} has 'names' metadata of an unknown shape")


def _input_hw(session: ort.InferenceSession, imgsz: str | None, path: Path) -> tuple[int, int]:
    shape = session.get_inputs()[0].shape
    if len(shape) != 4:
        raise ModelError(f"model {path} takes a {len(shape)}-d input; a detector takes NCHW")
    h, w = shape[2], shape[3]
    if isinstance(h, int) and isinstance(w, int):
        return h, w
    if imgsz is not None:
        size = ast.literal_eval(imgsz)
        return (int(size[0]), int(size[1])) if isinstance(size, list) else (int(size),) * 2
    raise ModelError(f"model {path} has a dynamic input size and no 'imgsz' metadata")


def load_session(path: Path, providers: list[str], threads: int) -> ort.InferenceSession:
    """Open an ONNX Runtime session, turning every failure into one :class:`ModelError`."""
    if not path.is_file():
        raise ModelError(f"model file {path} does not exist")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    available = set(ort.get_available_providers())
    missing = [p for p in providers if p not in available]
    if missing:
        raise ModelError(
            f"execution provider(s) {', '.join(missing)} are not available in this onnxruntime "
            f"build (available: {', '.join(sorted(available))})"
        )
    try:
        return ort.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as exc:  # onnxruntime raises several unrelated types for bad files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"model {path} cannot be loaded by onnxruntime: {first[:200]}") from None


def read_model_info(session: ort.InferenceSession, path: Path) -> ModelInfo:
    """Read class names, input size and head type; refuse what is not a YOLO detector."""
    meta = session.get_modelmeta().custom_metadata_map
    names = _parse_names(meta.get("names"), path)
    task = meta.get("task", "detect")
    if task != "detect":
        raise ModelError(f"model {path} is a {task!r} model; streetwatch needs 'detect'")
    out_shape = session.get_outputs()[0].shape
    end_to_end = len(out_shape) == 3 and out_shape[2] == 6 and out_shape[1] != 4 + len(names)
    if not end_to_end and (len(out_shape) != 3 or out_shape[1] != 4 + len(names)):
        raise ModelError(
            f"model {path} has output shape {out_shape}; expected (1, {4 + len(names)}, N) "
            "or an end-to-end (1, N, 6)"
        )
    return ModelInfo(
        path=path,
        sha256=_sha256(path),
        name=meta.get("streetwatch_name", path.stem),
        version=meta.get("streetwatch_version", meta.get("date", "unknown")),
        names=names,
        input_hw=_input_hw(session, meta.get("imgsz"), path),
        end_to_end=end_to_end,
    )


class OnnxDetector:
    """Detects violation classes in BGR frames with a YOLO model exported to ONNX."""

    def __init__(
        self,
        path: Path,
        *,
        providers: list[str] | None = None,
        threads: int = 2,
        conf_threshold: float = 0.25,
        iou_threshold: float = 0.7,
        max_det: int = 300,
    ) -> None:
        self._session = load_session(path, providers or ["CPUExecutionProvider"], threads)
        self.info = read_model_info(self._session, path)
        self.input_name: str = self._session.get_inputs()[0].name
        self._conf = conf_threshold
        self._iou = iou_threshold
        self._max_det = max_det
        self._buffer = InputBuffer(self.info.input_hw)
        log.info(
            "model %s (%s), classes %s, input %dx%d",
            self.info.name,
            self.info.sha256[:12],
            ",".join(self.info.names),
            self.info.input_hw[1],
            self.info.input_hw[0],
        )

    def prepare(self, image: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.float32], Letterbox]:
        """Return the input tensor for ``image`` and the letterbox that made it."""
        tensor, box = self._buffer.fill(image)
        return tensor.copy(), box

    def infer(self, tensor: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Run the model on a prepared tensor; return its raw first output."""
        output: npt.NDArray[np.float32] = self._session.run(None, {self.input_name: tensor})[0]
        return output

    def decode(self, output: npt.NDArray[np.float32], box: Letterbox) -> Detections:
        """Turn a raw output into frame-pixel detections."""
        if self.info.end_to_end:
            xyxy, score, cls = decode_end_to_end(output, self._conf, self._max_det)
        else:
            xyxy, score, cls = decode_anchor_head(output, self._conf, self._iou, self._max_det)
        return Detections(box.to_frame(xyxy), score, cls)

    def detect(self, image: npt.NDArray[np.uint8]) -> Detections:
        """Return the detections in one BGR frame (H, W, 3, uint8)."""
        tensor, box = self._buffer.fill(image)
        return self.decode(self.infer(tensor), box)
