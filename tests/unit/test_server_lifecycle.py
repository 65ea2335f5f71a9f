"""The case lifecycle: every (status, action) pair is either allowed or refused clearly."""

from __future__ import annotations

import pytest

from server.domain.lifecycle import (
    OPEN_STATUSES,
    Action,
    CaseStatus,
    IllegalTransitionError,
    allowed_actions,
    next_status,
)

S, A = CaseStatus, Action

ALLOWED: dict[tuple[CaseStatus, Action], CaseStatus] = {
    (S.REPORTED, A.FILE): S.FILED,
    (S.REPORTED, A.REJECT): S.REJECTED,
    (S.REPORTED, A.MERGE): S.MERGED,
    (S.FILED, A.DISPATCH): S.DISPATCHED,
    (S.FILED, A.REJECT): S.REJECTED,
    (S.FILED, A.MERGE): S.MERGED,
    (S.DISPATCHED, A.HANDLE): S.HANDLED,
    (S.DISPATCHED, A.DISPATCH): S.DISPATCHED,  # re-dispatch to another department
    (S.DISPATCHED, A.MERGE): S.MERGED,
    (S.HANDLED, A.CLOSE): S.CLOSED,
    (S.HANDLED, A.DISPATCH): S.DISPATCHED,  # 核查不通过: back to the department
    (S.HANDLED, A.MERGE): S.MERGED,
    (S.CLOSED, A.REOPEN): S.REOPENED,
    (S.REOPENED, A.FILE): S.FILED,
    (S.REOPENED, A.REJECT): S.REJECTED,
    (S.REOPENED, A.DISPATCH): S.DISPATCHED,
    (S.REOPENED, A.MERGE): S.MERGED,
}

PAIRS = [(status, action) for status in CaseStatus for action in Action]


@pytest.mark.parametrize(
    ("status", "action"), PAIRS, ids=[f"{s.value}-{a.value}" for s, a in PAIRS]
)
def test_every_pair(status: CaseStatus, action: Action) -> None:
    if (status, action) in ALLOWED:
        assert next_status(status, action) is ALLOWED[status, action]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(IllegalTransitionError) as caught:
            next_status(status, action)
        message = str(caught.value)
        assert message.startswith(f"cannot {action.value} a case that is {status.value}")
        assert "allowed from:" in message
        assert action not in allowed_actions(status)


@pytest.mark.parametrize("status", [S.REJECTED, S.MERGED])
def test_terminal_statuses_allow_nothing(status: CaseStatus) -> None:
    assert allowed_actions(status) == []


def test_the_happy_path_of_digital_chengguan() -> None:
    status = S.REPORTED
    for action in (A.FILE, A.DISPATCH, A.HANDLE, A.CLOSE):
        status = next_status(status, action)
    assert status is S.CLOSED
    assert S.CLOSED not in OPEN_STATUSES and S.REOPENED in OPEN_STATUSES
