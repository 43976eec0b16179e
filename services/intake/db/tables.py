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
    # Sealed with AES-GCM (context: the tip id); present only with the tipster's consent.
    contact_sealed: bytes | None = None
    # HMAC of a hotline caller's number: recognises repeat callers, reveals no number.
    caller_hash: str | None = None
    operator_id: str | None = None
    # Opaque id shown by the Open311 facade, unrelated to the tracking code.
    public_id: str = Field(default_factory=lambda: uuid.uuid4().hex)


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


class Attachment(SQLModel, table=True):
    """A photo sent with a tip, sealed at rest."""

    __tablename__ = "attachments"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tip_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.tips.id")
    content_type: str
    size_bytes: int
    sealed: bytes
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class IdempotencyKey(SQLModel, table=True):
    """A client's Idempotency-Key and the answer it got (sealed: it holds the secret)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = {"schema": SCHEMA}

    key_hash: str = Field(primary_key=True)
    request_hash: str
    tip_id: uuid.UUID | None = None
    response_sealed: bytes | None = None
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Message(SQLModel, table=True):
    """The anonymous follow-up conversation between a tipster and the handling unit."""

    __tablename__ = "messages"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    tip_id: uuid.UUID = Field(foreign_key=f"{SCHEMA}.tips.id")
    direction: str
    text: str
    in_reply_to: uuid.UUID | None = None
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    answered: bool = False


class SecretFailures(SQLModel, table=True):
    """Wrong secrets per tracking code (known or not), for the lockout window."""

    __tablename__ = "secret_failures"
    __table_args__ = {"schema": SCHEMA}

    tracking_code: str = Field(primary_key=True)
    failures: int
    window_started_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
