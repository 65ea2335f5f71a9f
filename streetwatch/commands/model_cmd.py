"""``streetwatch model train|export|quantize|eval|kinds``: the model lifecycle.

The training modules import ultralytics, onnx and the quantization tools (the ``[train]``
extra), so each handler imports its module when it runs: the rest of the CLI works without it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TypeAlias

from streetwatch.errors import UserError
from training.synth.taxonomy import CLASS_NAMES
from training.ultra import require_train_extra

Sub: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: Sub) -> None:
    """Add the ``model`` command group."""
    model = sub.add_parser("model", help="train, export, quantize and evaluate the detector")
    actions = model.add_subparsers(dest="action", metavar="ACTION", required=True)
    _register_train(actions)
    _register_export(actions)
    _register_quantize(actions)
    _register_eval(actions)
    _register_kinds(actions)


def _register_train(actions: Sub) -> None:
    p = actions.add_parser("train", help="train from a model YAML or fine-tune a checkpoint")
    p.add_argument("--data", type=Path, required=True, help="dataset YAML")
    p.add_argument("--out", type=Path, required=True, help="run folder (weights/last.pt ...)")
    p.add_argument("--model", default="yolov8n.yaml", help="model YAML or .pt to fine-tune")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--imgsz", type=int, default=320)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--hours", type=float, default=None, help="stop this run after H hours")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue OUT/weights/last.pt, or an interrupted run's --model CHECKPOINT.pt",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--patience", type=int, default=50)
    p.add_argument("--copy-paste", type=float, default=0.0, help="copy-paste probability")
    p.add_argument(
        "--lr0",
        type=float,
        default=None,
        help="AdamW learning rate (default: ultralytics picks the optimizer and rate)",
    )
    p.add_argument(
        "--warmup-epochs",
        type=float,
        default=3.0,
        help="learning-rate warm-up (0 when fine-tuning a trained checkpoint)",
    )
    p.add_argument(
        "--close-mosaic", type=int, default=10, help="last epochs trained without mosaic"
    )
    p.set_defaults(handler=_train)


def _train(args: argparse.Namespace) -> int:
    require_train_extra()
    from training.train import TrainSpec, train  # noqa: PLC0415 - optional extra

    spec = TrainSpec(
        data=args.data,
        out=args.out,
        model=args.model,
        epochs=args.epochs,
        imgsz=args.imgsz,
        batch=args.batch,
        hours=args.hours,
        resume=args.resume,
        seed=args.seed,
        device=args.device,
        workers=args.workers,
        patience=args.patience,
        copy_paste=args.copy_paste,
        lr0=args.lr0,
        warmup_epochs=args.warmup_epochs,
        close_mosaic=args.close_mosaic,
    )
    print(f"best checkpoint: {train(spec)}")
    return 0


def _register_export(actions: Sub) -> None:
    p = actions.add_parser("export", help="export a checkpoint to ONNX (fp32)")
    p.add_argument("weights", type=Path, help="checkpoint (.pt)")
    p.add_argument("--out", type=Path, required=True, help="ONNX file to write")
    p.add_argument("--imgsz", default="320", help="N or H,W, e.g. 384,640 for 16:9 cameras")
    p.add_argument("--name", default="streetwatch-yolov8n", help="model name in metadata")
    p.add_argument("--version", required=True, help="model version in metadata")
    p.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    require_train_extra()
    from training.export import export_onnx, parse_imgsz  # noqa: PLC0415 - optional extra

    out = export_onnx(args.weights, args.out, parse_imgsz(args.imgsz), args.name, args.version)
    print(f"wrote {out}")
    return 0


def _register_quantize(actions: Sub) -> None:
    p = actions.add_parser("quantize", help="int8 static quantization with calibration frames")
    p.add_argument("model", type=Path, help="fp32 ONNX")
    p.add_argument("--out", type=Path, required=True, help="int8 ONNX to write")
    p.add_argument("--calibration", type=Path, required=True, help="folder of frames")
    p.add_argument("--limit", type=int, default=200, help="calibration frames to use")
    p.set_defaults(handler=_quantize)


def _quantize(args: argparse.Namespace) -> int:
    require_train_extra()
    from training.quantize import quantize  # noqa: PLC0415 - optional extra

    out = quantize(args.model, args.out, args.calibration, args.limit)
    print(f"wrote {out}")
    return 0


def _register_eval(actions: Sub) -> None:
    p = actions.add_parser("eval", help="per-class precision, recall, mAP50, mAP50-95")
    p.add_argument("model", type=Path, help="ONNX (fp32 or int8) or .pt")
    p.add_argument("--data", type=Path, required=True, help="dataset YAML")
    p.add_argument("--split", default="test", choices=["train", "val", "test"])
    p.add_argument("--report", type=Path, required=True, help="JSON report (PR plot beside it)")
    p.set_defaults(handler=_eval)


def _eval(args: argparse.Namespace) -> int:
    require_train_extra()
    from training.evaluate import evaluate  # noqa: PLC0415 - optional extra

    result = evaluate(args.model, args.data, args.split, args.report)
    print(json.dumps({"all": result["all"], "classes": result["classes"]}, indent=2))
    print(f"wrote {args.report}")
    return 0


def _register_kinds(actions: Sub) -> None:
    p = actions.add_parser(
        "kinds", help="which object kinds a model finds on generated clips (no [train] extra)"
    )
    p.add_argument("model", type=Path, help="ONNX model")
    p.add_argument("--kind", choices=("fixed", "moving"), default="fixed", help="camera kind")
    p.add_argument("--seeds", default="1-4", help="clip seeds: N, N-M or N,M,... (default 1-4)")
    p.add_argument("--seconds", type=float, default=20.0, help="clip duration (default 20)")
    p.add_argument("--fps", type=float, default=5.0, help="frames per second (default 5)")
    p.add_argument("--size", default="960x540", help="WxH pixels (default 960x540)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--score", type=float, default=0.25, help="score a match needs")
    group.add_argument(
        "-c", "--config", type=Path, help="edge config: each class's confirm_score instead"
    )
    p.add_argument("--out", type=Path, help="keep the clips here (default: a temporary folder)")
    p.set_defaults(handler=_kinds)


def parse_seeds(text: str) -> list[int]:
    """Return the seeds of ``N``, ``N-M`` or ``N,M,...``.

    Raises:
        UserError: not such a list.
    """
    try:
        if "-" in text.strip("-"):
            first, last = (int(part) for part in text.split("-", 1))
            seeds = list(range(first, last + 1))
        else:
            seeds = [int(part) for part in text.split(",")]
    except ValueError:
        raise UserError(f"seeds {text!r} are not N, N-M or N,M,...") from None
    if len(set(seeds)) != len(seeds):
        raise UserError(f"seeds {text!r} repeat a seed (its clip would count twice)")
    if not seeds or min(seeds) < 0:
        raise UserError(f"seeds {text!r} name no clip: seeds are 0 or more, N-M needs N <= M")
    return seeds


def _kinds(args: argparse.Namespace) -> int:
    from edge.config import load_edge_config  # noqa: PLC0415 - only this command needs it
    from streetwatch.commands.synth_cmd import parse_size  # noqa: PLC0415
    from training.kinds import kind_recall, report_lines  # noqa: PLC0415
    from training.synth.video import ClipSpec  # noqa: PLC0415

    width, height = parse_size(args.size)
    seeds = parse_seeds(args.seeds)
    if args.config is not None:
        classes = load_edge_config(args.config).rules.classes
        scores = {label: rule.confirm_score for label, rule in classes.items()}
    else:
        scores = {label: args.score for label in CLASS_NAMES}
    with tempfile.TemporaryDirectory(prefix="streetwatch-kinds-") as scratch:
        out = args.out or Path(scratch)
        clips = [
            ClipSpec(out=out, seed=seed, kind=args.kind, seconds=args.seconds, fps=args.fps,
                     width=width, height=height)
            for seed in seeds
        ]  # fmt: skip
        rows = kind_recall(args.model, clips, scores, progress=print)
    print("\n".join(report_lines(rows)))
    print(f"scores: {', '.join(f'{k} {v:g}' for k, v in scores.items())}; match IoU >= 0.3")
    return 0
