"""Classify failures: transient ones are retried, the rest are reported."""

import re

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
    # A connection left mid-operation when the server went away (raw asyncpg paths);
    # SQLAlchemy reports the same as InterfaceError, also transient below.
    asyncpg.InterfaceError,
    asyncpg.exceptions._base.InternalClientError,
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


# Database errors quote data: asyncpg the value it could not encode ("invalid input for query
# argument $2: 'Tin báo …' (expected str, got int)"), PostgreSQL the text it could not read
# ('invalid input syntax for type integer: "…"') and, in DETAIL, the key or the whole failing
# row (tip text included). SQLAlchemy's hide_parameters reaches none of these, so wherever an
# error is written down the rest of such a line is hidden; the statement and the constraint
# names stay, for whoever debugs.
_QUOTED_DATA = re.compile(
    r"(query argument \$\d+[^:\n]*:"
    r"|invalid input (?:syntax|value) for [^:\n]*:"
    r"|malformed [^:\n]*literal:"
    r"|DETAIL:)[^\n]*"
)


def without_query_values(text: str) -> str:
    """Return an error text with the data a database error quotes hidden."""
    return _QUOTED_DATA.sub(r"\1 <value hidden>", text)


def describe_failure(error: BaseException) -> str:
    """One line for a dead-letter reason: the error's type and message, values hidden."""
    return without_query_values(f"{error.__class__.__name__}: {error}")[:500]
