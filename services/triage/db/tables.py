"""Triage's tables (schema "triage"): cases, their tips and timeline, staff, audit log."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
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
    co_handlers: list[str] = Field(default_factory=list, sa_column=sa.Column(pg.ARRAY(sa.Text)))
    priority: str = "normal"
    category: str = "unclassified"
    confidence: float = 0.0
    reasons: list[str] = Field(default_factory=list, sa_column=sa.Column(pg.JSONB))
    status: str = "assigned"
    stage: str = "received"
    classification: str | None = None
    verification: str | None = None
    handling: str | None = None
    assignee_id: uuid.UUID | None = None
    venue_key: str | None = None
    next_due_at: datetime | None = Field(None, sa_type=sa.DateTime(timezone=True))
    sla_state: str = "on_time"
    merged_into: uuid.UUID | None = None
    # The status to return to when a suspended case resumes.
    resume_status: str | None = None
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
    kind: str | None = None
    channel: str | None = None
    text: str | None = None
    address: str | None = None
    venue_name: str | None = None


class CaseEvent(SQLModel, table=True):
    """One entry of a case's timeline; the version it produced."""

    __tablename__ = "case_events"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    case_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.cases.id")
    version: int
    action: str
    actor_id: uuid.UUID | None = None
    actor_role: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(pg.JSONB))
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class FollowUp(SQLModel, table=True):
    """A question to a tipster or a tipster's message, as officers see the conversation."""

    __tablename__ = "followups"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    case_id: uuid.UUID
    tip_id: uuid.UUID
    direction: str
    text: str
    in_reply_to: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class User(SQLModel, table=True):
    """A staff member: role and scope (ward, unit) decide what they may see and do."""

    __tablename__ = "users"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(sa_column=sa.Column(sa.Text, nullable=False, unique=True))
    password_hash: str
    full_name: str
    role: str
    ward_code: str | None = None
    unit: str | None = None
    active: bool = True
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class AuditEntry(SQLModel, table=True):
    """Append-only record of every read of personal data and every change."""

    __tablename__ = "audit_log"
    __table_args__ = {"schema": SCHEMA}

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    actor_id: str
    actor_role: str
    action: str
    case_id: uuid.UUID | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(pg.JSONB))
