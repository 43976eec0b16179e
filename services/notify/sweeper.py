"""The SLA sweeper: finds clocks whose warning or deadline has come, and says so.

Clocks live in the database, so a restart loses none; the first sweep after a start
reports every deadline that passed while notify was down. Rows are claimed with
FOR UPDATE SKIP LOCKED, so several notify replicas share the work without doubling it.
"""

import asyncio
import logging
from datetime import datetime

import sqlalchemy as sa

from services.notify import metrics
from services.notify.config import NotifySettings
from services.notify.db.repository import case_sla
from services.notify.db.tables import SlaClock
from services.notify.handlers import announce
from shared.clock import Clock
from shared.contracts.events import SlaBreachedV1, SlaWarningV1
from shared.periodic import run_every

log = logging.getLogger(__name__)
BATCH = 500


def warning_level(index: int, points: int) -> str:
    """Name a warning: the first two are 50% and 80% of the budget, a third is 'final'."""
    return ("50%", "80%", "final")[min(index, 2)] if points <= 3 else f"warning-{index + 1}"


class SlaSweeper:
    """Publishes sla.events for warnings and breaches that have come due."""

    def __init__(
        self,
        *,
        unit_of_work,
        clock: Clock,
        interval_seconds: float = 5.0,  # type: ignore[no-untyped-def]
        settings: NotifySettings | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._settings = settings
        self._clock = clock
        self._interval = interval_seconds
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        await run_every(
            self._interval,
            lambda: self.sweep(self._clock.now()),
            stopping=self._stopping,
            what="sweep",
            log=log,
        )

    async def stop(self) -> None:
        self._stopping.set()

    async def sweep(self, now: datetime) -> tuple[int, int]:
        """Publish what has come due by `now`; return (warnings, breaches)."""
        warnings = breaches = 0
        while True:
            batch_warnings, batch_breaches = await self._sweep_batch(now)
            warnings += batch_warnings
            breaches += batch_breaches
            if batch_warnings < BATCH and batch_breaches < BATCH:
                break
        metrics.SWEEPS.inc()
        return warnings, breaches

    async def _sweep_batch(self, now: datetime) -> tuple[int, int]:
        table = SlaClock.__table__
        c = table.c
        async with self._unit_of_work() as uow:
            session = uow.session
            oldest = await session.scalar(
                sa.select(sa.func.min(c.due_at)).where(c.status == "running", c.due_at <= now)
            )
            metrics.SWEEPER_LAG.set((now - oldest).total_seconds() if oldest else 0)
            due_breaches = (
                await session.execute(
                    sa.select(table)
                    .where(c.status == "running", c.due_at <= now)
                    .order_by(c.due_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for clock in due_breaches:
                await session.execute(
                    sa.update(table).where(c.id == clock.id).values(status="breached", warn_at=None)
                )
            due_warnings = (
                await session.execute(
                    sa.select(table)
                    .where(c.status == "running", c.warn_at <= now)
                    .order_by(c.warn_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for clock in due_warnings:
                points = [datetime.fromisoformat(p) for p in clock.warn_points]
                # Several points may have passed while notify was down: report the latest only.
                reached = [i for i, p in enumerate(points) if p <= now]
                index = reached[-1] if reached else clock.warnings_sent
                later = [p for p in points if p > now]
                await session.execute(
                    sa.update(table)
                    .where(c.id == clock.id)
                    .values(warnings_sent=index + 1, warn_at=later[0] if later else None)
                )
            for clock in due_breaches:
                await self._announce(uow, clock, now, breached=True)
            for clock in due_warnings:
                points = clock.warn_points
                reached = [i for i, p in enumerate(points) if datetime.fromisoformat(p) <= now]
                await self._announce(
                    uow,
                    clock,
                    now,
                    breached=False,
                    level=warning_level(reached[-1] if reached else 0, len(points)),
                )
            await uow.commit()
        metrics.SLA_EVENTS.labels("breached").inc(len(due_breaches))
        metrics.SLA_EVENTS.labels("warning").inc(len(due_warnings))
        return len(due_warnings), len(due_breaches)

    async def _announce(
        self,
        uow,
        clock,
        now: datetime,
        *,
        breached: bool,  # type: ignore[no-untyped-def]
        level: str = "",
    ) -> None:
        next_due, state = await case_sla(session=uow.session, case_id=clock.case_id)
        common = {
            "case_id": str(clock.case_id),
            "stage": clock.stage,
            "kind": clock.kind,
            "ward_code": clock.ward_code,
            "unit": clock.unit,
            "due_at": clock.due_at,
            "case_next_due_at": next_due,
            "case_sla_state": state,
        }
        if breached:
            await announce(
                uow,
                self._settings,
                SlaBreachedV1(**common, detected_at=now),
                at=now,
                kind="breached",
            )
        else:
            await announce(
                uow, self._settings, SlaWarningV1(**common, level=level), at=now, kind="warning"
            )
