"""Notify's event handlers: one function each, one transaction each."""

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from services.notify.db.tables import SlaClock
from services.notify.domain.clocks import ClockPlanner
from shared.contracts import CaseAssignedV1, CaseReopenedV1, CaseStageCompletedV1, CloudEvent
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

    async def on_stage_completed(
        self, uow: UnitOfWork, event: CaseStageCompletedV1, envelope: CloudEvent
    ) -> None:
        """Stop a stage clock: met when done by its deadline, breached otherwise."""
        clock = SlaClock.__table__
        await uow.session.execute(
            sa.update(clock)
            .where(
                clock.c.case_id == uuid.UUID(event.case_id),
                clock.c.stage == event.stage,
                clock.c.completed_at.is_(None),
            )
            .values(
                completed_at=event.completed_at,
                status=sa.case(
                    (clock.c.due_at.is_(None), "met"),
                    (clock.c.due_at >= event.completed_at, "met"),
                    else_="breached",
                ),
            )
        )

    async def on_reopened(
        self, uow: UnitOfWork, event: CaseReopenedV1, envelope: CloudEvent
    ) -> None:
        """A reopened case's handled clock runs again with its original budget."""
        clock = SlaClock.__table__
        budget = clock.c.due_at - clock.c.started_at
        await uow.session.execute(
            sa.update(clock)
            .where(clock.c.case_id == uuid.UUID(event.case_id), clock.c.stage == "handled")
            .values(
                status="running",
                completed_at=None,
                started_at=event.reopened_at,
                due_at=event.reopened_at + budget,
            )
        )

    def table(self) -> dict[type, object]:
        return {
            CaseAssignedV1: self.on_case_assigned,
            CaseStageCompletedV1: self.on_stage_completed,
            CaseReopenedV1: self.on_reopened,
        }
