"""Triage's tables (schema "triage"): cases and the tips they hold."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

SCHEMA = "triage"


class Case(SQLModel, table=True):
    """A case: one or more tips about the same matter, handled by one unit of one ward."""

    __tablename__ = "cases"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str
    ward_code: str | None = None
    ward_name: str | None = None
    unit: str | None = None
    priority: str = "normal"
    category: str = "unclassified"
    status: str = "assigned"
    version: int = 1
    opened_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class CaseTip(SQLModel, table=True):
    """A tip's membership in a case; the primary key makes assignment happen once."""

    __tablename__ = "case_tips"
    __table_args__ = {"schema": SCHEMA}

    tip_id: uuid.UUID = Field(primary_key=True)
    case_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.cases.id", index=True)
    tracking_code: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    received_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    assigned_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
