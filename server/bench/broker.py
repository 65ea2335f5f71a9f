"""A private Mosquitto for the benchmark, on a free loopback port in a temporary folder."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from streetwatch.errors import UserError

LOOPBACK = "127.0.0.1"
_SEARCH = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto")


def find_mosquitto() -> Path | None:
    """Return the ``mosquitto`` binary on PATH or in the usual sbin folders."""
    found = shutil.which("mosquitto") or next((p for p in _SEARCH if os.access(p, os.X_OK)), None)
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class PrivateMosquitto:
    """``with PrivateMosquitto() as broker:`` runs Mosquitto on ``broker.port``.

    Raises:
        UserError: no mosquitto binary, or it did not start.
    """

    def __init__(self) -> None:
        binary = find_mosquitto()
        if binary is None:
            raise UserError("the benchmark needs mosquitto: install it (apt install mosquitto)")
        self.binary = binary
        self.host = LOOPBACK
        self.port = _free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="streetwatch-bench-")
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrivateMosquitto:
        folder = Path(self._dir.name)
        user = pwd.getpwuid(os.geteuid()).pw_name
        conf = folder / "mosquitto.conf"
        conf.write_text(
            f"user {user}\nlistener {self.port} {self.host}\nallow_anonymous true\n"
            "set_tcp_nodelay true\nmax_queued_messages 1000000\npersistence false\n"
        )
        log = (folder / "mosquitto.log").open("wb")
        self._process = subprocess.Popen(
            [str(self.binary), "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise UserError(f"mosquitto did not start on {self.host}:{self.port}")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(10)
        self._dir.cleanup()
