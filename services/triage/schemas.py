"""What triage's API reads and writes (schema family per resource)."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TipRead(BaseModel):
    """A tip inside a case, for the officers who handle it (personal data: reads are audited)."""

    model_config = ConfigDict(from_attributes=True)

    # The id a question to this tip's tipster names (action "question", field tip_id).
    tip_id: uuid.UUID
    tracking_code: str
    kind: str | None
    channel: str | None
    text: str | None
    address: str | None
    venue_name: str | None
    received_at: datetime


class CaseSummary(BaseModel):
    """One row of an officer's queue."""

    id: str
    kind: str
    category: str
    priority: str
    unit: str | None
    co_handlers: list[str]
    ward_code: str | None
    ward_name: str | None
    status: str
    stage: str
    sla_state: str
    next_due_at: datetime | None
    opened_at: datetime
    version: int
    tip_count: int
    tracking_codes: list[str]


class CasesRead(BaseModel):
    """A page of the queue."""

    data: list[CaseSummary]
    count: int


class TimelineEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    action: str
    actor_role: str | None
    detail: dict[str, Any]
    at: datetime


class FollowUpRead(BaseModel):
    id: str
    tracking_code: str | None
    direction: str
    text: str
    in_reply_to: str | None
    at: datetime


class CaseDetail(CaseSummary):
    """A case with its tips, the classifier's reasons, timeline and conversation."""

    confidence: float
    reasons: list[str]
    verification: str | None
    classification: str | None
    handling: str | None
    assignee_id: str | None
    tips: list[TipRead]
    timeline: list[TimelineEntryRead]
    followups: list[FollowUpRead]


class CaseAction(BaseModel):
    """An officer action; `expected_version` detects concurrent edits."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"expected_version": 1, "result": "founded", "summary": "Đã kiểm tra thực địa."},
                {"expected_version": 2, "classification": "criminal"},
                {
                    "expected_version": 3,
                    "outcome": "transferred_to_investigation",
                    "decision": "Chuyển Cơ quan CSĐT Công an tỉnh.",
                },
                {
                    "expected_version": 1,
                    "to_unit": "culture_social",
                    "reason": "Thuộc thẩm quyền VHXH",
                },
                {
                    "expected_version": 1,
                    "text": "Bạn thấy hoạt động vào giờ nào?",
                    "tip_id": "<tip id>",
                },
            ]
        },
    )

    expected_version: int = Field(ge=1, description="The version you read; 409 if it changed")


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    ward_code: str | None
    unit: str | None


class AuditEntryRead(BaseModel):
    at: datetime
    actor_id: str
    actor_role: str
    action: str
    case_id: str | None
    detail: dict[str, Any]
