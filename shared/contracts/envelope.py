"""CloudEvents 1.0 envelope (structured JSON mode) carried on every Kafka message."""

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Self

import orjson
from pydantic import BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every versioned event payload.

    Consumers ignore unknown fields so that additive changes never break them;
    a breaking change gets a new class and a new `event_type` version.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str]
    topic: ClassVar[str]

    def partition_key(self) -> str:
        """Return the Kafka key that keeps this event's aggregate in order."""
        raise NotImplementedError

    def subject(self) -> str:
        """Return the CloudEvents subject (the aggregate the event is about)."""
        return self.partition_key()


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event; `data` stays a plain dict until a consumer decodes it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: str = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    datacontenttype: str = "application/json"
    data: dict[str, Any]

    @classmethod
    def wrap(cls, data: EventData, *, source: str, time: datetime | None = None) -> Self:
        """Wrap a payload in a new envelope with a fresh id."""
        return cls(
            source=source,
            type=data.event_type,
            time=time or datetime.now(UTC),
            subject=data.subject(),
            data=data.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        """Serialise for the wire."""
        return orjson.dumps(self.model_dump(mode="json"))

    @classmethod
    def from_bytes(cls, raw: bytes) -> Self:
        """Parse from the wire; raises ValueError on anything that is not an event."""
        return cls.model_validate(orjson.loads(raw))
