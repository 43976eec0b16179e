"""The outbox relay: publishes committed events to Kafka, in order, at least once."""

import asyncio
import contextlib
import logging
import time

import asyncpg
from aiokafka import AIOKafkaProducer

from shared import metrics
from shared.db import asyncpg_dsn, outbox_channel
from shared.errors import is_transient
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


class OutboxRelay:
    """Claim outbox rows with FOR UPDATE SKIP LOCKED, publish them, delete them.

    Sends are issued one after another in id order, so events of one key keep
    their order (idempotent producer); the rows are deleted only after every
    send of the batch was acknowledged. A crash between the acknowledgement
    and the delete republishes the batch: consumers' inboxes absorb that.
    Wakes on LISTEN/NOTIFY, with a poll as a fallback.
    """

    def __init__(
        self, *, settings: ServiceSettings, schema: str, producer: AIOKafkaProducer, service: str
    ) -> None:
        self._settings = settings
        self._schema = schema
        self._producer = producer
        self._service = service
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._pool: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._claim_sql = (
            f'SELECT id, topic, key, payload FROM "{schema}".outbox '
            "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED"
        )
        self._delete_sql = f'DELETE FROM "{schema}".outbox WHERE id = ANY($1::bigint[])'
        self._count_sql = f'SELECT count(*) FROM "{schema}".outbox'

    async def run(self) -> None:
        """Relay until `stop()`; survives database and broker outages."""
        # The backlog is counted beside the relay, not between its batches: while Kafka is
        # down a send can wait for the broker indefinitely, and the gauge must keep rising.
        watcher = asyncio.create_task(self._watch_backlog())
        try:
            await self._relay()
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await self._close_connections()

    async def _relay(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._ensure_connections()
                published = await self.publish_batch()
                if published < self._settings.relay_batch_size:
                    await self._wait_for_work()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                level = logging.WARNING if is_transient(error) else logging.ERROR
                log.log(
                    level,
                    "outbox relay failed; retrying",
                    exc_info=level == logging.ERROR,
                    extra={"service": self._service, "error": error.__class__.__name__},
                )
                await self._close_connections()
                await self._sleep(1.0)

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def publish_batch(self) -> int:
        """Publish up to one batch; return how many events went out."""
        assert self._pool is not None
        started = time.perf_counter()
        async with self._pool.acquire() as connection, connection.transaction():
            rows = await connection.fetch(self._claim_sql, self._settings.relay_batch_size)
            if not rows:
                return 0
            deliveries = []
            for row in rows:
                deliveries.append(
                    await self._producer.send(row["topic"], row["payload"], key=row["key"].encode())
                )
            await asyncio.gather(*deliveries)
            await connection.execute(self._delete_sql, [row["id"] for row in rows])
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        metrics.RELAY_BATCH_SECONDS.labels(self._service).observe(time.perf_counter() - started)
        return len(rows)

    async def _ensure_connections(self) -> None:
        dsn = asyncpg_dsn(self._settings.database_url)
        if self._pool is None:
            self._pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2, timeout=5)
        if self._listener is None or self._listener.is_closed():
            self._listener = await asyncpg.connect(dsn, timeout=5)
            await self._listener.add_listener(outbox_channel(self._schema), self._on_notify)

    def _on_notify(self, *_args: object) -> None:
        self._wake.set()

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._settings.relay_poll_seconds)
        self._wake.clear()

    async def _watch_backlog(self) -> None:
        while not self._stopping.is_set():
            pool = self._pool
            if pool is not None:
                with contextlib.suppress(Exception):  # an outage: the relay reports it
                    backlog = await pool.fetchval(self._count_sql)
                    metrics.OUTBOX_BACKLOG.labels(self._service).set(backlog)
            await self._sleep(1.0)

    async def _close_connections(self) -> None:
        listener, self._listener = self._listener, None
        pool, self._pool = self._pool, None
        if listener is not None:
            try:
                await asyncio.wait_for(listener.close(), timeout=2)
            except Exception:
                listener.terminate()
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=2)
            except Exception:
                pool.terminate()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
