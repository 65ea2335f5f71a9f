"""The shipped broker deployment (docs/deploy) on loopback, for tests of the TLS listener.

:func:`make_certs` runs the ``sh`` block of the deploy README's "TLS certificates" section
as an operator would (only its ``SAN=`` line is replaced); :class:`ShippedMosquitto` runs
the shipped ``mosquitto.conf`` with its paths and listener rewritten for a private broker.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from support.mosquitto import MosquittoServer

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
README = DEPLOY / "README.md"
SHIPPED_CONF = DEPLOY / "mosquitto" / "mosquitto.conf"
SHIPPED_ACL = DEPLOY / "mosquitto" / "acl"
CERTS_DIR = Path("docs") / "deploy" / "certs"
"""Where the README's block writes the files, relative to the folder it starts in."""


@dataclass(frozen=True)
class BrokerCerts:
    """The files the README's ``openssl`` commands leave in ``certs/``."""

    ca: Path
    cert: Path
    key: Path


def readme_cert_script(san: str) -> str:
    """Return the README's certificate commands with ``SAN`` set to ``san``.

    Raises:
        AssertionError: the section, its ``sh`` block or its single ``SAN=`` line is missing.
    """
    text = README.read_text(encoding="utf-8")
    section = text.partition("\n## TLS certificates\n")[2].partition("\n## ")[0]
    block = re.search(r"^```sh\n(.*?)^```", section, re.M | re.S)
    assert block, f"{README}: no sh block under 'TLS certificates'"
    script, count = re.subn(r"^SAN=.*$", f'SAN="{san}"', block.group(1), flags=re.M)
    assert count == 1, f"{README}: the certificate block needs exactly one SAN= line"
    return script


def make_certs(root: Path, san: str) -> BrokerCerts:
    """Run the README's certificate block with POSIX ``sh -e`` in ``root``; return the files.

    The block starts with ``cd docs/deploy/certs``, so that folder is made under ``root``.

    Raises:
        AssertionError: a command failed; the message has the shell's output.
    """
    certs = root / CERTS_DIR
    certs.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["sh", "-e", "-c", readme_cert_script(san)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"the README's openssl commands failed:\n{done.stderr}"
    return BrokerCerts(certs / "ca.crt", certs / "server.crt", certs / "server.key")


def derive_config(shipped: str, *, host: str, port: int, paths: dict[str, str], user: str) -> str:
    """Rewrite the shipped config's listener and paths for a private broker.

    Args:
        shipped: the text of ``mosquitto.conf``.
        host: address to bind the listener to.
        port: listener port (instead of 8883).
        paths: new value of each path setting (``certfile``, ``acl_file``, ...).
        user: account Mosquitto keeps when started as root (a ``user`` line is added).

    Raises:
        AssertionError: a rewritten setting is not in the shipped file exactly once.
    """
    lines = [f"user {user}"]
    seen: list[str] = []
    for line in shipped.splitlines():
        key = line.split(" ", 1)[0]
        if key == "listener":
            lines.append(f"listener {port} {host}")
        elif key in paths:
            lines.append(f"{key} {paths[key]}")
        else:
            lines.append(line)
            continue
        seen.append(key)
    expected = sorted(["listener", *paths])
    assert sorted(seen) == expected, f"{SHIPPED_CONF}: expected each of {expected} once: {seen}"
    return "\n".join(lines) + "\n"


class ShippedMosquitto(MosquittoServer):
    """A :class:`MosquittoServer` running the shipped ``mosquitto.conf`` (TLS, users, ACL).

    Args:
        binary: the ``mosquitto`` executable.
        workdir: its folder (config, log, persistence).
        certs: made by :func:`make_certs`.
        password_file: made by ``support.auth_mosquitto.write_password_file``.
    """

    def __init__(
        self, binary: Path, workdir: Path, certs: BrokerCerts, password_file: Path
    ) -> None:
        super().__init__(binary, workdir)
        self.certs = certs
        self.password_file = password_file

    def config_text(self) -> str:
        """The shipped config with this broker's files, port and loopback address."""
        paths = {
            "password_file": str(self.password_file),
            "acl_file": str(SHIPPED_ACL),
            "certfile": str(self.certs.cert),
            "keyfile": str(self.certs.key),
            "cafile": str(self.certs.ca),
            "persistence_location": f"{self.data_dir}/",
        }
        user = pwd.getpwuid(os.geteuid()).pw_name
        shipped = SHIPPED_CONF.read_text(encoding="utf-8")
        return derive_config(shipped, host=self.host, port=self.port, paths=paths, user=user)
