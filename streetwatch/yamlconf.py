"""Load YAML config files into pydantic models, with errors that name file, line and key.

A config file is YAML whose top level is a mapping with ``version: 1`` and a ``kind:`` naming
its model (``edge`` or ``server``; see :func:`check_file`). String values may use ``${NAME}``
(the variable must be set) or ``${NAME:-default}``; ``$${`` stands for a literal ``${``.
Every problem becomes one line ``FILE:LINE: key.path: what is wrong: what is allowed``
(validation errors are explained by :mod:`streetwatch.yamlerrors`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from streetwatch.errors import UserError
from streetwatch.yamlerrors import KeyPath, explain, show_value

SUPPORTED_VERSION = 1
"""The only config ``version:`` this build reads."""

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 50  # bounds recursive aliases

M = TypeVar("M", bound=BaseModel)
_ENV_RE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_ENV_BODY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)


class ConfigError(UserError):
    """A config file that cannot be used.

    Attributes:
        path: the file.
        errors: one ``FILE[:LINE]: ...`` line per problem.
    """

    def __init__(self, path: Path, errors: list[str]) -> None:
        self.path = path
        self.errors = list(errors)
        head = f"{path}: {len(errors)} problems:\n" if len(errors) > 1 else ""
        super().__init__(head + "\n".join(errors), exit_code=2)


@dataclass(frozen=True)
class YamlDocument:
    """A YAML file as plain data, with the 1-based line of every key and list item.

    Attributes:
        path: the file, as the user named it.
        data: plain dicts (string keys), lists and scalars.
        lines: line of each key path; ``()`` is the line of the top-level mapping.
        raw: the text as written of each value changed by ``${...}`` substitution.
    """

    path: Path
    data: dict[str, Any]
    lines: dict[KeyPath, int]
    raw: dict[KeyPath, str]

    def where(self, keys: KeyPath) -> str:
        """Return ``FILE:LINE: key.path``, the line of ``keys`` or of its nearest ancestor."""
        line = next(
            self.lines[keys[:n]] for n in range(len(keys), -1, -1) if keys[:n] in self.lines
        )
        return f"{self.path}:{line}: {format_keys(keys) or '(top level)'}"


def format_keys(keys: KeyPath) -> str:
    """Return ``a.b[2].c`` for the key path ``("a", "b", 2, "c")``."""
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def read_document(path: Path) -> YamlDocument:
    """Read and parse ``path``; the top level must be a mapping.

    Raises:
        ConfigError: the file is missing, unreadable, not UTF-8 text, not YAML, empty or
            not a mapping.
    """
    text = _read_text(path)
    try:
        root = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        context = f" {exc.context}" if exc.context else ""
        problem = f"YAML syntax error{context}: {exc.problem or 'invalid YAML'}"
        raise ConfigError(path, [f"{path}{line}: {problem}"]) from None
    except RecursionError:
        raise ConfigError(path, [f"{path}: YAML syntax error: nested too deeply"]) from None
    except YAMLError as exc:
        raise ConfigError(path, [f"{path}: YAML syntax error: {exc}"]) from None
    if root is None:
        raise ConfigError(path, [f"{path}:1: the file is empty; a config starts with 'version: 1'"])
    if not isinstance(root, CommentedMap):
        found = "a list" if isinstance(root, CommentedSeq) else "a single value"
        raise ConfigError(path, [f"{path}:1: the top level is {found}; it must be a mapping"])
    lines: dict[KeyPath, int] = {(): root.lc.line + 1}
    counter = [0]
    return YamlDocument(path, _plain(root, (), lines, counter, path), lines, {})


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(path, [f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise ConfigError(path, [f"{path}: is a directory, not a config file"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"{path}: cannot read: {exc.strerror or exc}"]) from None
    if len(content) > MAX_FILE_BYTES:
        raise ConfigError(path, [f"{path}: larger than {MAX_FILE_BYTES} bytes; not a config"])
    if b"\0" in content:
        raise ConfigError(path, [f"{path}: is a binary file, not YAML text"])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ConfigError(path, [f"{path}:{line}: not UTF-8 text; save it as UTF-8"]) from None


def _plain(node: Any, at: KeyPath, lines: dict[KeyPath, int], count: list[int], path: Path) -> Any:
    """Return ruamel's round-trip ``node`` as plain data, recording the line of each key."""
    count[0] += 1
    if count[0] > MAX_NODES or len(at) > MAX_DEPTH:
        problem = "nested too deeply" if len(at) > MAX_DEPTH else "too many values (aliases?)"
        raise ConfigError(path, [f"{path}:{lines.get(at, 1)}: {problem}"])
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            name = key if isinstance(key, str) else show_value(_scalar(key))
            here = (*at, name)
            lines[here] = _line(node, "key", key)
            out[name] = _plain(value, here, lines, count, path)
        return out
    if isinstance(node, CommentedSeq):
        lines.update({(*at, index): _line(node, "item", index) for index in range(len(node))})
        return [_plain(item, (*at, i), lines, count, path) for i, item in enumerate(node)]
    return _scalar(node)


