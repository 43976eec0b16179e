"""Database helpers: engines, sessions, the outbox and inbox tables, and migrations."""

import asyncio
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import SQLModel

from shared.settings import ServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
ALEMBIC_INI = REPO_ROOT / "alembic.ini"


def create_engine(settings: ServiceSettings, *, application_name: str) -> AsyncEngine:
    """Create the service's async engine (asyncpg) with a bounded pool."""
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        # No ping per checkout (one more round trip per transaction): a connection broken by
        # a database restart fails its statement, is_transient() calls that a 503 or a retry,
        # and the pool drops it.
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_timeout=10,
        # A failed statement's message would otherwise carry its parameters (tip text, codes)
        # into the logs and the dead-letter reasons.
        hide_parameters=True,
        connect_args={
            "server_settings": {"application_name": application_name},
            "timeout": 5,
            "command_timeout": 30,
        },
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return a session factory whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def asyncpg_dsn(database_url: str) -> str:
    """Turn a SQLAlchemy URL into a plain libpq/asyncpg DSN."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def outbox_table(schema: str) -> sa.Table:
    """Declare the transactional outbox of a service schema.

    A row is written in the same transaction as the effect that raised the
    event, and deleted by the relay once Kafka acknowledged it.
    """
    return sa.Table(
        "outbox",
        SQLModel.metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", pg.UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=schema,
    )


def inbox_table(schema: str) -> sa.Table:
    """Declare the inbox: which consumer already applied which event (idempotency)."""
    return sa.Table(
        "inbox",
        SQLModel.metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column(
            "applied_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=schema,
    )


def outbox_channel(schema: str) -> str:
    """Return the LISTEN/NOTIFY channel that wakes a schema's relay."""
    return f"{schema}_outbox"


@dataclass(frozen=True)
class _MessagingStatements:
    add_event: sa.TextClause
    mark_applied: sa.TextClause


@functools.cache
def _statements(schema: str) -> _MessagingStatements:
    """Outbox and inbox statements of a schema, built once: building them per event cost more
    CPU than running them."""
    return _MessagingStatements(
        # WITH ORDINALITY + ORDER BY: the rows get their ids, hence the relay's order, in the
        # order the events were raised.
        add_event=sa.text(
            f'INSERT INTO "{schema}".outbox (event_id, topic, key, payload) '
            "SELECT event_id, topic, key, payload FROM unnest(CAST(:event_ids AS uuid[]), "
            "CAST(:topics AS text[]), CAST(:keys AS text[]), CAST(:payloads AS bytea[])) "
            "WITH ORDINALITY AS event (event_id, topic, key, payload, raised) ORDER BY raised"
        ),
        mark_applied=sa.text(
            f'INSERT INTO "{schema}".inbox (consumer, event_id) '
            "SELECT :consumer, unnest(CAST(:event_ids AS uuid[])) "
            "ON CONFLICT DO NOTHING RETURNING event_id"
        ),
    )


class UnitOfWork:
    """One transaction: the effect, its outbox rows and the inbox row commit together."""

    def __init__(
        self, session: AsyncSession, *, outbox: sa.Table, inbox: sa.Table, topic_prefix: str = ""
    ) -> None:
        self.session = session
        self._outbox = outbox
        self._inbox = inbox
        self._topic_prefix = topic_prefix
        self._events: list[tuple[str, str, str, bytes]] = []

    async def add_event(self, event_id: str, *, topic: str, key: str, payload: bytes) -> None:
        """Queue an event for the relay, inside this transaction.

        The rows are written together just before the commit (one statement for a whole batch
        of events instead of one round trip each); they commit or roll back with the effect.
        The row keeps the full topic name (with this deployment's prefix), so
        whichever relay publishes it sends it where its writer meant it to go.
        """
        self._events.append((event_id, self._topic_prefix + topic, key, payload))

    async def _write_events(self) -> None:
        if not self._events:
            return
        events, self._events = self._events, []
        await self.session.execute(
            _statements(self._outbox.schema).add_event,
            {
                "event_ids": [e[0] for e in events],
                "topics": [e[1] for e in events],
                "keys": [e[2] for e in events],
                "payloads": [e[3] for e in events],
            },
        )

    async def mark_applied(self, *, consumer: str, event_id: str) -> bool:
        """Record that `consumer` applies `event_id`; False when it already did."""
        return bool(await self.mark_applied_many(consumer=consumer, event_ids=[event_id]))

    async def mark_applied_many(self, *, consumer: str, event_ids: list[str]) -> set[str]:
        """Record that `consumer` applies these events; return those it had not applied yet."""
        result = await self.session.execute(
            _statements(self._inbox.schema).mark_applied,
            {"consumer": consumer, "event_ids": event_ids},
        )
        return {str(row[0]) for row in result}

    async def commit(self) -> None:
        await self._write_events()
        await self.session.commit()

    async def rollback(self) -> None:
        self._events = []
        await self.session.rollback()


def unit_of_work_factory(
    sessions: async_sessionmaker[AsyncSession],
    *,
    outbox: sa.Table,
    inbox: sa.Table,
    topic_prefix: str = "",
):
    """Return an async context manager factory yielding a UnitOfWork that rolls back on error."""

    @asynccontextmanager
    async def unit_of_work() -> AsyncIterator[UnitOfWork]:
        async with sessions() as session:
            uow = UnitOfWork(session, outbox=outbox, inbox=inbox, topic_prefix=topic_prefix)
            try:
                yield uow
            except BaseException:
                await session.rollback()
                raise

    return unit_of_work


def migrate(service: str, database_url: str, revision: str = "head") -> None:
    """Upgrade one service's schema with its own Alembic history (blocking)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI), ini_section=service)
    config.set_main_option("script_location", str(REPO_ROOT / "services" / service / "migrations"))
    config.attributes["database_url"] = database_url
    config.attributes["schema"] = service
    command.upgrade(config, revision)


async def migrate_async(service: str, database_url: str) -> None:
    """Run `migrate` off the event loop (Alembic's env runs its own loop)."""
    await asyncio.to_thread(migrate, service, database_url)
