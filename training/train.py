"""Train a detector from a model YAML (no pretrained weights), resumable across machines."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

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
    if spec.resume:
        if not last.is_file():
            raise UserError(f"nothing to resume: {last} does not exist")
        log.info("resuming %s", last)
        yolo(str(last)).train(resume=True)
    else:
        if not spec.data.is_file():
            raise UserError(f"dataset file {spec.data} does not exist")
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
