"""Session-wide fixtures: the real PostgreSQL and Kafka, unique names per test."""

import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from tests.support.infra import Infra, start_infra, stop_infra


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    """Start PostgreSQL and Kafka once for the session; fail loudly if they cannot start."""
    started = start_infra(tmp_path_factory.mktemp("infra"))
    try:
        yield started
    finally:
        stop_infra(started)


@pytest.fixture
def topic_prefix() -> str:
    """A unique prefix: this test's topics and consumer groups are its own."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture(scope="session")
async def db(infra: Infra) -> AsyncIterator[asyncpg.Pool]:
    """A pool for reading the services' tables in assertions."""
    pool = await asyncpg.create_pool(infra.dsn, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()
