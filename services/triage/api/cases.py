"""The officers' queues and case actions."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.triage.api.deps import Auditor, CaseWorker, TriageDep
from services.triage.schemas import AuditEntryRead, CaseAction, CaseDetail, CasesRead
from services.triage.usecases import CASE_NOT_FOUND

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.get("/cases", response_model=CasesRead)
async def my_queue(
    principal: CaseWorker,
    triage: TriageDep,
    status: str | None = None,
    priority: Literal["urgent", "normal"] | None = None,
    category: str | None = None,
    include_handled: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
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
    action: Literal[
        "claim", "verify", "classify", "handle", "transfer", "reopen", "note", "question"
    ],
    body: CaseAction,
    principal: CaseWorker,
    triage: TriageDep,
) -> CaseDetail:
    """Act on a case: claim, verify, classify, handle, transfer, reopen, note, question."""
    payload = body.model_dump(exclude={"expected_version"})
    await triage.act(principal, case_id, action, payload, body.expected_version)
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
