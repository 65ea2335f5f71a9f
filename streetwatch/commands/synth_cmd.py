"""``streetwatch synth``: synthetic street scenes — YOLO image datasets and clips with truth.

``synth images`` writes a YOLO dataset (images, labels, data.yaml, per-image truth) and prints
counts per split and class; ``synth paste`` pastes real object crops onto such images (split by
split); ``synth video`` writes an MP4 with per-frame ground truth (and a
GPX track for a moving camera); ``synth fonts`` says which CJK font draws sign text.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from streetwatch.errors import UserError
from training.synth.dataset import DatasetSpec, parse_splits, write_dataset
from training.synth.fonts import find_cjk_font
from training.synth.geo import GeoOrigin, parse_origin
from training.synth.labels import LabelRule
from training.synth.paste_dataset import PasteSpec, write_paste_dataset
from training.synth.taxonomy import CLASS_NAMES
from training.synth.video import DEFAULT_START, ClipSpec, write_clip
from training.synth.zoom import ZoomSpec, write_zoom_dataset

MAX_SIDE = 4096


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``synth`` command group."""
    synth = sub.add_parser("synth", help="synthetic street scenes with ground truth")
    actions = synth.add_subparsers(dest="action", metavar="ACTION", required=True)
    _images_parser(actions)
    _paste_parser(actions)
    _zoom_parser(actions)
    _video_parser(actions)
    fonts = actions.add_parser("fonts", help="show the CJK font used for sign text")
    fonts.set_defaults(handler=_fonts)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--seed", type=int, default=0, help="seed (same seed and options: same output)")
    p.add_argument(
        "--min-visible",
        type=float,
        default=LabelRule().min_visible,
        help="least visible fraction of a labelled box (default %(default)s)",
    )
    p.add_argument(
        "--origin",
        default=f"{GeoOrigin().lat},{GeoOrigin().lon}",
        help="WGS-84 'LAT,LON' of the local metre frame (default: Shanghai)",
    )


def _images_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser(
        "images",
        help="write a YOLO dataset of synthetic stills",
        description="Render street views from pole and e-bike cameras with street vending, "
        "garbage, illegal signage and look-alike negatives; write images/, labels/, truth/ "
        "and data.yaml, and print box counts per split and class.",
    )
    _common(p)
    p.add_argument("--count", type=int, required=True, help="number of images")
    p.add_argument("--size", default="416", help="N (square) or WxH, pixels (default 416)")
    p.add_argument(
        "--split",
        default="train=0.8,valid=0.1,test=0.1",
        help="split fractions (default %(default)s)",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="worker processes (the output does not depend on it)"
    )
    p.add_argument(
        "--scenes",
        choices=("stills", "clips"),
        default="stills",
        help="street views, or frames of generated pole and bike clips (default %(default)s)",
    )
    p.set_defaults(handler=_images)


def _paste_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser(
        "paste",
        help="paste real object crops onto a YOLO dataset of street scenes",
        description="Cut the boxes of one class out of a YOLO dataset and paste them onto the "
        "ground of background images (perspective-scaled, clear of labelled boxes, feathered "
        "and colour-matched), keeping splits apart: train crops only onto train backgrounds, "
        "valid onto valid, test onto test. Writes images/, labels/, data.yaml and prints "
        "counts per split and class.",
    )
    p.add_argument("--objects", type=Path, required=True, help="YOLO dataset to cut objects from")
    p.add_argument(
        "--object-class", type=int, required=True, help="class id of the boxes to cut out"
    )
    p.add_argument("--onto", type=Path, required=True, help="YOLO dataset of backgrounds")
    _dataset_output(p, "--target-class", "class id of pasted boxes")
    p.add_argument(
        "--per-image", type=int, default=2, help="most objects pasted per image (default 2)"
    )
    p.set_defaults(handler=_paste)


