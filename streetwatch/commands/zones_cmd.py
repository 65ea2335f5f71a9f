"""``streetwatch zones draw|add``: see a camera's image zones, and add zones to its config."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from edge.config import StaticLocation, load_edge_config
from streetwatch.errors import UserError
from streetwatch.zones.draw import draw_overlay
from streetwatch.zones.edit import add_zones, normalise, parse_points, zone_entry
from streetwatch.zones.frame import default_source, read_frame
from streetwatch.zones.labelme import (
    Annotation,
    DrawnZone,
    check_view,
    drawn_zones,
    read_annotation,
)


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
    draw.add_argument(
        "--plain",
        action="store_true",
        help="write the frame alone, without zones or points: an image to annotate in LabelMe",
    )
    draw.set_defaults(handler=_draw)
    add = actions.add_parser(
        "add",
        help="add image zones, drawn in pixels or in LabelMe, to the config",
        description="Check the polygon(s) against the frame and write them into rules.zones, "
        "keeping the file's comments. With --from, every polygon and rectangle of a LabelMe "
        "file (annotated on a `zones draw` PNG) becomes a zone named by its label; a label "
        "'include:NAME' or 'exclude:NAME' sets that zone's kind, other labels take --kind; a "
        "line 'classes: a, b' in a shape's description sets that zone's classes instead of "
        "--classes. All zones are added or none. Exit 2 on bad input.",
    )
    _common(add)
    add.add_argument("--name", help="zone name (letters, digits, '_ . -', space); with --points")
    add.add_argument(
        "--kind",
        choices=["include", "exclude", "area"],
        help="zone kind (--from: of unprefixed labels)",
    )
    drawn = add.add_mutually_exclusive_group(required=True)
    drawn.add_argument(
        "--points", help='pixel corners "x1,y1 x2,y2 x3,y3 ..." of the frame (with --name)'
    )
    drawn.add_argument(
        "--from",
        dest="labelme",
        type=Path,
        metavar="FILE",
        help="LabelMe JSON file: its polygons and rectangles become zones named by label",
    )
    add.add_argument("--classes", default="", help="comma-separated classes; default: all")
    add.add_argument("--replace", action="store_true", help="redraw zones of the same name")
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
    image = frame if args.plain else draw_overlay(frame, config.rules.zones, calibration)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(args.out), image):
        raise UserError(f"cannot write {args.out}")
    if args.plain:
        height, width = frame.shape[:2]
        print(f"wrote {args.out}: the {width}x{height} frame, to annotate")
    else:
        print(
            f"wrote {args.out}: {len(config.rules.zones)} zone(s), "
            f"{len(calibration)} calibration point(s)"
        )
    return 0


def _add(args: argparse.Namespace) -> int:
    if args.labelme is not None and args.name is not None:
        raise UserError("--from names each zone by its label; leave out --name")
    if args.labelme is None and (args.name is None or args.kind is None):
        raise UserError("--points needs --name and --kind")
    config = load_edge_config(args.config)
    annotation = read_annotation(args.labelme) if args.labelme is not None else None
    frame = read_frame(args.source or default_source(config), max(0.0, args.at))
    height, width = frame.shape[:2]
    classes = [name.strip() for name in args.classes.split(",") if name.strip()]
    if annotation is not None:
        return _add_annotated(args, annotation, width, height, classes)
    polygon = normalise(parse_points(args.points), width, height)
    entry = zone_entry(args.name, args.kind, polygon, classes)
    add_zones(args.config, [entry], replace=args.replace)
    print(f"added zone {args.name!r} ({args.kind}) to {args.config}")
    return 0


def _add_annotated(
    args: argparse.Namespace, annotation: Annotation, width: int, height: int, classes: list[str]
) -> int:
    """Add every zone of a LabelMe file, all or none."""
    check_view(annotation, args.labelme, width, height)
    zones = drawn_zones(annotation, args.labelme, args.kind, classes)
    entries = [
        zone_entry(zone.name, zone.kind, _normalised(zone, annotation), zone.classes)
        for zone in zones
    ]
    add_zones(args.config, entries, replace=args.replace)
    added = ", ".join(f"{zone.name!r} ({zone.kind})" for zone in zones)
    print(f"added {len(zones)} zone(s) from {args.labelme} to {args.config}: {added}")
    return 0


def _normalised(zone: DrawnZone, annotation: Annotation) -> list[list[float]]:
    try:
        return normalise(zone.points, annotation.width, annotation.height)
    except UserError as exc:
        raise UserError(f"zone {zone.name!r}: {exc}") from None