def _line(node: CommentedMap | CommentedSeq, kind: str, key: Any) -> int:
    try:
        return int(getattr(node.lc, kind)(key)[0]) + 1
    except (KeyError, IndexError, TypeError):  # merged (<<) keys have no position of their own
        return int(node.lc.line) + 1


def _scalar(value: Any) -> Any:
    """Return ruamel's scalar subclasses (ScalarFloat, TimeStamp...) as plain Python types."""
    if isinstance(value, bool) or value is None:
        return value
    for plain in (int, float, str):
        if isinstance(value, plain):
            return plain(value)
    if isinstance(value, datetime):
        return datetime.fromisoformat(value.isoformat())
    return value


def substitute_env(doc: YamlDocument, environ: Mapping[str, str]) -> YamlDocument:
    """Return ``doc`` with ``${NAME}`` and ``${NAME:-default}`` replaced in string values.

    Raises:
        ConfigError: a variable without default is unset, or a ``${`` is malformed.
    """
    errors: list[str] = []
    raw: dict[KeyPath, str] = {}

    def replace(match: re.Match[str], at: KeyPath) -> str:
        body = _ENV_BODY_RE.match(match.group(1) or "")
        if match.group(0) == "$${" or body is None:
            if match.group(0) != "$${":
                errors.append(f"{doc.where(at)}: bad {match.group(0)!r}: write ${{NAME:-default}}")
            return "${"
        name, default = body.group(1), body.group(2)
        if name not in environ and default is None:
            errors.append(
                f"{doc.where(at)}: environment variable {name} is not set; "
                f"set it or write ${{{name}:-default}}"
            )
        return environ.get(name, default or "")

    def walk(node: Any, at: KeyPath) -> Any:
        if isinstance(node, dict):
            return {key: walk(value, (*at, key)) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item, (*at, index)) for index, item in enumerate(node)]
        if not isinstance(node, str) or "${" not in node:
            return node
        raw[at] = node
        return _ENV_RE.sub(lambda match: replace(match, at), node)

    data = walk(doc.data, ())
    if errors:
        raise ConfigError(doc.path, errors)
    return YamlDocument(doc.path, data, doc.lines, raw)


def check_version(doc: YamlDocument) -> None:
    """Refuse a document without ``version: 1``.

    Raises:
        ConfigError: the version is missing or not supported.
    """
    if "version" not in doc.data:
        where = doc.where(("version",))
        raise ConfigError(doc.path, [f"{where}: missing; add 'version: 1' as the first key"])
    version = doc.data["version"]
    if type(version) is not int or version != SUPPORTED_VERSION:
        where, shown = doc.where(("version",)), show_value(version)
        problem = f"{shown} is not supported: this streetwatch reads version 1"
        raise ConfigError(doc.path, [f"{where}: {problem}"])


def validate(doc: YamlDocument, model: type[M]) -> M:
    """Validate ``doc`` against ``model``.

    Raises:
        ConfigError: one line per validation error.
    """
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = [explain(doc, model, error) for error in exc.errors(include_url=False)]
        raise ConfigError(doc.path, errors) from None


def load_config(path: Path, model: type[M], environ: Mapping[str, str] | None = None) -> M:
    """Read ``path``, substitute ``${ENV}`` from ``environ`` and validate it as ``model``.

    Args:
        path: the YAML file.
        model: the pydantic model of the whole file.
        environ: variables for substitution; default the process environment.

    Raises:
        ConfigError: anything wrong with the file, one line per problem.
    """
    doc = read_document(path)
    check_version(doc)
    doc = substitute_env(doc, os.environ if environ is None else environ)
    return validate(doc, model)


def check_file(
    path: Path, kinds: Mapping[str, type[BaseModel]], environ: Mapping[str, str] | None = None
) -> list[str]:
    """Validate ``path`` as the model its top-level ``kind:`` names.

    Args:
        path: the YAML file.
        kinds: the model of each ``kind`` value, e.g. ``{"edge": EdgeConfig}``.
        environ: variables for substitution; default the process environment.

    Returns:
        One line per problem; empty when the file is valid.
    """
    try:
        doc = read_document(path)
        check_version(doc)
        kind = doc.data.get("kind")
        if not isinstance(kind, str) or kind not in kinds:
            names = [f"'{name}'" for name in kinds]
            allowed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
            found = "missing" if "kind" not in doc.data else f"{show_value(kind)} is not allowed"
            return [f"{doc.where(('kind',))}: {found}; use kind {allowed}"]
        doc = substitute_env(doc, os.environ if environ is None else environ)
        validate(doc, kinds[kind])
    except ConfigError as exc:
        return exc.errors
    return []
