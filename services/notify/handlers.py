"""Notify's event handlers: one function each, one transaction each."""

import uuid

from sqlalchemy.dialects import postgresql as pg

from services.notify.db.tables import SlaClock
from services.notify.domain.clocks import ClockPlanner
from shared.contracts import CaseAssignedV1, CloudEvent
from shared.db import UnitOfWork


class NotifyHandlers:
    """Handlers bound to the SLA policy."""

    def __init__(self, *, planner: ClockPlanner) -> None:
        self._planner = planner

    async def on_case_assigned(
        self, uow: UnitOfWork, event: CaseAssignedV1, envelope: CloudEvent
    ) -> None:
        """Start the four stage clocks of a new case (a tip joining a case adds none)."""
        plans = self._planner.plan(
            kind=event.kind, priority=event.priority, received_at=event.received_at
        )
        rows = [
            {
                "case_id": uuid.UUID(event.case_id),
                "stage": plan.stage,
                "kind": event.kind,
                "priority": event.priority,
                "ward_code": event.ward_code,
                "unit": event.unit,
                "status": plan.status,
                "started_at": plan.started_at,
                "due_at": plan.due_at,
                "completed_at": plan.completed_at,
                "policy_version": plan.policy_version,
            }
            for plan in plans
        ]
        table = SlaClock.__table__
        await uow.session.execute(
            pg.insert(table)
            .values(rows)
            .on_conflict_do_nothing(constraint="sla_clocks_case_stage_key")
        )

    def table(self) -> dict[type, object]:
        return {CaseAssignedV1: self.on_case_assigned}
