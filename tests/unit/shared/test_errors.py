"""Which failures are retried (503 to clients) and which are reported."""

import asyncpg

from shared.errors import is_transient


def test_a_connection_broken_mid_operation_is_transient() -> None:
    # Seen when PostgreSQL restarts under the raw asyncpg pool of the tip insert.
    broken = asyncpg.exceptions._base.InternalClientError(
        "cannot switch to state 12; another operation (2) is in progress"
    )
    assert is_transient(broken)
    assert is_transient(asyncpg.InterfaceError("connection is closed"))


def test_a_refused_statement_is_not_transient() -> None:
    assert not is_transient(asyncpg.UniqueViolationError("duplicate key"))
    assert not is_transient(ValueError("bad input"))
