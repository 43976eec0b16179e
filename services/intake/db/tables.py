"""Intake's tables (schema "intake")."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlmodel import Field, SQLModel

SCHEMA = "intake"


class Tip(SQLModel, table=True):
    """A registered tip (tiếp nhận). No IP address or user agent is ever stored."""

    __tablename__ = "tips"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tracking_code: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    secret_hash: str
    kind: str
    channel: str
    text: str
    address: str | None = None
    ward_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    venue_name: str | None = None
    occurred_at: datetime | None = Field(None, sa_type=sa.DateTime(timezone=True))
    received_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    is_anonymous: bool = True


class TipStatus(SQLModel, table=True):
    """Status read model fed by cases.events: what the tipster may see."""

    __tablename__ = "tip_status"
    __table_args__ = {"schema": SCHEMA}

    tip_id: uuid.UUID = Field(primary_key=True, foreign_key=f"{SCHEMA}.tips.id")
    case_id: uuid.UUID | None = None
    stage: str = "received"
    unit: str | None = None
    ward_code: str | None = None
    ward_name: str | None = None
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    timeline: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=sa.Column(pg.JSONB, nullable=False)
    )
