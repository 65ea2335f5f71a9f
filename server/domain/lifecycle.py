"""The case lifecycle after the 数字城管 flow, as a transition table.

``reported`` (上报) → ``filed`` (立案) or ``rejected`` (注销) → ``dispatched`` (派遣) →
``handled`` (处置) → ``closed`` (核查结案). A case can be ``merged`` into another; a closed
case that sees the violation again within the reopen window becomes ``reopened`` (复发).
"""

from __future__ import annotations

from enum import Enum


class CaseStatus(str, Enum):
    """Where a case stands."""

    REPORTED = "reported"
    FILED = "filed"
    REJECTED = "rejected"
    DISPATCHED = "dispatched"
    HANDLED = "handled"
    CLOSED = "closed"
    MERGED = "merged"
    REOPENED = "reopened"


class Action(str, Enum):
    """What an operator (or the system) does to a case."""

    FILE = "file"
    REJECT = "reject"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    CLOSE = "close"
    REOPEN = "reopen"
    MERGE = "merge"


class RejectReason(str, Enum):
    """Why a case is rejected (注销); every rejection names one."""

    FALSE_POSITIVE = "false_positive"
    PERMITTED = "permitted"
    OTHER = "other"


S = CaseStatus
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {S.REPORTED, S.FILED, S.DISPATCHED, S.HANDLED, S.REOPENED}
)
"""Statuses whose case still takes new events as they come."""

ZH_NAMES: dict[CaseStatus, str] = {
    S.REPORTED: "上报",
    S.FILED: "立案",
    S.REJECTED: "注销",
    S.DISPATCHED: "派遣",
    S.HANDLED: "处置",
    S.CLOSED: "核查结案",
    S.MERGED: "合并",
    S.REOPENED: "复发",
}
"""The 数字城管 name of each status."""

TRANSITIONS: dict[Action, frozenset[CaseStatus]] = {
    Action.FILE: frozenset({S.REPORTED, S.REOPENED}),
    Action.REJECT: frozenset({S.REPORTED, S.REOPENED, S.FILED}),
    Action.DISPATCH: frozenset({S.FILED, S.REOPENED, S.DISPATCHED, S.HANDLED}),
    Action.HANDLE: frozenset({S.DISPATCHED}),
    Action.CLOSE: frozenset({S.HANDLED}),
    Action.REOPEN: frozenset({S.CLOSED}),
    Action.MERGE: OPEN_STATUSES,
}
"""The statuses each action is allowed from. Dispatching a dispatched case re-dispatches it;
dispatching a handled case sends it back after a failed check (核查不通过)."""

RESULT: dict[Action, CaseStatus] = {
    Action.FILE: S.FILED,
    Action.REJECT: S.REJECTED,
    Action.DISPATCH: S.DISPATCHED,
    Action.HANDLE: S.HANDLED,
    Action.CLOSE: S.CLOSED,
    Action.REOPEN: S.REOPENED,
    Action.MERGE: S.MERGED,
}
"""The status each action leads to."""


class IllegalTransitionError(ValueError):
    """An action that the case's status does not allow; the message says what is allowed."""


def next_status(current: CaseStatus, action: Action) -> CaseStatus:
    """Return the status ``action`` leads to from ``current``.

    Raises:
        IllegalTransitionError: ``action`` is not allowed from ``current``.
    """
    allowed = TRANSITIONS[action]
    if current not in allowed:
        names = ", ".join(sorted(status.value for status in allowed))
        raise IllegalTransitionError(
            f"cannot {action.value} a case that is {current.value}; "
            f"{action.value} is allowed from: {names}"
        )
    return RESULT[action]


def allowed_actions(current: CaseStatus) -> list[Action]:
    """Return the actions allowed from ``current``, in workflow order."""
    return [action for action in Action if current in TRANSITIONS[action]]
