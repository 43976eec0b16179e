"""Notify's event handlers: one function each, one transaction each."""

import uuid
from datetime import datetime, timedelta

import orjson
import sqlalchemy as sa

from services.notify import metrics
from services.notify.config import NotifySettings
from services.notify.db.repository import case_sla
from services.notify.db.tables import SlaClock
from services.notify.deliveries import enqueue
from services.notify.domain.clocks import (
    ClockPlanner,
    budget_left,
    extended_due,
    fresh_case_sla,
    resumed_due,
)
from shared.contracts import CaseAssignedV1, CaseReopenedV1, CaseStageCompletedV1, CloudEvent
from shared.contracts.events import (
    CaseClockChangedV1,
    CaseMergedV1,
    EventData,
    SlaBreachedV1,
    SlaClocksStartedV1,
    SlaEventData,
    SlaMetV1,
)
from shared.db import UnitOfWork

SOURCE = "/tinbao/notify"

# Prebuilt: a multi-row ORM insert was compiled anew for every case and took half of
# notify's CPU. One row per stage comes from the unnested arrays.
_START_CLOCKS = sa.text(
    """
    INSERT INTO notify.sla_clocks (case_id, stage, kind, priority, ward_code, unit, category,
        channel, status, started_at, due_at, completed_at, policy_version, anchor, warn_points,
        warn_at)
    SELECT :case_id, plan.stage, :kind, :priority, :ward_code, :unit, :category, :channel,
        plan.status, plan.started_at, plan.due_at, plan.completed_at, plan.policy_version,
        plan.anchor, plan.warn_points, plan.warn_at
    FROM unnest(CAST(:stages AS text[]), CAST(:statuses AS text[]),
                CAST(:started AS timestamptz[]), CAST(:due AS timestamptz[]),
                CAST(:completed AS timestamptz[]), CAST(:policy_versions AS text[]),
                CAST(:anchors AS text[]), CAST(:warn_points AS jsonb[]),
                CAST(:warn_at AS timestamptz[]))
        AS plan (stage, status, started_at, due_at, completed_at, policy_version, anchor,
                 warn_points, warn_at)
    ON CONFLICT ON CONSTRAINT sla_clocks_case_stage_key DO NOTHING
    RETURNING stage
    """
)


async def publish(uow: UnitOfWork, event: EventData, *, at: datetime) -> str:
    """Queue an event in the outbox of the current transaction; return its id."""
    envelope = CloudEvent.wrap(event, source=SOURCE, time=at)
    await uow.add_event(
        envelope.id, topic=event.topic, key=event.partition_key(), payload=envelope.to_bytes()
    )
    return envelope.id


async def announce(
    uow: UnitOfWork,
    settings: NotifySettings | None,
    event: SlaEventData,
    *,
    at: datetime,
    kind: str,
) -> None:
    """Publish an SLA event and queue its notifications in the same transaction."""
    event_id = await publish(uow, event, at=at)
    if settings is None or kind not in {"warning", "breached"}:
        return
    payload = {
        "type": kind,
        "case_id": event.case_id,
        "stage": event.stage,
        "kind": event.kind,
        "ward_code": event.ward_code,
        "unit": event.unit,
        "due_at": event.due_at.isoformat(),
        "level": getattr(event, "level", None),
    }
    await enqueue(uow, settings, event_id=event_id, payload=payload, now=at)


