"""Public tip endpoints: submit, check status, and the anonymous follow-up conversation."""

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response, status

from services.intake.api.deps import EnglishDep, IntakeDep, TipDep
from services.intake.domain.submission import (
    FollowUpMessage,
    MessageRead,
    SubmitTip,
    TimelineEntry,
    TipAccepted,
    TipStatusRead,
)
from shared.problems import problem_responses
from shared.vocabulary import unit_name

router = APIRouter(
    prefix="/api/v1/tips", tags=["tips"], responses=problem_responses(400, 404, 413, 422, 429, 503)
)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="Any unique string; a retried POST with the same key returns the same "
        "answer and creates no second tip",
    ),
]


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=TipAccepted)
async def submit_tip(
    command: SubmitTip,
    intake: IntakeDep,
    request: Request,
    response: Response,
    english: EnglishDep,
    idempotency_key: IdempotencyKey = None,
) -> TipAccepted:
    """Submit a tip, report or complaint; keep the tracking code and secret it returns."""
    answer, replayed = await intake.submit(
        command,
        channel="api",
        english=english,
        idempotency_key=idempotency_key,
        raw_body=await request.body(),
    )
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return answer


@router.get("/{tracking_code}/status", response_model=TipStatusRead)
async def tip_status(tip: TipDep, intake: IntakeDep, english: EnglishDep) -> TipStatusRead:
    """Check a tip's progress with its tracking code and the X-Tip-Secret header."""
    found, progress = tip
    return TipStatusRead(
        tracking_code=found.tracking_code,
        kind=found.kind,
        stage=progress.stage,
        unit=progress.unit,
        unit_name=unit_name(progress.unit, english=english),
        ward_code=progress.ward_code,
        ward_name=progress.ward_name,
        received_at=found.received_at,
        updated_at=progress.updated_at,
        timeline=[TimelineEntry.model_validate(entry) for entry in progress.timeline],
        open_questions=await intake.open_questions(found.id),
    )


@router.get("/{tracking_code}/messages", response_model=list[MessageRead])
async def list_messages(tip: TipDep, intake: IntakeDep) -> list[MessageRead]:
    """Read the handling unit's questions and your own messages, oldest first."""
    return [
        MessageRead(
            id=str(m.id),
            direction=m.direction,
            text=m.text,
            at=m.created_at,
            in_reply_to=str(m.in_reply_to) if m.in_reply_to else None,
        )
        for m in await intake.messages(tip[0])
    ]


@router.post(
    "/{tracking_code}/messages", status_code=status.HTTP_201_CREATED, response_model=MessageRead
)
async def add_message(body: FollowUpMessage, tip: TipDep, intake: IntakeDep) -> MessageRead:
    """Answer a question or add information, without revealing who you are."""
    message = await intake.add_message(tip[0], text=body.text, in_reply_to=body.in_reply_to)
    return MessageRead(
        id=str(message.id),
        direction="from_tipster",
        text=message.text,
        at=message.created_at,
        in_reply_to=body.in_reply_to,
    )
