"""``streetwatch dataset import``: merge external and synthetic datasets by a recipe."""

from __future__ import annotations

import argparse
from pathlib import Path

from streetwatch.yamlconf import load_config
from training.importer import import_datasets
from training.recipe import Recipe


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``dataset`` command group."""
    dataset = sub.add_parser("dataset", help="training datasets")
    actions = dataset.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="merge YOLO/VOC/COCO datasets into one YOLO dataset",
        description="Read a dataset recipe (kind: dataset), map classes, split without "
        "leakage and write a YOLO dataset with data.yaml; prints counts per split and class.",
    )
    imp.add_argument("recipe", type=Path, help="recipe YAML; source paths are relative to it")
    imp.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    imp.set_defaults(handler=_import)


def _import(args: argparse.Namespace) -> int:
    recipe = load_config(args.recipe, Recipe)
    report = import_datasets(recipe, args.recipe.resolve().parent, args.out)
    print(report.table(recipe.names))
    print(f"wrote {args.out / 'data.yaml'}")
    return 0
