"""Reads and writes of intake's tables; keyword-only, one statement each where possible."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import IdempotencyKey, Message, SecretFailures, Tip, TipStatus


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


async def list_messages(*, session: AsyncSession, tip_id: uuid.UUID) -> list[Message]:
    """Return a tip's conversation, oldest first."""
    result = await session.execute(
        sa.select(Message).where(Message.tip_id == tip_id).order_by(Message.created_at, Message.id)
    )
    return list(result.scalars())


async def count_open_questions(*, session: AsyncSession, tip_id: uuid.UUID) -> int:
    return await session.scalar(
        sa.select(sa.func.count())
        .select_from(Message)
        .where(
            Message.tip_id == tip_id, Message.direction == "to_tipster", Message.answered.is_(False)
        )
    )


async def count_tips_by_caller(*, session: AsyncSession, caller_hash: str) -> int:
    return await session.scalar(
        sa.select(sa.func.count()).select_from(Tip).where(Tip.caller_hash == caller_hash)
    )


async def secret_failures(*, session: AsyncSession, tracking_code: str) -> SecretFailures | None:
    return await session.get(SecretFailures, tracking_code)


async def record_secret_failure(
    *, session: AsyncSession, tracking_code: str, now: datetime, window_start_before: datetime
) -> None:
    """Count a wrong secret; a window older than `window_start_before` starts again at 1."""
    table = SecretFailures.__table__
    statement = pg.insert(table).values(
        tracking_code=tracking_code, failures=1, window_started_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.tracking_code],
            set_={
                "failures": sa.case(
                    (table.c.window_started_at < window_start_before, 1),
                    else_=table.c.failures + 1,
                ),
                "window_started_at": sa.case(
                    (table.c.window_started_at < window_start_before, now),
                    else_=table.c.window_started_at,
                ),
            },
        )
    )


async def claim_idempotency_key(
    *, session: AsyncSession, key_hash: str, request_hash: str, now: datetime
) -> IdempotencyKey | None:
    """Claim a key for this request; return the earlier record when it was claimed before.

    A concurrent claim of the same key waits on the unique index until the first
    transaction ends, so exactly one request creates the tip.
    """
    table = IdempotencyKey.__table__
    inserted = await session.execute(
        pg.insert(table)
        .values(key_hash=key_hash, request_hash=request_hash, created_at=now)
        .on_conflict_do_nothing()
        .returning(table.c.key_hash)
    )
    if inserted.first() is not None:
        return None
    return (
        await session.execute(sa.select(IdempotencyKey).where(IdempotencyKey.key_hash == key_hash))
    ).scalar_one()


async def store_idempotent_answer(
    *, session: AsyncSession, key_hash: str, tip_id: uuid.UUID, response_sealed: bytes
) -> None:
    await session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.key_hash == key_hash)
        .values(tip_id=tip_id, response_sealed=response_sealed)
    )


async def find_public_requests(
    *,
    session: AsyncSession,
    public_ids: list[str] | None,
    kinds: list[str] | None,
    start: datetime,
    end: datetime,
    closed: bool | None,
    limit: int,
) -> list[tuple[Tip, TipStatus]]:
    """Tips for the Open311 listing (the caller exposes only safe fields)."""
    query = sa.select(Tip, TipStatus).join(TipStatus, TipStatus.tip_id == Tip.id)
    if public_ids:
        query = query.where(Tip.public_id.in_(public_ids))
    else:
        query = query.where(Tip.received_at >= start, Tip.received_at <= end)
    if kinds:
        query = query.where(Tip.kind.in_(kinds))
    if closed is not None:
        query = query.where((TipStatus.stage == "handled") == closed)
    rows = await session.execute(query.order_by(Tip.received_at.desc()).limit(limit))
    return [(row[0], row[1]) for row in rows]


STAGE_ORDER = ("received", "verified", "classified", "handled")


async def record_progress(
    *,
    session: AsyncSession,
    tip_ids: list[uuid.UUID],
    entry: dict[str, Any],
    at: datetime,
    stage: str | None = None,
    stage_floor: bool = True,
    unit: str | None = None,
    ward_code: str | None = None,
    ward_name: str | None = None,
) -> None:
    """Append a public timeline entry to tips and move their stage (never backwards unless
    `stage_floor` is False, as when a case reopens)."""
    values: dict[str, Any] = {
        "updated_at": at,
        "timeline": TipStatus.timeline.op("||")(sa.cast([entry], pg.JSONB)),
    }
    if stage is not None:
        if stage_floor:
            rank = sa.case({s: i for i, s in enumerate(STAGE_ORDER)}, value=TipStatus.stage)
            values["stage"] = sa.case(
                (rank < STAGE_ORDER.index(stage), stage), else_=TipStatus.stage
            )
        else:
            values["stage"] = stage
    if unit is not None:
        values["unit"] = unit
    if ward_code is not None:
        values["ward_code"], values["ward_name"] = ward_code, ward_name
    await session.execute(
        sa.update(TipStatus).where(TipStatus.tip_id.in_(tip_ids)).values(**values)
    )
