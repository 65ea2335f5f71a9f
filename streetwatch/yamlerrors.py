"""Explain pydantic validation errors against the YAML document that was validated.

A pydantic error names a location inside the model (``("mqtt", "port")``, with union tags
and dict-key markers in between); :func:`explain` turns it into the key path as written in the
file, finds its line and the field's description, and writes one line
``FILE:LINE: key.path: what is wrong: what is allowed``. Model validators that find several
problems raise :func:`errors_at` so that each is reported at its own line.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Protocol, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails

KeyPath = tuple[str | int, ...]
"""A path of mapping keys and list indexes, e.g. ``("rules", "zones", 0, "classes")``."""

_BOUNDS = {
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "greater than"),
}


class Document(Protocol):
    """What :func:`explain` needs of a YAML document (a ``streetwatch.yamlconf.YamlDocument``)."""

    @property
    def raw(self) -> Mapping[KeyPath, str]:
        """The text as written of each value changed by ``${...}`` substitution."""

    def where(self, keys: KeyPath) -> str:
        """Return ``FILE:LINE: key.path`` for ``keys``."""


def errors_at(title: str, problems: Sequence[tuple[KeyPath, str]]) -> ValidationError:
    """Return a ValidationError with one problem per key path inside the model being validated.

    Raise it from a model validator so that each problem is reported at its own line
    rather than at the line of the whole model.

    Args:
        title: the model's name.
        problems: (key path relative to the model, message) pairs.
    """
    details = [
        InitErrorDetails(type="value_error", loc=keys, input=None, ctx={"error": ValueError(text)})
        for keys, text in problems
    ]
    return ValidationError.from_exception_data(title, details)


def explain(doc: Document, model: type[BaseModel], error: ErrorDetails) -> str:
    """Return one pydantic error as ``FILE:LINE: key.path: problem: what is allowed``."""
    spot = _locate(model, error["loc"])
    kind, ctx, keys = error["type"], error.get("ctx") or {}, spot.keys
    if kind.startswith("union_tag_"):
        keys = (*keys, str(ctx.get("discriminator", "kind")).strip("'"))
    if kind in ("missing", "union_tag_not_found"):
        about = _about(spot) if kind == "missing" else ""
        return f"{doc.where(keys)}: missing required key{about}"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(keys[-1]), spot.siblings, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(spot.siblings)
        return f"{doc.where(keys)}: unknown key; {hint}"
    if kind in ("value_error", "assertion_error"):
        text = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return f"{doc.where(keys)}: {text}"
    value = ctx.get("tag") if kind == "union_tag_invalid" else error["input"]
    shown = repr(doc.raw[keys]) if keys in doc.raw else show_value(value)
    return f"{doc.where(keys)}: {shown} is not allowed: {_allowed(kind, ctx, error['msg'], spot)}"


def show_value(value: Any) -> str:
    """Return a value the way YAML would write it, short."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    return str(int(value) if isinstance(value, float) and value.is_integer() else value)


def _allowed(kind: str, ctx: dict[str, Any], msg: str, spot: _Spot) -> str:
    if kind in _BOUNDS:
        name, words = _BOUNDS[kind]
        return f"must be {words} {show_value(ctx.get(name))}"
    if kind in ("literal_error", "enum"):
        return f"must be {ctx.get('expected')}"
    if kind == "union_tag_invalid":
        return f"must be one of {ctx.get('expected_tags')}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}{_about(spot)}"
    text = msg.replace("Input should be", "must be").replace("Input should", "must")
    return text[:1].lower() + text[1:]


def _about(spot: _Spot) -> str:
    return f" ({spot.description.rstrip('.')})" if spot.description else ""


@dataclass(frozen=True)
class _Spot:
    """Where a pydantic error location points: the key path as written and its field."""

    keys: KeyPath
    description: str | None
    siblings: list[str]


def _locate(model: type[BaseModel], loc: tuple[str | int, ...]) -> _Spot:
    """Follow ``loc`` through the model's types, dropping union tags from the key path."""
    tp: Any = model
    keys: list[str | int] = []
    description: str | None = None
    siblings: list[str] = []
    for part in loc:
        tp = _unwrap(tp)
        member = _tagged_member(tp, part)
        if member is not None or part == "[key]":
            tp = member
            continue
        keys.append(part)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            siblings = list(tp.model_fields)
            field = tp.model_fields.get(str(part))
            tp = field.annotation if field else None
            description = field.description if field else None
        else:
            tp, description = _item_type(tp, part), None
    return _Spot(tuple(keys), description, siblings)


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` around a type."""
    while True:
        members = [arg for arg in get_args(tp) if arg is not type(None)]
        if get_origin(tp) is Annotated or (_is_union(tp) and len(members) == 1):
            tp = members[0]
        else:
            return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _tagged_member(tp: Any, part: str | int) -> Any:
    """Return the member of a discriminated union whose tag is ``part``, if any."""
    if not _is_union(tp) or not isinstance(part, str):
        return None
    for member in map(_unwrap, get_args(tp)):
        if isinstance(member, type) and issubclass(member, BaseModel):
            for field in member.model_fields.values():
                if get_origin(field.annotation) is Literal and part in get_args(field.annotation):
                    return member
    return None


def _item_type(tp: Any, part: str | int) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    if origin is tuple and isinstance(part, int) and part < len(args):
        return args[part]
    return args[-1] if origin in (dict, list) and args else None
