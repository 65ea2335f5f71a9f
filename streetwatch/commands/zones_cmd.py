"""``streetwatch zones draw|add``: see a camera's image zones, and add one to its config."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from edge.config import StaticLocation, load_edge_config
from streetwatch.errors import UserError
from streetwatch.zones.draw import draw_overlay
from streetwatch.zones.edit import add_zone, normalise, parse_points, zone_entry
from streetwatch.zones.frame import default_source, read_frame


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``zones`` command group."""
    zones = sub.add_parser("zones", help="image zones of an edge config")
    actions = zones.add_subparsers(dest="action", metavar="ACTION", required=True)
    draw = actions.add_parser(
        "draw",
        help="draw the configured zones over a camera frame",
        description="Write a PNG of one frame with the config's include (green) and exclude "
        "(red) zones and its calibration points, labelled. Exit 2 on bad input.",
    )
    _common(draw)
    draw.add_argument("--out", type=Path, required=True, help="PNG file to write")
    draw.set_defaults(handler=_draw)
    add = actions.add_parser(
        "add",
        help="add an image zone, drawn in pixels, to the config",
        description="Check the polygon against the frame and write it into rules.zones, "
        "keeping the file's comments. Exit 2 on bad input.",
    )
    _common(add)
    add.add_argument("--name", required=True, help="zone name (letters, digits, '_ . -', space)")
    add.add_argument("--kind", choices=["include", "exclude"], required=True)
    add.add_argument(
        "--points", required=True, help='pixel corners "x1,y1 x2,y2 x3,y3 ..." of the frame'
    )
    add.add_argument("--classes", default="", help="comma-separated classes; default: all")
    add.add_argument("--replace", action="store_true", help="redraw a zone of the same name")
    add.set_defaults(handler=_add)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", type=Path, required=True, help="edge config file")
    parser.add_argument(
        "--source",
        type=Path,
        help="video, image or image folder of this camera (default: the config's file source)",
    )
    parser.add_argument(
        "--at", type=float, default=0.0, metavar="SECONDS", help="video time of the frame"
    )


def _draw(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".png":
        raise UserError(f"--out {args.out} must name a .png file")
    config = load_edge_config(args.config)
    frame = read_frame(args.source or default_source(config), max(0.0, args.at))
    location = config.location
    calibration = location.calibration or [] if isinstance(location, StaticLocation) else []
    image = draw_overlay(frame, config.rules.zones, calibration)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(args.out), image):
        raise UserError(f"cannot write {args.out}")
    print(
        f"wrote {args.out}: {len(config.rules.zones)} zone(s), "
        f"{len(calibration)} calibration point(s)"
    )
    return 0


def _add(args: argparse.Namespace) -> int:
    config = load_edge_config(args.config)
    frame = read_frame(args.source or default_source(config), max(0.0, args.at))
    height, width = frame.shape[:2]
    polygon = normalise(parse_points(args.points), width, height)
    classes = [name.strip() for name in args.classes.split(",") if name.strip()]
    add_zone(args.config, zone_entry(args.name, args.kind, polygon, classes), replace=args.replace)
    print(f"added zone {args.name!r} ({args.kind}) to {args.config}")
    return 0