def _dataset_output(p: argparse.ArgumentParser, class_flag: str, class_help: str) -> None:
    """The options ``synth paste`` and ``synth zoom`` share: a class id, output, count, seed."""
    names = ", ".join(f"{i} {n}" for i, n in enumerate(CLASS_NAMES))
    p.add_argument(class_flag, type=int, required=True, help=f"{class_help}: {names}")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--count", type=int, required=True, help="number of images")
    p.add_argument("--seed", type=int, default=0, help="seed (same seed and inputs: same output)")


def _zoom_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser(
        "zoom",
        help="zoomed views around the boxes of one class of a YOLO dataset",
        description="Crop windows (a share --scale of the frame) around boxes of one class, "
        "scale them back to the frame size and relabel every box they hold: the class's "
        "objects appear 1/scale times larger, as close to a camera. Outputs keep their "
        "source's split. Writes images/, labels/, data.yaml and sources.jsonl.",
    )
    p.add_argument("--source", type=Path, required=True, help="YOLO dataset to zoom into")
    _dataset_output(p, "--class-id", "class whose boxes the windows hold")
    p.add_argument("--scale", type=float, default=0.5, help="window share of the frame (0.5)")
    p.set_defaults(handler=_zoom)


def _video_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser(
        "video",
        help="write a clip with per-frame ground truth",
        description="Render a clip from a fixed pole camera or a patrol e-bike riding passes "
        "along a street; write an MP4, a truth JSON (camera, objects with positions and "
        "appear/disappear times, per-frame poses and boxes) and, when moving, a GPX track.",
    )
    _common(p)
    p.add_argument("--kind", choices=("fixed", "moving"), default="fixed", help="camera kind")
    p.add_argument("--seconds", type=float, default=10.0, help="duration (default 10)")
    p.add_argument("--fps", type=float, default=10.0, help="frames per second (default 10)")
    p.add_argument("--size", default="640x360", help="WxH pixels (default 640x360)")
    p.add_argument(
        "--passes",
        type=int,
        default=2,
        help="moving: rides along the street, joined by U-turns (default 2)",
    )
    p.add_argument(
        "--start",
        default=DEFAULT_START.strftime("%Y-%m-%dT%H:%M:%SZ"),
        help="UTC time of the first frame, ISO 8601 (default %(default)s)",
    )
    p.add_argument(
        "--gpx-every",
        choices=("frame", "second"),
        default="frame",
        help="moving: one GPX point per frame or per second",
    )
    p.set_defaults(handler=_video)


def parse_size(text: str) -> tuple[int, int]:
    """``"416"`` → ``(416, 416)``; ``"640x360"`` → ``(640, 360)``.

    Raises:
        UserError: not a size, or a side outside 32..4096.
    """
    parts = text.lower().split("x")
    try:
        sides = [int(p) for p in parts]
    except ValueError:
        raise UserError(f"size {text!r} is not N or WxH in pixels") from None
    if len(sides) == 1:
        sides *= 2
    if len(sides) != 2 or not all(32 <= s <= MAX_SIDE for s in sides):
        raise UserError(f"size {text!r} must be N or WxH with sides from 32 to {MAX_SIDE}")
    return sides[0], sides[1]


def _origin(text: str) -> GeoOrigin:
    try:
        return parse_origin(text)
    except ValueError as exc:
        raise UserError(f"bad --origin: {exc}") from None


def _rule(min_visible: float) -> LabelRule:
    if not 0.0 <= min_visible <= 1.0:
        raise UserError(f"--min-visible {min_visible} must be between 0 and 1")
    return LabelRule(min_visible=min_visible)


def _progress(label: str) -> Callable[[int, int], None]:
    tty = sys.stderr.isatty()
    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done != total and now - last[0] < (0.5 if tty else 5.0):
            return
        last[0] = now
        end = "\n" if done == total or not tty else ""
        print(f"\r{label} {done}/{total}", end=end, file=sys.stderr, flush=True)

    return show


