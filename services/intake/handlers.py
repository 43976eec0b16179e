"""Intake's commands and event handlers: one function each, one transaction each."""

import logging
import uuid
from datetime import datetime

from services.intake.db import repository
from services.intake.db.tables import Tip, TipStatus
from services.intake.domain.submission import SubmitTip
from shared.clock import Clock
from shared.contracts import CaseAssignedV1, CloudEvent, TipReceivedV1
from shared.contracts.events import Channel
from shared.db import UnitOfWork

log = logging.getLogger(__name__)

SOURCE = "/tinbao/intake"


async def submit_tip(
    uow: UnitOfWork,
    command: SubmitTip,
    *,
    channel: Channel,
    tracking_code: str,
    secret_hash: str,
    clock: Clock,
    received_at: datetime | None = None,
) -> Tip:
    """Register a tip and queue its tip.received event in the same transaction."""
    now = clock.now()
    tip = Tip(
        tracking_code=tracking_code,
        secret_hash=secret_hash,
        kind=command.kind,
        channel=channel,
        text=command.text,
        address=command.address,
        ward_code=command.ward_code,
        latitude=command.latitude,
        longitude=command.longitude,
        venue_name=command.venue_name,
        occurred_at=command.occurred_at,
        received_at=received_at or now,
        is_anonymous=True,
    )
    status = TipStatus(
        tip_id=tip.id,
        stage="received",
        updated_at=now,
        timeline=[{"stage": "received", "at": tip.received_at.isoformat(), "unit": None}],
    )
    await repository.add_tip(session=uow.session, tip=tip, status=status)
    event = TipReceivedV1(
        tip_id=str(tip.id),
        tracking_code=tip.tracking_code,
        kind=command.kind,
        channel=channel,
        text=tip.text,
        address=tip.address,
        ward_code=tip.ward_code,
        latitude=tip.latitude,
        longitude=tip.longitude,
        venue_name=tip.venue_name,
        occurred_at=tip.occurred_at,
        received_at=tip.received_at,
        is_anonymous=tip.is_anonymous,
    )
    envelope = CloudEvent.wrap(event, source=SOURCE, time=now)
    await uow.add_event(
        envelope.id, topic=event.topic, key=event.partition_key(), payload=envelope.to_bytes()
    )
    return tip


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


HANDLERS = {CaseAssignedV1: on_case_assigned}
