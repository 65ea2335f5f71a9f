"""The versioned taxonomy file: the jurisdiction's case codes and the detector label mapping.

``kind: taxonomy``; the default ships in ``models/taxonomy.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from contracts.base import Frozen, Label
from streetwatch.yamlconf import load_config
from streetwatch.yamlerrors import errors_at

CODE_PATTERN = r"^[0-9A-Za-z._-]{1,32}$"
"""A case code, as ``ViolationEvent.taxonomy_code``."""

Code = Annotated[str, Field(pattern=CODE_PATTERN)]


class CaseCode(Frozen):
    """One kind of case in the jurisdiction's standard."""

    name_zh: str = Field(min_length=1, max_length=64, title="Chinese name", description="小类名称.")
    name_en: str = Field(
        "", max_length=128, title="English name", description="For English-language views."
    )
    category: str = Field(
        "", max_length=64, title="Category", description="大类 (main class), e.g. 市容环境."
    )
    description: str = Field(
        "", max_length=1000, title="Description", description="What the code covers."
    )


class Taxonomy(Frozen):
    """A taxonomy file: its identity, the case codes and the detector label mapping."""

    version: Literal[1] = Field(title="Version", description="Format of this file; always 1.")
    kind: Literal["taxonomy"] = Field(title="Kind", description="'taxonomy'.")
    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$",
        title="Name",
        description="Identifier of this taxonomy, e.g. 'cjt214-example'.",
    )
    revision: str = Field(
        min_length=1,
        max_length=32,
        title="Revision",
        description="Version of the taxonomy's content; recorded on every case.",
    )
    standard: str = Field(
        "", max_length=500, title="Standard", description="Where the codes come from."
    )
    codes: dict[Code, CaseCode] = Field(
        min_length=1, title="Codes", description="Every case code, by code."
    )
    labels: dict[Label, Code] = Field(
        min_length=1, title="Labels", description="The case code of each detector label."
    )

    @model_validator(mode="after")
    def _labels_have_known_codes(self) -> Taxonomy:
        problems = [
            (("labels", label), f"code {code!r} is not in codes; add it there")
            for label, code in self.labels.items()
            if code not in self.codes
        ]
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self

    @property
    def tag(self) -> str:
        """``name@revision``, recorded on each case."""
        return f"{self.name}@{self.revision}"

    def code_for(self, label: str, device_code: str | None = None) -> str | None:
        """Return the case code of a detection.

        The label's mapping wins; a label this taxonomy does not know falls back to the
        code the device sent when that code exists here. None when neither is known.
        """
        if label in self.labels:
            return self.labels[label]
        if device_code is not None and device_code in self.codes:
            return device_code
        return None

    def labels_of(self, code: str) -> list[str]:
        """Return the detector labels that map to ``code``, sorted."""
        return sorted(label for label, mapped in self.labels.items() if mapped == code)


def load_taxonomy(path: Path) -> Taxonomy:
    """Load and validate a taxonomy file.

    Raises:
        streetwatch.yamlconf.ConfigError: the file is not a valid taxonomy.
    """
    return load_config(path, Taxonomy)
