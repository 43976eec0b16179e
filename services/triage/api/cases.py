"""The officers' queues and case actions."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.triage.api.deps import Auditor, CaseWorker, TriageDep
from services.triage.domain.case_rules import Action
from services.triage.schemas import AuditEntryRead, CaseAction, CaseDetail, CasesRead
from services.triage.usecases import CASE_NOT_FOUND
from shared.problems import problem_responses

router = APIRouter(
    prefix="/api/v1",
    tags=["cases"],
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 503),
)


@router.get("/cases", response_model=CasesRead)
async def my_queue(
    principal: CaseWorker,
    triage: TriageDep,
    status: Annotated[str | None, Query(max_length=32)] = None,
    priority: Literal["urgent", "normal"] | None = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    include_handled: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    # PostgreSQL's OFFSET is a bigint: a larger number was a 500. No queue is a million deep.
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CasesRead:
    """My queue: my ward and unit, most urgent first (urgent, then nearest deadline)."""
    return await triage.queue(
        principal,
        status=status,
        priority=priority,
        category=category,
        include_handled=include_handled,
        limit=limit,
        offset=offset,
    )


@router.get("/cases/by-code/{tracking_code}", response_model=CaseDetail)
async def case_by_code(tracking_code: str, principal: CaseWorker, triage: TriageDep) -> CaseDetail:
    """Find a case by any of its tips' tracking codes."""
    case_id = await triage.case_id_for_code(tracking_code.strip().upper())
    if case_id is None:
        raise CASE_NOT_FOUND
    return await triage.detail(principal, case_id)


@router.get("/cases/{case_id}", response_model=CaseDetail)
async def case_detail(case_id: uuid.UUID, principal: CaseWorker, triage: TriageDep) -> CaseDetail:
    """A case with its tips, the classifier's reasons, timeline and conversation."""
    return await triage.detail(principal, case_id)


@router.post("/cases/{case_id}/actions/{action}", response_model=CaseDetail)
async def case_action(
    case_id: uuid.UUID,
    action: Action,
    body: CaseAction,
    principal: CaseWorker,
    triage: TriageDep,
) -> CaseDetail:
    """Act on a case: claim, verify, classify, handle, transfer, reopen, note, question,
    extend (a deadline), suspend, resume."""
    payload = body.model_dump(exclude={"expected_version"})
    await triage.act(principal, case_id, action, payload, body.expected_version)
    return await triage.detail(principal, case_id)


class SplitRequest(BaseModel):
    """Which tip leaves the case."""

    expected_version: int = Field(ge=1)
    tip_tracking_code: str = Field(max_length=32, pattern=r"^[A-Za-z0-9 -]+$")


class MergeRequest(BaseModel):
    """Which duplicate case joins this one."""

    expected_version: int = Field(ge=1)
    other_case_id: uuid.UUID


@router.post("/cases/{case_id}/split", response_model=CaseDetail)
async def split_case(
    case_id: uuid.UUID, body: SplitRequest, principal: CaseWorker, triage: TriageDep
) -> CaseDetail:
    """Move one tip out of a case into a new case of its own (returns the new case)."""
    tip_id = await triage.tip_id_for_code(body.tip_tracking_code.strip().upper())
    if tip_id is None:
        raise CASE_NOT_FOUND
    new_id = await triage.split(principal, case_id, tip_id, body.expected_version)
    return await triage.detail(principal, new_id)


@router.post("/cases/{case_id}/merge", response_model=CaseDetail)
async def merge_case(
    case_id: uuid.UUID, body: MergeRequest, principal: CaseWorker, triage: TriageDep
) -> CaseDetail:
    """Merge a duplicate case into this one; its tips move here and it stops counting."""
    await triage.merge(principal, case_id, body.other_case_id, body.expected_version)
    return await triage.detail(principal, case_id)


@router.get("/audit", response_model=list[AuditEntryRead])
async def audit_log(
    principal: Auditor,
    triage: TriageDep,
    case_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryRead]:
    """The append-only audit log (who read or changed what, when); no personal data."""
    entries = await triage.audit_log(principal, case_id=case_id, limit=limit)
    return [
        AuditEntryRead(
            at=e.at,
            actor_id=e.actor_id,
            actor_role=e.actor_role,
            action=e.action,
            case_id=str(e.case_id) if e.case_id else None,
            detail=e.detail,
        )
        for e in entries
    ]
