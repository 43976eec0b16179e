"""Classify failures: transient ones are retried, the rest are reported."""

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError
from sqlalchemy import exc as sa_exc

_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    OSError,
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    sa_exc.TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    """Say whether retrying later may succeed (database or broker unreachable)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _TRANSIENT_TYPES):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sa_exc.InterfaceError):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


class RetryLater(Exception):
    """Something this event needs has not arrived yet; retry without dead-lettering."""


_TRANSIENT_TYPES = (*_TRANSIENT_TYPES, RetryLater)
