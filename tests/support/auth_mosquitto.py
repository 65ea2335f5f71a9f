"""A private Mosquitto that admits only the users of its password file (no anonymous clients).

Same process handling as :class:`~support.mosquitto.MosquittoServer` (own folder, free
loopback port, log); the config adds ``allow_anonymous false`` and a ``password_file`` made
with ``mosquitto_passwd -b``, so a client with other credentials is refused at CONNACK.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from support.mosquitto import MosquittoServer

PASSWD_SEARCH = ("/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd")


def find_mosquitto_passwd() -> Path | None:
    """Return the ``mosquitto_passwd`` binary, or None if it is not installed."""
    found = shutil.which("mosquitto_passwd")
    if found:
        return Path(found)
    return next((Path(p) for p in PASSWD_SEARCH if Path(p).is_file()), None)


def write_password_file(passwd: Path, path: Path, users: dict[str, str]) -> Path:
    """Write a Mosquitto password file holding ``users`` (name -> password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    for user, password in users.items():
        subprocess.run([str(passwd), "-b", str(path), user, password], check=True)
    path.chmod(0o600)
    return path


class AuthMosquitto(MosquittoServer):
    """A :class:`MosquittoServer` that refuses anonymous clients and unknown credentials.

    Args:
        binary: the ``mosquitto`` executable.
        workdir: its folder (config, log, persistence).
        password_file: made by :func:`write_password_file`.
    """

    def __init__(self, binary: Path, workdir: Path, password_file: Path) -> None:
        super().__init__(binary, workdir)
        self.password_file = password_file

    def config_text(self) -> str:
        """The parent's config with anonymous clients off and the password file on."""
        return (
            super()
            .config_text()
            .replace(
                "allow_anonymous true",
                f"allow_anonymous false\npassword_file {self.password_file}",
            )
        )
