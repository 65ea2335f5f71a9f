"""Dispatch rules (智能派单): which department handles a case code in a grid, and by when.

Rules are tried in order; the first whose ``codes`` and ``grids`` both match wins (``*``
matches anything, including a case outside every grid). With no match the ``fallback``
applies, if set; otherwise the case stays filed for an operator to dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from pydantic import Field, model_validator

from contracts.base import Frozen
from streetwatch.yamlerrors import KeyPath, errors_at

ANY = "*"
"""Matches every code or grid."""

DepartmentId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class Department(Frozen):
    """A department that handles cases (处置部门)."""

    name: str = Field(min_length=1, max_length=128, title="Name", description="e.g. 环卫所.")
    contact: str = Field("", max_length=256, title="Contact", description="Phone or address.")


class Route(Frozen):
    """Where a case goes and how long the department has (处置时限)."""

    department: DepartmentId = Field(title="Department", description="Id in departments.")
    deadline_h: float = Field(
        gt=0.0, le=24.0 * 365, title="Deadline", description="Hours from dispatch to handled."
    )


class DispatchRule(Route):
    """A route for some case codes in some grids."""

    codes: list[str] = Field(
        min_length=1, title="Codes", description="Case codes this rule covers; '*' for all."
    )
    grids: list[str] = Field(
        default_factory=lambda: [ANY],
        min_length=1,
        title="Grids",
        description="Grid ids this rule covers; '*' for all (and for no grid).",
    )

    def matches(self, code: str, grid_id: str | None) -> bool:
        """Return True if this rule covers ``code`` in ``grid_id``."""
        code_ok = ANY in self.codes or code in self.codes
        grid_ok = ANY in self.grids or (grid_id is not None and grid_id in self.grids)
        return code_ok and grid_ok


class DispatchSettings(Frozen):
    """The departments and the ordered dispatch rules."""

    departments: dict[DepartmentId, Department] = Field(
        default_factory=dict, title="Departments", description="Every department, by id."
    )
    rules: list[DispatchRule] = Field(
        default_factory=list, title="Rules", description="Tried in order; the first match wins."
    )
    fallback: Route | None = Field(
        None, title="Fallback", description="Route when no rule matches; empty: none."
    )

    @model_validator(mode="after")
    def _departments_exist(self) -> DispatchSettings:
        refs: list[tuple[KeyPath, str]] = [
            (("rules", index, "department"), rule.department)
            for index, rule in enumerate(self.rules)
        ]
        if self.fallback is not None:
            refs.append((("fallback", "department"), self.fallback.department))
        problems = [
            (keys, f"department {name!r} is not in departments; add it there")
            for keys, name in refs
            if name not in self.departments
        ]
        if problems:
            raise errors_at(type(self).__name__, problems)
        return self


@dataclass(frozen=True)
class Assignment:
    """The outcome of routing one case."""

    department: str
    deadline: timedelta
    rule: str  # "rules[3]" or "fallback"


def route(settings: DispatchSettings, code: str, grid_id: str | None) -> Assignment | None:
    """Return the department and deadline of a case, or None when nothing matches."""
    for index, rule in enumerate(settings.rules):
        if rule.matches(code, grid_id):
            return Assignment(rule.department, timedelta(hours=rule.deadline_h), f"rules[{index}]")
    if settings.fallback is not None:
        fallback = settings.fallback
        return Assignment(fallback.department, timedelta(hours=fallback.deadline_h), "fallback")
    return None
