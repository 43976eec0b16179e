"""Intake's commands and event handlers: one function each, one transaction each."""

import logging
import uuid
from datetime import datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from services.intake.db import repository
from services.intake.db.tables import Message, Tip
from services.intake.domain.submission import SubmitTip
from shared.contracts import (
    CaseAssignedV1,
    CaseQuestionAskedV1,
    CaseReopenedV1,
    CaseStageCompletedV1,
    CaseTransferredV1,
    CloudEvent,
    EventData,
    TipFollowUpAddedV1,
    TipReceivedV1,
)
from shared.contracts.events import CaseClockChangedV1, Channel
from shared.db import UnitOfWork

log = logging.getLogger(__name__)

SOURCE = "/tinbao/intake"


async def publish(uow: UnitOfWork, event: EventData, *, at: datetime) -> None:
    """Queue an event in the outbox of the current transaction."""
    envelope = CloudEvent.wrap(event, source=SOURCE, time=at)
    await uow.add_event(
        envelope.id, topic=event.topic, key=event.partition_key(), payload=envelope.to_bytes()
    )


def new_tip(
    command: SubmitTip,
    *,
    channel: Channel,
    tip_id: uuid.UUID,
    tracking_code: str,
    secret_hash: str,
    received_at: datetime,
    now: datetime,
    contact_sealed: bytes | None = None,
    sealed_attachments: tuple[tuple[str, int, bytes], ...] = (),
    caller_hash: str | None = None,
    operator_id: str | None = None,
    topic_prefix: str = "",
) -> repository.NewTip:
    """What registering a tip stores: the tip, its first status and its tip.received event."""
    # What the tipster said, as stored and as announced.
    said = {
        "kind": command.kind,
        "text": command.text,
        "address": command.address,
        "ward_code": command.ward_code,
        "latitude": command.latitude,
        "longitude": command.longitude,
        "venue_name": command.venue_name,
        "occurred_at": command.occurred_at,
    }
    event = TipReceivedV1(
        tip_id=str(tip_id),
        tracking_code=tracking_code,
        channel=channel,
        received_at=received_at,
        is_anonymous=contact_sealed is None,
        **said,
    )
    envelope = CloudEvent.wrap(event, source=SOURCE, time=now)
    timeline = [{"stage": "received", "at": received_at.isoformat(), "unit": None}]
    return repository.NewTip(
        id=tip_id,
        tracking_code=tracking_code,
        secret_hash=secret_hash,
        channel=channel,
        received_at=received_at,
        contact_sealed=contact_sealed,
        caller_hash=caller_hash,
        operator_id=operator_id,
        timeline_json=orjson.dumps(timeline).decode(),
        attachments=sealed_attachments,
        event_id=envelope.id,
        event_topic=topic_prefix + event.topic,
        event_key=event.partition_key(),
        event_payload=envelope.to_bytes(),
        **said,
    )


async def add_follow_up(
    uow: UnitOfWork, tip: Tip, *, text: str, in_reply_to: uuid.UUID | None, now: datetime
) -> Message:
    """Store the tipster's message and send it to the handling unit."""
    message = Message(
        tip_id=tip.id, direction="from_tipster", text=text, in_reply_to=in_reply_to, created_at=now
    )
    uow.session.add(message)
    if in_reply_to is not None:
        await uow.session.execute(
            sa.update(Message)
            .where(Message.id == in_reply_to, Message.tip_id == tip.id)
            .values(answered=True)
        )
    await publish(
        uow,
        TipFollowUpAddedV1(
            tip_id=str(tip.id),
            tracking_code=tip.tracking_code,
            message_id=str(message.id),
            text=text,
            in_reply_to=str(in_reply_to) if in_reply_to else None,
            added_at=now,
        ),
        at=now,
    )
    return message


async def on_case_assigned(uow: UnitOfWork, event: CaseAssignedV1, envelope: CloudEvent) -> None:
    """Show the handling unit and ward in the tipster's status."""
    found = await repository.record_assignment(
        session=uow.session,
        tip_id=uuid.UUID(event.tip_id),
        case_id=uuid.UUID(event.case_id),
        unit=event.unit,
        ward_code=event.ward_code,
        ward_name=event.ward_name,
        at=event.assigned_at,
    )
    if not found:
        log.warning(
            "assignment for a tip intake does not know",
            extra={"event_id": envelope.id, "tip_id": event.tip_id},
        )


async def on_question_asked(
    uow: UnitOfWork, event: CaseQuestionAskedV1, envelope: CloudEvent
) -> None:
    """Put the handling unit's question in the tipster's conversation."""
    await uow.session.execute(
        pg.insert(Message.__table__)
        .values(
            id=uuid.UUID(event.question_id),
            tip_id=uuid.UUID(event.tip_id),
            direction="to_tipster",
            text=event.text,
            created_at=event.asked_at,
            answered=False,
        )
        .on_conflict_do_nothing()
    )


async def on_stage_completed(
    uow: UnitOfWork, event: CaseStageCompletedV1, envelope: CloudEvent
) -> None:
    """Show the stage the handling unit recorded (verified, classified, handled)."""
    await repository.record_progress(
        session=uow.session,
        tip_ids=[uuid.UUID(t) for t in event.tip_ids],
        entry={"stage": event.stage, "at": event.completed_at.isoformat(), "unit": event.unit},
        at=event.completed_at,
        stage=event.stage,
    )


async def on_transferred(uow: UnitOfWork, event: CaseTransferredV1, envelope: CloudEvent) -> None:
    """Tell the tipster the case moved (to a ward, unit or agency), without internal reasons."""
    await repository.record_progress(
        session=uow.session,
        tip_ids=[uuid.UUID(t) for t in event.tip_ids],
        entry={
            "stage": "transferred",
            "at": event.transferred_at.isoformat(),
            "unit": event.to_unit,
        },
        at=event.transferred_at,
        unit=event.to_unit,
        ward_code=event.to_ward_code,
        ward_name=event.to_ward_name,
    )


async def on_reopened(uow: UnitOfWork, event: CaseReopenedV1, envelope: CloudEvent) -> None:
    """A reopened case is being handled again."""
    await repository.record_progress(
        session=uow.session,
        tip_ids=[uuid.UUID(t) for t in event.tip_ids],
        entry={"stage": "reopened", "at": event.reopened_at.isoformat(), "unit": None},
        at=event.reopened_at,
        stage="classified",
        stage_floor=False,
    )


async def on_clock_changed(
    uow: UnitOfWork, event: CaseClockChangedV1, envelope: CloudEvent
) -> None:
    """Tell the tipster a deadline was extended or the case suspended or resumed."""
    entry = {"stage": event.change, "at": event.at.isoformat(), "unit": None}
    if event.days:
        entry["days"] = event.days
    await repository.record_progress(
        session=uow.session,
        tip_ids=[uuid.UUID(t) for t in event.tip_ids],
        entry=entry,
        at=event.at,
    )


HANDLERS = {
    CaseClockChangedV1: on_clock_changed,
    CaseAssignedV1: on_case_assigned,
    CaseQuestionAskedV1: on_question_asked,
    CaseStageCompletedV1: on_stage_completed,
    CaseTransferredV1: on_transferred,
    CaseReopenedV1: on_reopened,
}
