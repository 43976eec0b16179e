"""Refresh the SLA gauges from the clocks table (one grouped query every few seconds)."""

import asyncio
import logging

import sqlalchemy as sa

from services.notify import metrics
from services.notify.db.tables import SlaClock
from shared.periodic import run_every

log = logging.getLogger(__name__)


async def sla_figures(session) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Open, due, met and breached stage clocks per ward, unit, kind and stage."""
    c = SlaClock.__table__.c
    rows = await session.execute(
        sa.select(
            sa.func.coalesce(c.ward_code, "unknown").label("ward"),
            sa.func.coalesce(c.unit, "none").label("unit"),
            c.kind,
            c.stage,
            sa.func.count().filter(c.status == "running").label("open"),
            sa.func.count().filter(c.status == "met").label("met"),
            sa.func.count().filter(c.status == "breached").label("breached"),
        )
        .where(c.status != "cancelled")
        .group_by("ward", "unit", c.kind, c.stage)
    )
    return [dict(row._mapping) for row in rows]


class SlaMetricsRefresher:
    """Keeps the per-scope SLA gauges current for /metrics."""

    def __init__(self, *, sessions, interval_seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
        self._sessions = sessions
        self._interval = interval_seconds
        self._stopping = asyncio.Event()

    async def refresh(self) -> None:
        async with self._sessions() as session:
            figures = await sla_figures(session)
        for gauge in (
            metrics.SLA_OPEN,
            metrics.SLA_DUE,
            metrics.SLA_MET,
            metrics.SLA_BREACHED,
            metrics.SLA_COMPLIANCE,
        ):
            gauge.clear()
        for row in figures:
            labels = (row["ward"], row["unit"], row["kind"], row["stage"])
            due = row["met"] + row["breached"]
            metrics.SLA_OPEN.labels(*labels).set(row["open"])
            metrics.SLA_DUE.labels(*labels).set(due)
            metrics.SLA_MET.labels(*labels).set(row["met"])
            metrics.SLA_BREACHED.labels(*labels).set(row["breached"])
            metrics.SLA_COMPLIANCE.labels(*labels).set(row["met"] / due if due else 1.0)

    async def run(self) -> None:
        await run_every(
            self._interval,
            self.refresh,
            stopping=self._stopping,
            what="SLA metrics refresh",
            log=log,
        )

    async def stop(self) -> None:
        self._stopping.set()
