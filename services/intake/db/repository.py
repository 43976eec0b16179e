"""Reads and writes of intake's tables; keyword-only, one statement each where possible."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.db.tables import Message, SecretFailures, Tip, TipStatus


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


# Prebuilt: an ORM update with its synchronisation cost more CPU than the statement itself,
# and this runs once per tip.
_RECORD_ASSIGNMENT = sa.text(
    "UPDATE intake.tip_status SET case_id = :case_id, unit = :unit, ward_code = :ward_code, "
    "ward_name = :ward_name, updated_at = :at, timeline = timeline || CAST(:entry AS jsonb) "
    "WHERE tip_id = :tip_id RETURNING tip_id"
)


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
        _RECORD_ASSIGNMENT,
        {
            "tip_id": tip_id,
            "case_id": case_id,
            "unit": unit,
            "ward_code": ward_code,
            "ward_name": ward_name,
            "at": at,
            "entry": orjson.dumps([entry]).decode(),
        },
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


@dataclass(frozen=True, slots=True)
class NewTip:
    """Everything stored when a tip arrives: the row, its first status, photos, its event."""

    id: uuid.UUID
    tracking_code: str
    secret_hash: str
    kind: str
    channel: str
    text: str
    address: str | None
    ward_code: str | None
    latitude: float | None
    longitude: float | None
    venue_name: str | None
    occurred_at: datetime | None
    received_at: datetime
    contact_sealed: bytes | None
    caller_hash: str | None
    operator_id: str | None
    timeline_json: str
    # (content type, size in bytes, sealed bytes)
    attachments: tuple[tuple[str, int, bytes], ...]
    event_id: str
    event_topic: str
    event_key: str
    event_payload: bytes


@dataclass(frozen=True, slots=True)
class IdempotencyClaim:
    """The Idempotency-Key of a request and the answer stored with it."""

    key_hash: str
    request_hash: str
    response_sealed: bytes


# One statement, hence one round trip and one transaction: claim the idempotency key, insert
# the tip, its status, its photos and its outbox event. A key claimed before makes every
# insert select from an empty `go`, so nothing is written and the caller replays the answer.
# A concurrent claim of the same key waits on the unique index until the first commits.
# (The ORM did the same in seven round trips and spent most of intake's CPU doing it.)
INSERT_TIP = """
WITH claim AS (
    INSERT INTO intake.idempotency_keys (key_hash, request_hash, tip_id, response_sealed,
                                         created_at)
    SELECT $19::text, $20::text, $1, $21::bytea, $13 WHERE $19::text IS NOT NULL
    ON CONFLICT (key_hash) DO NOTHING
    RETURNING key_hash
), go AS (
    SELECT 1 AS ok WHERE $19::text IS NULL OR EXISTS (SELECT 1 FROM claim)
), tip AS (
    INSERT INTO intake.tips (id, tracking_code, secret_hash, kind, channel, text, address,
                             ward_code, latitude, longitude, venue_name, occurred_at,
                             received_at, is_anonymous, contact_sealed, caller_hash, operator_id,
                             public_id)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15::bytea IS NULL, $15,
           $16, $17, replace(gen_random_uuid()::text, '-', '')
    FROM go
    RETURNING id
), status AS (
    INSERT INTO intake.tip_status (tip_id, stage, updated_at, timeline)
    SELECT id, 'received', $13, $18::jsonb FROM tip
), photos AS (
    INSERT INTO intake.attachments (id, tip_id, content_type, size_bytes, sealed, created_at)
    SELECT gen_random_uuid(), tip.id, photo.content_type, photo.size_bytes, photo.sealed, $13
    FROM tip, unnest($22::text[], $23::int[], $24::bytea[])
         AS photo (content_type, size_bytes, sealed)
), event AS (
    INSERT INTO intake.outbox (event_id, topic, key, payload)
    SELECT $25::uuid, $26, $27, $28 FROM tip
)
SELECT count(*) FROM tip
"""


def insert_tip_arguments(
    tip: NewTip, now: datetime, idempotency: IdempotencyClaim | None
) -> tuple[object, ...]:
    """The parameters of INSERT_TIP for one tip."""
    return (
        tip.id,
        tip.tracking_code,
        tip.secret_hash,
        tip.kind,
        tip.channel,
        tip.text,
        tip.address,
        tip.ward_code,
        tip.latitude,
        tip.longitude,
        tip.venue_name,
        tip.occurred_at,
        now,
        tip.received_at,
        tip.contact_sealed,
        tip.caller_hash,
        tip.operator_id,
        tip.timeline_json,
        idempotency.key_hash if idempotency else None,
        idempotency.request_hash if idempotency else None,
        idempotency.response_sealed if idempotency else None,
        [a[0] for a in tip.attachments],
        [a[1] for a in tip.attachments],
        [a[2] for a in tip.attachments],
        tip.event_id,
        tip.event_topic,
        tip.event_key,
        tip.event_payload,
    )


async def earlier_idempotency_claim(
    *, connection: asyncpg.Connection, key_hash: str
) -> IdempotencyClaim | None:
    """The request and answer stored under a key (None if it vanished since)."""
    row = await connection.fetchrow(
        "SELECT request_hash, response_sealed FROM intake.idempotency_keys WHERE key_hash = $1",
        key_hash,
    )
    if row is None or row["response_sealed"] is None:
        return None
    return IdempotencyClaim(key_hash, row["request_hash"], row["response_sealed"])


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
