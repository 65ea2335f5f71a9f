"""streetwatch: edge video inspection for street violations with a central case-creator."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("streetwatch")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
