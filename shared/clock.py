"""Injectable time: real in services, fixed or stepped in tests."""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
