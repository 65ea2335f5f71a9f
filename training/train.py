"""Train a detector from a model YAML (no pretrained weights), resumable across machines."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streetwatch.errors import UserError
from training.ultra import yolo_class

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainSpec:
    """One training run.

    Attributes:
        data: dataset YAML (``streetwatch dataset import`` writes one).
        out: run folder; checkpoints go to ``out/weights/{last,best}.pt``.
        model: a model YAML such as ``yolov8n.yaml`` (trained from scratch), or a ``.pt``
            checkpoint to fine-tune (e.g. the result of pre-training on synthetic scenes).
        epochs: epochs to train.
        imgsz: square training size in pixels.
        batch: images per batch.
        hours: wall-clock limit per run (ultralytics ``time``); ``None`` for none.
        resume: continue ``out/weights/last.pt`` where it stopped.
        seed: random seed.
        device: ``cpu`` or a CUDA device index.
        workers: data-loader workers.
        patience: epochs without improvement before stopping early.
        copy_paste: probability of copy-paste augmentation.
        lr0: AdamW learning rate; ``None`` lets ultralytics pick the optimizer and rate.
        warmup_epochs: learning-rate warm-up; its high bias rate unsettles a trained head,
            so fine-tuning a checkpoint wants 0.
        close_mosaic: the last epochs trained without mosaic (all of them in a short run).
    """

    data: Path
    out: Path
    model: str = "yolov8n.yaml"
    epochs: int = 100
    imgsz: int = 320
    batch: int = 16
    hours: float | None = None
    resume: bool = False
    seed: int = 0
    device: str = "cpu"
    workers: int = 2
    patience: int = 50
    copy_paste: float = 0.0
    lr0: float | None = None
    warmup_epochs: float = 3.0
    close_mosaic: int = 10


def train(spec: TrainSpec) -> Path:
    """Run (or resume) training; return the best checkpoint."""
    yolo = yolo_class()
    last = spec.out / "weights" / "last.pt"
    if not spec.data.is_file():
        raise UserError(f"dataset file {spec.data} does not exist")
    if spec.resume:
        _resume(yolo, spec, last)
    else:
        from_yaml = spec.model.endswith((".yaml", ".yml"))
        extra: dict[str, object] = {"time": spec.hours} if spec.hours else {}
        if spec.lr0 is not None:
            extra |= {"optimizer": "AdamW", "lr0": spec.lr0}
        yolo(spec.model).train(
            data=str(spec.data.resolve()),
            epochs=spec.epochs,
            imgsz=spec.imgsz,
            batch=spec.batch,
            device=spec.device,
            workers=spec.workers,
            project=str(spec.out.parent.resolve()),
            name=spec.out.name,
            exist_ok=True,
            pretrained=not from_yaml,
            seed=spec.seed,
            patience=spec.patience,
            copy_paste=spec.copy_paste,
            warmup_epochs=spec.warmup_epochs,
            close_mosaic=spec.close_mosaic,
            plots=False,
            amp=spec.device != "cpu",
            **extra,
        )
    best = spec.out / "weights" / "best.pt"
    return best if best.is_file() else last


def _resume(yolo: Any, spec: TrainSpec, last: Path) -> None:
    """Continue ``last``, or a checkpoint given as ``spec.model`` (copied to ``last`` first).

    A checkpoint records the absolute data and run paths of the machine it was saved on; the
    dataset, run folder, device, workers and time limit of this machine replace them.
    """
    if not last.is_file():
        source = Path(spec.model)
        if source.suffix != ".pt" or not source.is_file():
            raise UserError(
                f"nothing to resume: {last} does not exist (give --model CHECKPOINT.pt to "
                "resume a run saved elsewhere)"
            )
        _check_resumable(source)
        last.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, last)
    _check_resumable(last)
    log.info("resuming %s", last)
    extra: dict[str, object] = {"time": spec.hours} if spec.hours else {}
    yolo(str(last)).train(
        resume=True,
        data=str(spec.data.resolve()),
        save_dir=str(spec.out.resolve()),
        device=spec.device,
        workers=spec.workers,
        **extra,
    )


def _check_resumable(checkpoint: Path) -> None:
    """Refuse a checkpoint without optimizer state (ultralytics would silently start over).

    A run that ended (its epochs done, ``--hours`` spent or stopped early) keeps weights only;
    a run interrupted mid-way keeps the optimizer state and the epoch it reached.
    """
    import torch  # noqa: PLC0415 - optional extra

    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    except Exception as exc:  # torch raises several unrelated types for bad files
        raise UserError(f"checkpoint {checkpoint} cannot be read: {exc}") from None
    if not isinstance(state, dict) or state.get("optimizer") is None or state.get("epoch", -1) < 0:
        raise UserError(
            f"checkpoint {checkpoint} is from a finished run (weights only): nothing to resume; "
            "fine-tune it instead with --model"
        )
