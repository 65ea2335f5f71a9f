"""JSON Schema export of every payload model (``docs/contract/*.schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from contracts.codec import PAYLOAD_MODELS


def schemas() -> dict[str, str]:
    """Return file name -> JSON Schema text for every JSON payload kind."""
    out: dict[str, str] = {}
    for kind, model in PAYLOAD_MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = f"https://streetwatch.invalid/contract/v1/{kind.value}.schema.json"
        out[f"{kind.value}.schema.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schemas().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(folder: Path) -> list[str]:
    """Return the names of schema files in ``folder`` that are missing or out of date."""
    stale = []
    for name, text in schemas().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
