"""Notify's tables (schema "notify"): one SLA clock per case and stage."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

SCHEMA = "notify"


class SlaClock(SQLModel, table=True):
    """The deadline of one stage of one case, kept in the database so no restart loses it."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "stage", name="sla_clocks_case_stage_key"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    case_id: uuid.UUID
    stage: str
    kind: str
    priority: str
    ward_code: str | None = None
    unit: str | None = None
    status: str = "running"
    started_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    due_at: datetime | None = Field(None, sa_type=sa.DateTime(timezone=True))
    completed_at: datetime | None = Field(None, sa_type=sa.DateTime(timezone=True))
    policy_version: str
    # What starts the clock: the receipt, or an earlier stage's completion ("pending" until then).
    anchor: str = "received"
    # Budget left when the case was suspended (the clock is "paused", due_at empty meanwhile).
    remaining_seconds: float | None = None
    extended_days: int = 0
    # When to warn (ISO times, 50% / 80% of the budget, N days before); the next one in warn_at.
    warn_points: list[str] = Field(default_factory=list, sa_column=sa.Column(pg.JSONB))
    warnings_sent: int = 0
    warn_at: datetime | None = Field(None, sa_type=sa.DateTime(timezone=True))
    outcome: str | None = None
    channel: str | None = None
    category: str | None = None
