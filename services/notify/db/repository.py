"""Reads of notify's clocks shared by the handlers and the sweeper."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.db.tables import SlaClock


async def case_sla(*, session: AsyncSession, case_id: uuid.UUID) -> tuple[datetime | None, str]:
    """The case's nearest open deadline and its worst current state."""
    clock = SlaClock.__table__.c
    row = (
        await session.execute(
            sa.select(
                sa.func.min(clock.due_at).filter(clock.status == "running"),
                sa.func.bool_or((clock.status == "breached") & clock.completed_at.is_(None)),
                sa.func.bool_or((clock.status == "running") & (clock.warnings_sent > 0)),
            ).where(clock.case_id == case_id)
        )
    ).one()
    state = "breached" if row[1] else "warning" if row[2] else "on_time"
    return row[0], state
