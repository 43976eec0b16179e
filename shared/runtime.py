"""What every service runs beside its API: database, Kafka link, outbox relay, consumer."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

import asyncpg
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.db import (
    asyncpg_dsn,
    create_engine,
    inbox_table,
    outbox_table,
    session_factory,
    unit_of_work_factory,
)
from shared.kafka import EventConsumer, Handler, create_producer, ensure_topics
from shared.limits import NulInUrlMiddleware
from shared.outbox import OutboxRelay
from shared.problems import install_problem_handlers
from shared.settings import ServiceSettings
from shared.telemetry import NO_TELEMETRY

log = logging.getLogger(__name__)

_TABLES: dict[str, tuple[sa.Table, sa.Table]] = {}


def messaging_tables(schema: str) -> tuple[sa.Table, sa.Table]:
    """Return (outbox, inbox) of a schema, declared once per process."""
    if schema not in _TABLES:
        _TABLES[schema] = (outbox_table(schema), inbox_table(schema))
    return _TABLES[schema]


class BackgroundWorker(Protocol):
    """A loop the runtime starts and stops with the service."""

    async def run(self) -> None: ...

    async def stop(self) -> None: ...


class ServiceRuntime:
    """Own the engine, producer, relay and consumer of one service process.

    Kafka may be down when the service starts: the API still serves (intake
    keeps accepting tips into its outbox) while a background task keeps trying
    to reach the broker, then starts the relay and the consumer.
    """

    def __init__(
        self,
        *,
        service: str,
        settings: ServiceSettings,
        consumer_topics: tuple[str, ...] = (),
        handlers: Mapping[type, Handler] | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.outbox, self.inbox = messaging_tables(service)
        self.engine: AsyncEngine = create_engine(settings, application_name=f"tinbao-{service}")
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        self.unit_of_work = unit_of_work_factory(
            self.sessions, outbox=self.outbox, inbox=self.inbox, topic_prefix=settings.topic_prefix
        )
        self._consumer_topics = consumer_topics
        self._handlers = dict(handlers or {})
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._workers: list[BackgroundWorker] = []
        self._worker_tasks: list[asyncio.Task[None]] = []
        self.kafka_connected = False
        self._raw_pool: asyncpg.Pool | None = None
        self._raw_pool_lock = asyncio.Lock()

    async def raw_pool(self) -> asyncpg.Pool:
        """A plain asyncpg pool for hot paths where the ORM's CPU cost matters.

        Created on first use, so a service starts even while PostgreSQL is down
        (the error then reaches the caller, which answers 503).
        """
        if self._raw_pool is None:
            async with self._raw_pool_lock:
                if self._raw_pool is None:
                    self._raw_pool = await asyncpg.create_pool(
                        asyncpg_dsn(self.settings.database_url),
                        min_size=1,
                        max_size=self.settings.database_pool_size,
                        timeout=5,
                        command_timeout=30,
                        server_settings={"application_name": f"tinbao-{self.service}-raw"},
                    )
        return self._raw_pool

    def add_worker(self, worker: "BackgroundWorker") -> None:
        """Run a database-side loop (e.g. a sweeper) beside the relay and the consumer."""
        self._workers.append(worker)

    async def start(self) -> None:
        """Start the background work; returns at once."""
        self._task = asyncio.create_task(self._run_kafka_side(), name=f"{self.service}-kafka")
        self._worker_tasks = [asyncio.create_task(w.run()) for w in self._workers]

    async def _run_kafka_side(self) -> None:
        producer = await self._connect_producer()
        if producer is None:
            return
        self.producer = producer
        self.kafka_connected = True
        jobs = []
        if self.settings.run_relay:
            self.relay = OutboxRelay(
                settings=self.settings, schema=self.service, producer=producer, service=self.service
            )
            jobs.append(self.relay.run())
        if self.settings.run_consumer and self._consumer_topics:
            self.consumer = EventConsumer(
                settings=self.settings,
                consumer_name=self.service,
                topics=self._consumer_topics,
                handlers=self._handlers,
                unit_of_work=self.unit_of_work,
                producer=producer,
                service=self.service,
            )
            jobs.append(self.consumer.run())
        await asyncio.gather(*jobs)

    async def _connect_producer(self) -> AIOKafkaProducer | None:
        delay = 0.5
        while not self._stopping.is_set():
            producer = create_producer(self.settings, client_id=f"tinbao-{self.service}")
            try:
                groups = (self.service,) if self._consumer_topics else ()
                await ensure_topics(self.settings, groups=groups)
                await producer.start()
                return producer
            except Exception as error:
                log.warning(
                    "kafka not reachable yet; retrying",
                    extra={"service": self.service, "error": error.__class__.__name__},
                )
                with contextlib.suppress(Exception):
                    await producer.stop()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=delay)
                delay = min(delay * 2, 5.0)
        return None

    async def stop(self) -> None:
        """Drain: finish the current message, commit offsets, flush sends, close."""
        self._stopping.set()
        if self.consumer is not None:
            await self.consumer.stop()
        if self.relay is not None:
            await self.relay.stop()
        for worker in self._workers:
            await worker.stop()
        if self._worker_tasks:
            await asyncio.wait(self._worker_tasks, timeout=15)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=15)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            except Exception:
                log.exception("background work ended with an error")
        if self.producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.producer.stop(), timeout=10)
        await self.engine.dispose()
        if self._raw_pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._raw_pool.close(), timeout=5)

    async def database_ready(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
            return True
        except Exception:
            return False

    def kafka_ready(self) -> bool:
        if not self.kafka_connected:
            return False
        return self.consumer is None or self.consumer.ready


class HasRuntime(Protocol):
    runtime: "ServiceRuntime"


def operations_router(runtime_of: Callable[[], "ServiceRuntime"]) -> APIRouter:
    """Build /healthz, /readyz and /metrics for a service."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database and Kafka reachable")
    async def readyz(response: Response) -> dict[str, object]:
        runtime: ServiceRuntime = runtime_of()
        database = await runtime.database_ready()
        kafka = runtime.kafka_ready()
        if not (database and kafka):
            response.status_code = 503
        return {
            "status": "ready" if database and kafka else "not_ready",
            "database": database,
            "kafka": kafka,
        }

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def attach_operations(app: FastAPI) -> None:
    """Mount the operations endpoints; they read the runtime from app.state."""
    app.include_router(operations_router(lambda: app.state.runtime))


def create_service_app(
    *,
    title: str,
    summary: str,
    build: Callable[[], HasRuntime],
    state_name: str,
    routers: Sequence[APIRouter] = (),
    configure: Callable[[FastAPI], None] | None = None,
) -> FastAPI:
    """Build a service's FastAPI app: problem+json errors, operations endpoints, lifespan.

    `build` makes the service object (it holds `.runtime`) when the app starts, so
    nothing connects at import or construction time.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = build()
        setattr(app.state, state_name, service)
        app.state.runtime = service.runtime
        await service.runtime.start()
        try:
            yield
        finally:
            await service.runtime.stop()

    app = FastAPI(
        title=title,
        summary=summary,
        version="1.0.0",
        lifespan=lifespan,
        telemetry=NO_TELEMETRY,
    )
    install_problem_handlers(app)
    app.add_middleware(NulInUrlMiddleware)
    attach_operations(app)
    for router in routers:
        app.include_router(router)
    if configure is not None:
        configure(app)
    return app
