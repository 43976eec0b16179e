"""Group commit: many tips per transaction, each caller answered with its own outcome."""

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from services.intake.db import repository
from services.intake.db.tip_writer import TipWriter


@dataclass
class FakeDatabase:
    """Records each transaction's rows; fails the tip ids it is told to, or everything."""

    transactions: list[list[Any]] = field(default_factory=list)
    collide: set[Any] = field(default_factory=set)
    claimed: set[Any] = field(default_factory=set)
    down: bool = False

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator["FakeDatabase"]:
        if self.down:
            raise asyncpg.ConnectionDoesNotExistError("connection was closed")
        yield self

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        yield

    async def fetchmany(self, sql: str, rows: list[Any]) -> list[tuple[int]]:
        assert sql is repository.INSERT_TIP
        if any(row[0] in self.collide for row in rows):
            raise asyncpg.UniqueViolationError("tips_tracking_code_key")
        self.transactions.append([row[0] for row in rows])
        return [(0 if row[0] in self.claimed else 1,) for row in rows]


def _writer(database: FakeDatabase) -> TipWriter:
    async def pool() -> FakeDatabase:
        return database

    return TipWriter(pool)  # type: ignore[arg-type]


async def _insert(writer: TipWriter, tip_id: int) -> bool:
    # The tip id comes first in INSERT_TIP's arguments; the fake needs nothing else.
    blank = {f.name: None for f in dataclasses.fields(repository.NewTip)}
    tip = repository.NewTip(**{**blank, "id": tip_id, "attachments": ()})  # type: ignore[arg-type]
    return await writer.insert(tip=tip, now=None, idempotency=None)  # type: ignore[arg-type]


async def test_tips_that_arrive_together_share_transactions_and_each_gets_its_answer() -> None:
    database = FakeDatabase(claimed={7})
    writer = _writer(database)
    answers = await asyncio.gather(*(_insert(writer, n) for n in range(50)))
    assert answers == [n != 7 for n in range(50)]  # 7's key was claimed before: False
    stored = [tip for transaction in database.transactions for tip in transaction]
    assert sorted(stored) == list(range(50)) and len(set(stored)) == 50  # each once
    assert len(database.transactions) < 10  # far fewer commits than tips


async def test_one_tips_collision_fails_that_tip_alone() -> None:
    database = FakeDatabase(collide={3})
    writer = _writer(database)
    results = await asyncio.gather(*(_insert(writer, n) for n in range(8)), return_exceptions=True)
    assert isinstance(results[3], asyncpg.UniqueViolationError)
    assert [r for n, r in enumerate(results) if n != 3] == [True] * 7
    stored = [tip for transaction in database.transactions for tip in transaction]
    assert sorted(stored) == [0, 1, 2, 4, 5, 6, 7]


async def test_an_outage_fails_every_waiting_tip_and_the_writer_recovers() -> None:
    database = FakeDatabase(down=True)
    writer = _writer(database)
    results = await asyncio.gather(*(_insert(writer, n) for n in range(5)), return_exceptions=True)
    assert all(isinstance(r, asyncpg.ConnectionDoesNotExistError) for r in results)
    database.down = False
    assert await _insert(writer, 99) is True  # writers start again for the next tip
    with pytest.raises(asyncpg.UniqueViolationError):
        database.collide = {100}
        await _insert(writer, 100)


async def test_a_tip_sent_the_moment_the_last_writer_finishes_is_still_written() -> None:
    # The caller answered last resumes before the finished writer's done-callbacks run; a
    # writer still counted then would leave the next tip waiting for nobody.
    database = FakeDatabase()

    async def pool() -> FakeDatabase:
        return database

    writer = TipWriter(pool, writers=1)  # type: ignore[arg-type]

    async def one_after_the_other() -> bool:
        assert await _insert(writer, 1)
        return await _insert(writer, 2)  # called in the very step the first answer arrives

    assert await asyncio.wait_for(one_after_the_other(), timeout=2) is True
    assert database.transactions == [[1], [2]]
