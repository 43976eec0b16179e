"""Triage's event handlers: one function each, one transaction each."""

import uuid

import sqlalchemy as sa

from services.triage.db.tables import Case, CaseTip
from services.triage.domain.assignment import WardLookup, assign
from shared.clock import Clock
from shared.contracts import CaseAssignedV1, CloudEvent, TipReceivedV1
from shared.db import UnitOfWork

SOURCE = "/tinbao/triage"


class TriageHandlers:
    """Handlers bound to triage's collaborators (ward list, clock)."""

    def __init__(self, *, wards: WardLookup, clock: Clock) -> None:
        self._wards = wards
        self._clock = clock

    async def on_tip_received(
        self, uow: UnitOfWork, tip: TipReceivedV1, envelope: CloudEvent
    ) -> None:
        """Open a case for a new tip, assign it, and announce case.assigned."""
        tip_id = uuid.UUID(tip.tip_id)
        already = await uow.session.scalar(
            sa.select(CaseTip.case_id).where(CaseTip.tip_id == tip_id)
        )
        if already is not None:
            return  # the tip was assigned under another event id (e.g. a republished outbox row)
        decision = assign(tip, wards=self._wards)
        now = self._clock.now()
        case = Case(
            kind=tip.kind,
            ward_code=decision.ward_code,
            ward_name=decision.ward_name,
            unit=decision.unit,
            priority=decision.priority,
            category=decision.category,
            opened_at=now,
            updated_at=now,
        )
        uow.session.add(case)
        await uow.session.flush()
        uow.session.add(
            CaseTip(
                tip_id=tip_id,
                case_id=case.id,
                tracking_code=tip.tracking_code,
                received_at=tip.received_at,
                assigned_at=now,
            )
        )
        await uow.session.flush()
        event = CaseAssignedV1(
            case_id=str(case.id),
            tip_id=tip.tip_id,
            tracking_code=tip.tracking_code,
            kind=tip.kind,
            ward_code=case.ward_code,
            ward_name=case.ward_name,
            unit=case.unit,
            priority=case.priority,
            category=case.category,
            received_at=tip.received_at,
            assigned_at=now,
        )
        out = CloudEvent.wrap(event, source=SOURCE, time=now)
        await uow.add_event(
            out.id, topic=event.topic, key=event.partition_key(), payload=out.to_bytes()
        )

    def table(self) -> dict[type, object]:
        return {TipReceivedV1: self.on_tip_received}
