"""Case routes: list, GeoJSON export, detail, transitions and verdicts, evidence download."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from server.api.deps import Operator, ServicesDep, Viewer
from server.domain.lifecycle import Action, IllegalTransitionError, RejectReason
from server.evidence_files import SHA256_RE
from server.services.case_ops import CaseNotFoundError, TransitionRequest
from server.services.case_queries import CaseFilter
from server.services.views import CaseDetail, CasePage

router = APIRouter(prefix="/api/v1", tags=["cases"])


class TransitionBody(BaseModel):
    """An action on a case (an operator's verdict or a step of the workflow)."""

    model_config = ConfigDict(extra="forbid")

    action: Action = Field(description="file, reject, dispatch, handle, close or merge.")
    note: str = Field("", max_length=2000, description="Goes into the audit trail.")
    reason: RejectReason | None = Field(None, description="Required to reject.")
    department: str | None = Field(None, description="Dispatch to; default by the rules.")
    merge_into: int | None = Field(None, description="Merge: the case that takes this one.")


@router.get("/cases", response_model=CasePage)
def list_cases(found: ServicesDep, _who: Viewer, where: Annotated[CaseFilter, Query()]) -> CasePage:
    """List cases; filters combine with AND; newest report first."""
    return found.reads.cases(where)


@router.get("/cases.geojson")
def cases_geojson(
    found: ServicesDep, _who: Viewer, where: Annotated[CaseFilter, Query()]
) -> dict[str, Any]:
    """The same list as a GeoJSON FeatureCollection of points."""
    return found.reads.geojson(where)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(case_id: int, found: ServicesDep, _who: Viewer) -> CaseDetail:
    """One case with its events, evidence, audit trail and links."""
    detail = found.reads.case(case_id)
    if detail is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return detail


@router.post("/cases/{case_id}/transitions", response_model=CaseDetail)
def act_on_case(
    case_id: int, body: TransitionBody, found: ServicesDep, who: Operator
) -> CaseDetail:
    """Apply an action; the actor is recorded. An illegal action answers 409 with why."""
    if body.action is Action.REOPEN:
        raise HTTPException(status.HTTP_409_CONFLICT, "cases reopen only when seen again")
    request = TransitionRequest(
        action=body.action,
        actor=who.actor,
        note=body.note,
        reason=body.reason,
        department=body.department,
        merge_into=body.merge_into,
    )
    try:
        return found.cases.act(case_id, request)
    except CaseNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except IllegalTransitionError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


@router.get("/evidence/{sha256}", response_class=Response)
def download_evidence(sha256: str, found: ServicesDep, _who: Viewer) -> Response:
    """An evidence file by the SHA-256 of its bytes."""
    stored = found.reads.evidence(sha256) if SHA256_RE.match(sha256) else None
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no evidence {sha256[:64]}")
    data, content_type = stored
    headers = {"Cache-Control": "private, max-age=31536000, immutable", "ETag": f'"{sha256}"'}
    return Response(data, media_type=content_type, headers=headers)
