"""The dataset recipe: which external and synthetic datasets to merge, and how to map classes."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from contracts.base import Frozen, Label

DEFAULT_NAMES: tuple[str, ...] = ("street_vending", "garbage", "illegal_signage")
"""The shipped model's classes, in class-id order."""


class SourceFormat(str, Enum):
    """Layouts the importer reads."""

    YOLO = "yolo"
    VOC = "voc"
    COCO = "coco"


class SplitPolicy(str, Enum):
    """Whether a source keeps its own train/valid/test split or is split by the recipe."""

    KEEP = "keep"
    ASSIGN = "assign"


class Source(Frozen):
    """One dataset to bring in."""

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$",
        title="Source name",
        description="Short name; prefixes the imported file names.",
    )
    format: SourceFormat = Field(title="Format", description="yolo, voc or coco.")
    path: Path = Field(title="Path", description="Folder of the dataset (relative to the recipe).")
    classes: dict[str, Label] = Field(
        title="Class map",
        description="Source class (YOLO id or VOC/COCO name) -> target class; others are dropped.",
        min_length=1,
    )
    splits: SplitPolicy = Field(
        SplitPolicy.KEEP,
        title="Split policy",
        description="'keep' the source's own splits (when it has them) or 'assign' by group.",
    )
    repeat: int = Field(
        1,
        ge=1,
        le=20,
        title="Repeat",
        description="Times the source's train images are imported (1..20), so a small dataset "
        "keeps its weight beside large ones; valid and test images are imported once.",
    )


class SplitFractions(Frozen):
    """Fractions for sources whose split the recipe assigns."""

    train: float = Field(0.8, ge=0.0, le=1.0, description="Fraction of groups for training.")
    valid: float = Field(0.1, ge=0.0, le=1.0, description="Fraction for model selection.")
    test: float = Field(0.1, ge=0.0, le=1.0, description="Fraction for evaluation only.")
    seed: int = Field(0, description="Seed of the group hash.")

    @model_validator(mode="after")
    def _sum_to_one(self) -> SplitFractions:
        if abs(self.train + self.valid + self.test - 1.0) > 1e-6:
            raise ValueError("train + valid + test must add up to 1")
        return self


class Recipe(Frozen):
    """A dataset recipe (``kind: dataset``)."""

    version: Literal[1] = Field(title="Version", description="Recipe format version.")
    kind: Literal["dataset"] = Field(title="Kind", description="Always 'dataset'.")
    names: list[Label] = Field(
        default_factory=lambda: list(DEFAULT_NAMES),
        min_length=1,
        title="Class names",
        description="Target classes in class-id order.",
    )
    sources: list[Source] = Field(min_length=1, title="Sources", description="Datasets.")
    split: SplitFractions = Field(
        default_factory=SplitFractions, title="Split", description="For 'assign' sources."
    )

    @model_validator(mode="after")
    def _targets_known(self) -> Recipe:
        for source in self.sources:
            unknown = sorted(set(source.classes.values()) - set(self.names))
            if unknown:
                raise ValueError(f"source {source.name!r} maps to unknown classes {unknown}")
        return self

    @model_validator(mode="after")
    def _source_names_unique(self) -> Recipe:
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ValueError("source names must be unique")
        return self
