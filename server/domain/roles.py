"""Roles of API principals: viewer < operator < admin."""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    """What a principal may do: read (viewer), act on cases (operator), administer (admin)."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Order of the roles: a higher rank may do everything a lower one may."""
        return list(Role).index(self)
