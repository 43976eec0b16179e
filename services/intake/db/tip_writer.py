"""Group commit: tips that arrive together are stored in one transaction.

A single-row INSERT + COMMIT costs PostgreSQL a WAL flush and intake a pool checkout, a round
trip and a connection reset per tip; under a burst those, not the work, set the ceiling. Here a
request hands its tip to the writer and waits; the writer stores everything that queued up while
the previous commit was under way in one pipelined transaction (one flush for the batch) and
answers each request only after that commit. Nothing is acknowledged before it is durable, and
a quiet system pays no extra wait: a lone tip is written at once.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

import asyncpg

from services.intake.db import repository
from services.intake.db.repository import IdempotencyClaim, NewTip

log = logging.getLogger(__name__)

Pending = tuple[Sequence[object], "asyncio.Future[bool]"]


class TipWriter:
    """Store tips with their outbox events, many per commit."""

    def __init__(
        self,
        pool_of: Callable[[], Awaitable[asyncpg.Pool]],
        *,
        max_batch: int = 200,
        writers: int = 2,
    ) -> None:
        self._pool_of = pool_of
        self._max_batch = max_batch
        # Two writers keep one transaction filling while the other waits for its flush.
        self._writers = writers
        self._active: set[asyncio.Task[None]] = set()  # held, or the loop may drop them
        self._queue: deque[Pending] = deque()

    async def insert(
        self, *, tip: NewTip, now: datetime, idempotency: IdempotencyClaim | None
    ) -> bool:
        """Store a tip; False when its idempotency key was claimed before (see INSERT_TIP).

        Raises what PostgreSQL raised for this tip (a tracking-code collision, an outage).
        """
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((repository.insert_tip_arguments(tip, now, idempotency), future))
        if len(self._active) < self._writers:
            task = asyncio.get_running_loop().create_task(self._drain())
            self._active.add(task)
            task.add_done_callback(self._active.discard)
        return await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = [
                    self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))
                ]
                await self._write(batch)
        finally:
            # At once, not in the done callback: a tip queued between the empty queue and the
            # callback would find no room for a writer and wait with none coming.
            self._active.discard(asyncio.current_task())  # type: ignore[arg-type]

    async def _write(self, batch: list[Pending]) -> None:
        try:
            pool = await self._pool_of()
            async with pool.acquire() as connection, connection.transaction():
                counts = await connection.fetchmany(
                    repository.INSERT_TIP, [arguments for arguments, _ in batch]
                )
        except (
            asyncpg.IntegrityConstraintViolationError,
            asyncpg.DataError,
            asyncpg.TransactionRollbackError,
        ) as error:
            if len(batch) == 1:
                _settle(batch[0][1], error=error)
                return
            # One tip's problem (a tracking-code collision, two batches claiming the same
            # idempotency keys in crossed order) must not fail the others.
            for pending in batch:
                await self._write([pending])
            return
        except BaseException as error:
            # An outage fails the whole batch: nothing was committed, every caller answers 503.
            for _, future in batch:
                _settle(future, error=error)
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        for (_, future), row in zip(batch, counts, strict=True):
            _settle(future, result=row[0] == 1)


def _settle(
    future: "asyncio.Future[bool]", *, result: bool = False, error: BaseException | None = None
) -> None:
    # A request whose client went away has cancelled its future; its tip is stored all the same.
    if future.done():
        return
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
    elif error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
