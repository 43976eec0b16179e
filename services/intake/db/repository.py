"""Reads and writes of intake's tables; keyword-only, one statement each where possible."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import Tip, TipStatus


async def add_tip(*, session: AsyncSession, tip: Tip, status: TipStatus) -> None:
    """Insert a tip and its initial status."""
    session.add(tip)
    await session.flush()
    session.add(status)
    await session.flush()


async def get_tip_with_status(
    *, session: AsyncSession, tracking_code: str
) -> tuple[Tip, TipStatus] | None:
    """Return a tip and its status by tracking code."""
    row = (
        await session.execute(
            sa.select(Tip, TipStatus)
            .join(TipStatus, TipStatus.tip_id == Tip.id)
            .where(Tip.tracking_code == tracking_code)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def record_assignment(
    *,
    session: AsyncSession,
    tip_id: uuid.UUID,
    case_id: uuid.UUID,
    unit: str | None,
    ward_code: str | None,
    ward_name: str | None,
    at: datetime,
) -> bool:
    """Record the unit and ward handling a tip; False if the tip is unknown here."""
    entry: dict[str, Any] = {"stage": "assigned", "at": at.isoformat(), "unit": unit}
    result = await session.execute(
        sa.update(TipStatus)
        .where(TipStatus.tip_id == tip_id)
        .values(
            case_id=case_id,
            unit=unit,
            ward_code=ward_code,
            ward_name=ward_name,
            updated_at=at,
            timeline=TipStatus.timeline.op("||")(sa.cast([entry], pg.JSONB)),
        )
        .returning(TipStatus.tip_id)
    )
    return result.first() is not None
