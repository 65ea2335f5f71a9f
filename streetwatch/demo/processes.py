"""Child processes of the demo: the server and the edge nodes, each logging to its own file."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from streetwatch.errors import UserError

READY = "streetwatch server ready"
STOP_WAIT_S = 10.0


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """``preferred`` when it is free on ``host``, else a free port the system picks."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise UserError(f"no free TCP port on {host}")


@dataclass
class Child:
    """A ``streetwatch`` subcommand running as a child process."""

    name: str
    args: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        """Start it, with stdout and stderr going to its log file."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streetwatch", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def poll(self) -> int | None:
        """Its exit code, or None while it runs."""
        return None if self.process is None else self.process.poll()

    def tail(self, lines: int = 5) -> str:
        """The last lines of its log."""
        if not self.log.is_file():
            return ""
        text = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def wait_for(self, marker: str, timeout_s: float) -> None:
        """Wait until ``marker`` appears in its log.

        Raises:
            streetwatch.errors.UserError: it exited or the time ran out first.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.log.is_file() and marker in self.log.read_text(errors="replace"):
                return
            code = self.poll()
            if code is not None:
                raise UserError(f"the {self.name} exited with code {code}: {self.tail(1)}")
            time.sleep(0.1)
        raise UserError(f"the {self.name} did not start within {timeout_s:.0f} s (see {self.log})")

    def stop(self) -> None:
        """Ask it to stop (SIGTERM), then kill it if it does not."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
