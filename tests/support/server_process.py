"""``streetwatch server run`` as a child process, started from a generated config file."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from support.server_harness import ROOT

READY = "streetwatch server ready:"


def write_config(path: Path, config: dict[str, Any]) -> Path:
    """Write a server config (plain data) as YAML-compatible JSON and return its path."""
    path.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return path


class ServerProcess:
    """One worker process; :meth:`start` waits for its ready line.

    Args:
        config: the config file.
        args: extra arguments after ``server run -c CONFIG``.
    """

    def __init__(self, config: Path, *args: str) -> None:
        self.command = [
            sys.executable,
            "-m",
            "streetwatch",
            "server",
            "run",
            "-c",
            str(config),
            *args,
        ]
        self.process: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []

    def start(self, timeout_s: float = 30.0) -> str:
        """Start it and return its ready line.

        Raises:
            AssertionError: it exited or did not get ready in time (with its output).
        """
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        while True:
            try:
                line = self.lines.get(timeout=timeout_s)
            except queue.Empty:
                self.stop()
                raise AssertionError(f"no ready line in {timeout_s:g} s: {self.output}") from None
            if line.startswith(READY):
                return line
            if self.process.poll() is not None and self.lines.empty():
                raise AssertionError(f"the server exited: {self.output}")

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip())
            self.lines.put(line.rstrip())

    def stop(self, timeout_s: float = 15.0) -> int | None:
        """SIGTERM and wait; return the exit code (killed if it does not stop in time)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout_s)
        return self.process.returncode
