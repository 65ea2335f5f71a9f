"""Real live streams for source tests: ffmpeg pushing a clip to an RTSP server, or serving it
over HTTP itself.

- RTSP: ``rtsp-server-perl`` (Debian package ``rtsp-server-perl``) is the server; ``ffmpeg``
  (Debian package ``ffmpeg``) publishes the clip to it in a loop, like a camera's encoder.
  Killing the publisher drops the stream; starting it again brings it back.
- HTTP: ``ffmpeg -listen 1`` serves the clip as MPEG-TS to one client.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

from support.services import LOOPBACK, free_port, port_accepts, require_or_skip, wait_until


def require_binary(name: str, package: str) -> str:
    """Return the path of ``name``, or skip (fail under CI) naming the Debian package."""
    found = shutil.which(name)
    if found is None:
        require_or_skip(f"no {name} binary: install it (apt install {package})")
    return found


def _ffmpeg_push(ffmpeg: str, clip: Path, output: list[str]) -> subprocess.Popen[bytes]:
    command = [ffmpeg, "-v", "error", "-re", "-stream_loop", "-1", "-i", str(clip), "-an"]
    return subprocess.Popen(
        [*command, *output],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _end(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class RtspStream:
    """An RTSP server on loopback with an ffmpeg publisher; ``uri`` is what a camera offers."""

    def __init__(self, clip: Path) -> None:
        self._server_bin = require_binary("rtsp-server-perl", "rtsp-server-perl")
        self._ffmpeg = require_binary("ffmpeg", "ffmpeg")
        self._clip = clip
        self.client_port = free_port()
        self.source_port = free_port()
        self._server: subprocess.Popen[bytes] | None = None
        self._publisher: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        """Where clients read the stream."""
        return f"rtsp://{LOOPBACK}:{self.client_port}/live"

    def __enter__(self) -> RtspStream:
        rtp = str(random.randrange(30000, 60000, 2))
        self._server = subprocess.Popen(
            [
                self._server_bin,
                "--clientport",
                str(self.client_port),
                "--serverport",
                str(self.source_port),
                "--client_listen_address",
                LOOPBACK,
                "--source_listen_address",
                LOOPBACK,
                "--rtp_start_port",
                rtp,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ready = wait_until(lambda: port_accepts(LOOPBACK, self.source_port), 10.0)
        assert ready, "rtsp-server-perl did not start"
        self.publish()
        return self

    def publish(self) -> None:
        """Start the ffmpeg publisher (the camera's encoder)."""
        target = f"rtsp://{LOOPBACK}:{self.source_port}/live"
        encode = ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "5"]
        self._publisher = _ffmpeg_push(self._ffmpeg, self._clip, [*encode, "-f", "rtsp", target])

    def cut(self) -> None:
        """Kill the publisher: the stream drops."""
        _end(self._publisher)
        self._publisher = None

    def __exit__(self, *_exc: object) -> None:
        _end(self._publisher)
        _end(self._server)


class HttpStream:
    """``ffmpeg -listen 1`` serving the clip as MPEG-TS over HTTP to one client."""

    def __init__(self, clip: Path) -> None:
        self._ffmpeg = require_binary("ffmpeg", "ffmpeg")
        self._clip = clip
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        """Where the client reads the stream."""
        return f"http://{LOOPBACK}:{self.port}/live.ts"

    def __enter__(self) -> HttpStream:
        output = ["-c:v", "mpeg2video", "-q:v", "5", "-f", "mpegts", "-listen", "1", self.uri]
        # No readiness probe: ffmpeg serves one client only; the source retries until it listens.
        self._process = _ffmpeg_push(self._ffmpeg, self._clip, output)
        return self

    def __exit__(self, *_exc: object) -> None:
        _end(self._process)
