"""docs/deploy: the compose file parses and mounts what exists; the ACL matches the topics."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from contracts.topics import DEFAULT_PREFIX, DELIVERY, MessageKind, Topics
from server.config import ServerConfig
from streetwatch.yamlconf import check_file

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
SERVER_USER = "streetwatch-server"


def _compose() -> dict[str, Any]:
    data = YAML(typ="safe").load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _suffix(kind: MessageKind) -> str:
    return "evidence/+/+" if kind is MessageKind.EVIDENCE else kind.value


def _acl() -> tuple[set[tuple[str, str]], dict[str, set[tuple[str, str]]]]:
    """Return the pattern rules and each user's topic rules as (access, topic) pairs."""
    patterns: set[tuple[str, str]] = set()
    users: dict[str, set[tuple[str, str]]] = {}
    user = None
    for line in (DEPLOY / "mosquitto" / "acl").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "user":
            user = words[1]
            users[user] = set()
        elif words[0] == "pattern":
            patterns.add((words[1], words[2]))
        else:
            assert words[0] == "topic" and user is not None, line
            users[user].add((words[1], words[2]))
    return patterns, users


def test_compose_services_health_checks_and_mounts_exist() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"mosquitto", "db", "server"}
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for name, service in services.items():
        assert "healthcheck" in service or name == "server", f"{name} has no health check"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith("."):
                assert source in compose["volumes"], f"{name}: unknown volume {source}"
                continue
            if not (DEPLOY / source).exists():  # made by the operator, as the README says
                assert Path(source).name in readme, f"{name}: {source} is missing"
    server = services["server"]
    assert server["build"]["target"] == "server"
    assert (DEPLOY / server["build"]["context"] / "Dockerfile").is_file()
    assert "@db:5432/" in server["environment"]["DATABASE_URL"]
    assert {"db", "mosquitto"} <= set(server["depends_on"])


def test_deploy_server_config_is_valid() -> None:
    environ = {"MQTT_PASSWORD": "x", "DATABASE_URL": "postgresql://streetwatch:x@db/streetwatch"}
    assert check_file(DEPLOY / "server.yaml", {"server": ServerConfig}, environ) == []


def test_devices_get_exactly_their_own_topics() -> None:
    patterns, _ = _acl()
    expected = set()
    for kind, delivery in DELIVERY.items():
        access = "write" if delivery.direction == "device->server" else "read"
        expected.add((access, f"{DEFAULT_PREFIX}/devices/%u/{_suffix(kind)}"))
    assert patterns == expected
    assert all("#" not in topic for _, topic in patterns)


def test_server_user_reads_uplinks_and_writes_downlinks() -> None:
    _, users = _acl()
    topics = Topics()
    expected = {
        ("read" if d.direction == "device->server" else "write", topics.subscription(kind))
        for kind, d in DELIVERY.items()
    }
    assert users[SERVER_USER] == expected
    assert all(
        not re.search(r"devices/#|^#", topic) for rules in users.values() for _, topic in rules
    )