class NotifyHandlers:
    """Handlers bound to the SLA policy."""

    def __init__(self, *, planner: ClockPlanner, settings: NotifySettings | None = None) -> None:
        self._planner = planner
        self._settings = settings

    async def on_case_assigned(
        self, uow: UnitOfWork, event: CaseAssignedV1, envelope: CloudEvent
    ) -> None:
        """Start the four stage clocks of a new case (a tip joining a case adds none)."""
        plans = self._planner.plan(
            kind=event.kind, priority=event.priority, received_at=event.received_at
        )
        case_id = uuid.UUID(event.case_id)
        inserted = await uow.session.execute(
            _START_CLOCKS,
            {
                "case_id": case_id,
                "kind": event.kind,
                "priority": event.priority,
                "ward_code": event.ward_code,
                "unit": event.unit,
                "category": event.category,
                "channel": event.channel,
                "policy_versions": [plan.policy_version for plan in plans],
                "stages": [plan.stage for plan in plans],
                "statuses": [plan.status for plan in plans],
                "started": [plan.started_at for plan in plans],
                "due": [plan.due_at for plan in plans],
                "completed": [plan.completed_at for plan in plans],
                "anchors": [plan.anchor for plan in plans],
                "warn_points": [
                    orjson.dumps([w.isoformat() for w in plan.warn_points]).decode()
                    for plan in plans
                ],
                "warn_at": [plan.warn_points[0] if plan.warn_points else None for plan in plans],
            },
        )
        started = inserted.all()
        if not started:
            return  # the case already had its clocks
        if len(started) == len(plans):
            next_due, state = fresh_case_sla(plans)  # spares a round trip per case
        else:
            next_due, state = await case_sla(session=uow.session, case_id=case_id)
        await publish(
            uow,
            SlaClocksStartedV1(
                case_id=event.case_id,
                stage="verified",
                kind=event.kind,
                ward_code=event.ward_code,
                unit=event.unit,
                due_at=next_due or event.received_at,
                case_next_due_at=next_due,
                case_sla_state=state,
                policy_version=self._planner.policy.version,
            ),
            at=event.assigned_at,
        )

    async def on_stage_completed(
        self, uow: UnitOfWork, event: CaseStageCompletedV1, envelope: CloudEvent
    ) -> None:
        """Stop a stage clock: met when done by its deadline, breached otherwise."""
        table = SlaClock.__table__
        clock = (
            await uow.session.execute(
                sa.select(table)
                .where(
                    table.c.case_id == uuid.UUID(event.case_id),
                    table.c.stage == event.stage,
                    table.c.completed_at.is_(None),
                )
                .with_for_update()
            )
        ).first()
        if clock is None:
            return
        on_time = clock.due_at is None or event.completed_at <= clock.due_at
        already_reported = clock.status == "breached"
        await uow.session.execute(
            sa.update(table)
            .where(table.c.id == clock.id)
            .values(
                completed_at=event.completed_at,
                outcome=event.outcome,
                warn_at=None,
                status="met" if on_time else "breached",
            )
        )
        await self._start_anchored(uow, clock.case_id, event.stage, event.completed_at)
        metrics.TIME_TO_STAGE.labels(event.stage, event.kind).observe(
            (event.completed_at - clock.started_at).total_seconds()
        )
        next_due, state = await case_sla(session=uow.session, case_id=clock.case_id)
        common = {
            "case_id": event.case_id,
            "stage": event.stage,
            "kind": clock.kind,
            "ward_code": clock.ward_code,
            "unit": clock.unit,
            "due_at": clock.due_at or event.completed_at,
            "case_next_due_at": next_due,
            "case_sla_state": state,
        }
        if on_time:
            await publish(
                uow, SlaMetV1(**common, completed_at=event.completed_at), at=event.completed_at
            )
        elif not already_reported:
            await announce(
                uow,
                self._settings,
                SlaBreachedV1(**common, detected_at=event.completed_at),
                at=event.completed_at,
                kind="breached",
            )

    async def _start_anchored(
        self, uow: UnitOfWork, case_id: uuid.UUID, stage: str, at: datetime
    ) -> None:
        """Start the pending clocks that count from `stage` (e.g. handled from acceptance)."""
        table = SlaClock.__table__
        pending = (
            await uow.session.execute(
                sa.select(table).where(
                    table.c.case_id == case_id, table.c.status == "pending", table.c.anchor == stage
                )
            )
        ).all()
        for clock in pending:
            due, warn = self._planner.start(
                kind=clock.kind, priority=clock.priority, stage=clock.stage, start=at
            )
            await uow.session.execute(
                sa.update(table)
                .where(table.c.id == clock.id)
                .values(
                    status="running",
                    started_at=at,
                    due_at=due,
                    warn_points=[w.isoformat() for w in warn],
                    warn_at=warn[0] if warn else None,
                )
            )

    async def on_reopened(
        self, uow: UnitOfWork, event: CaseReopenedV1, envelope: CloudEvent
    ) -> None:
        """A reopened case's handled clock runs again with its original budget (documented)."""
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
                warn_at=None,
                warn_points=[],
                warnings_sent=0,
            )
        )

    async def on_merged(self, uow: UnitOfWork, event: CaseMergedV1, envelope: CloudEvent) -> None:
        """A duplicate case's open clocks stop counting: its tips run on the target's clocks."""
        clock = SlaClock.__table__
        await uow.session.execute(
            sa.update(clock)
            .where(clock.c.case_id == uuid.UUID(event.case_id), clock.c.completed_at.is_(None))
            .values(
                status="cancelled", warn_at=None, outcome="merged", completed_at=event.merged_at
            )
        )

    async def on_clock_changed(
        self, uow: UnitOfWork, event: CaseClockChangedV1, envelope: CloudEvent
    ) -> None:
        """Extend a stage's deadline, or pause / resume every open clock of the case.

        Rules (documented in the README): an extension adds calendar days to a running clock;
        a suspension keeps each running clock's remaining budget; on resumption the clocks run
        again with that budget, except crime cases, which get a fresh one-month budget
        (BLTTHS Đ.149).
        """
        clock = SlaClock.__table__
        c = clock.c
        case_id = uuid.UUID(event.case_id)
        if event.change == "extended":
            affected = sa.and_(c.case_id == case_id, c.stage == event.stage, c.status == "running")
        elif event.change == "suspended":
            affected = sa.and_(c.case_id == case_id, c.status == "running")
        else:
            affected = sa.and_(c.case_id == case_id, c.status == "paused")
        rows = (
            await uow.session.execute(
                sa.select(c.id, c.due_at, c.remaining_seconds).where(affected).with_for_update()
            )
        ).all()
        # Rare officer actions: one update per clock, with the rules in domain/clocks.py.
        for row in rows:
            due = row.due_at  # running clocks have one; None stays None, as in SQL
            if event.change == "extended":
                values = {
                    "due_at": due and extended_due(due, event.days or 0),
                    "extended_days": c.extended_days + (event.days or 0),
                }
            elif event.change == "suspended":
                values = {
                    "status": "paused",
                    "warn_at": None,
                    "due_at": None,
                    "remaining_seconds": due and budget_left(due, event.at).total_seconds(),
                }
            else:
                budget = timedelta(seconds=row.remaining_seconds or 0)
                values = {
                    "status": "running",
                    "remaining_seconds": None,
                    "due_at": resumed_due(kind=event.kind, at=event.at, budget=budget),
                }
            await uow.session.execute(sa.update(clock).where(c.id == row.id).values(**values))

    def table(self) -> dict[type, object]:
        return {
            CaseClockChangedV1: self.on_clock_changed,
            CaseMergedV1: self.on_merged,
            CaseAssignedV1: self.on_case_assigned,
            CaseStageCompletedV1: self.on_stage_completed,
            CaseReopenedV1: self.on_reopened,
        }
