"""Content-addressed evidence files: ``DIR/ab/cd/<sha256>`` written once, atomically."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def sniff_content_type(data: bytes) -> str:
    """Return the image type from the first bytes, or ``application/octet-stream``."""
    return next(
        (kind for magic, kind in _MAGIC if data.startswith(magic)), "application/octet-stream"
    )


class EvidenceFiles:
    """A folder of evidence files named by the SHA-256 of their bytes.

    Args:
        root: the folder (created on first write).
        fsync: flush each new file (and its folder) to disk before :meth:`put` returns.
    """

    def __init__(self, root: Path, fsync: bool = True) -> None:
        self.root = root
        self.fsync = fsync

    def path(self, sha256: str) -> Path:
        """Return where the file with ``sha256`` lives.

        Raises:
            ValueError: ``sha256`` is not 64 lower-case hex digits.
        """
        if not SHA256_RE.match(sha256):
            raise ValueError(f"{sha256!r} is not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (no-op if already stored) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                if self.fsync:
                    out.flush()
                    os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        if self.fsync:
            _fsync_dir(target.parent)
        return digest

    def restore(self, sha256: str, data: bytes) -> None:
        """Write ``data`` (whose SHA-256 is ``sha256``) again if its file is gone."""
        if not self.path(sha256).exists():
            self.put(data)

    def remove(self, sha256: str) -> bool:
        """Delete the file with ``sha256``; return False if there was none."""
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def read(self, sha256: str) -> bytes | None:
        """Return the stored bytes, or None if there is no such file."""
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