def _images(args: argparse.Namespace) -> int:
    width, height = parse_size(args.size)
    if args.count < 1:
        raise UserError("--count must be at least 1")
    try:
        splits = parse_splits(args.split)
    except ValueError as exc:
        raise UserError(f"bad --split: {exc}") from None
    spec = DatasetSpec(
        out=args.out,
        count=args.count,
        seed=args.seed,
        width=width,
        height=height,
        splits=splits,
        rule=_rule(args.min_visible),
        origin=_origin(args.origin),
        scenes=args.scenes,
    )
    started = time.monotonic()
    try:
        report = write_dataset(spec, workers=max(1, args.workers), progress=_progress("images"))
    except OSError as exc:
        raise UserError(f"cannot write the dataset to {args.out}: {exc.strerror or exc}") from None
    elapsed = time.monotonic() - started
    print(report.table())
    print(
        f"wrote {args.out / 'data.yaml'} ({args.count} images in {elapsed:.1f} s, "
        f"{args.count / max(elapsed, 1e-9):.1f} images/s)"
    )
    return 0


def _paste(args: argparse.Namespace) -> int:
    if args.count < 1 or args.per_image < 1:
        raise UserError("--count and --per-image must be at least 1")
    if args.object_class < 0:
        raise UserError("--object-class must be a class id (0 or more)")
    if not 0 <= args.target_class < len(CLASS_NAMES):
        raise UserError(f"--target-class must be a class id from 0 to {len(CLASS_NAMES) - 1}")
    spec = PasteSpec(
        objects=args.objects,
        object_class=args.object_class,
        onto=args.onto,
        target_class=args.target_class,
        out=args.out,
        count=args.count,
        per_image=args.per_image,
        seed=args.seed,
    )
    started = time.monotonic()
    try:
        report = write_paste_dataset(spec, progress=_progress("images"))
    except OSError as exc:
        raise UserError(f"cannot write the dataset to {args.out}: {exc.strerror or exc}") from None
    print(report.table())
    elapsed = time.monotonic() - started
    print(f"wrote {args.out / 'data.yaml'} ({args.count} images in {elapsed:.1f} s)")
    return 0


def _start(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--start {text!r} is not an ISO 8601 time") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _video(args: argparse.Namespace) -> int:
    width, height = parse_size(args.size)
    if args.seconds <= 0 or args.fps <= 0:
        raise UserError("--seconds and --fps must be positive")
    if args.passes < 1:
        raise UserError("--passes must be at least 1")
    spec = ClipSpec(
        out=args.out,
        seed=args.seed,
        kind=args.kind,
        seconds=args.seconds,
        fps=args.fps,
        width=width,
        height=height,
        passes=args.passes,
        origin=_origin(args.origin),
        start_utc=_start(args.start),
        gpx_every=args.gpx_every,
        rule=_rule(args.min_visible),
    )
    try:
        files = write_clip(spec, progress=_progress("frames"))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write the clip to {args.out}: {exc.strerror or exc}") from None
    for path in (files.video, files.truth, files.gpx):
        if path is not None:
            print(path)
    return 0


def _fonts(args: argparse.Namespace) -> int:
    del args
    info = find_cjk_font()
    print(f"CJK sign text: {info.describe()}")
    return 0


def _zoom(args: argparse.Namespace) -> int:
    if not 0 <= args.class_id < len(CLASS_NAMES):
        raise UserError(f"--class-id must be a class id from 0 to {len(CLASS_NAMES) - 1}")
    spec = ZoomSpec(args.source, args.class_id, args.out, args.count, args.scale, args.seed)
    started = time.monotonic()
    try:
        written = write_zoom_dataset(spec, progress=_progress("images"))
    except OSError as exc:
        raise UserError(f"cannot write the dataset to {args.out}: {exc.strerror or exc}") from None
    counts = ", ".join(f"{split} {n}" for split, n in written.items())
    elapsed = time.monotonic() - started
    print(f"wrote {args.out / 'data.yaml'} ({counts}; {elapsed:.1f} s)")
    return 0
