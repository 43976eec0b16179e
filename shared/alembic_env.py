"""The Alembic environment every service's migrations/env.py delegates to.

Each service keeps its history in its own schema with its own version table,
so the three histories never see each other.
"""

import asyncio

import sqlalchemy as sa
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from shared.settings import ServiceSettings


def _database_url() -> str:
    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        url = ServiceSettings().database_url
    return ServiceSettings(database_url=url).database_url


def run(schema: str) -> None:
    """Run this service's migrations online against its schema."""
    if context.is_offline_mode():
        context.configure(url=_database_url(), version_table_schema=schema, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(schema))


async def _run_online(schema: str) -> None:
    engine = create_async_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            await connection.commit()
            await connection.run_sync(_run_sync, schema)
    finally:
        await engine.dispose()


def _run_sync(connection: sa.Connection, schema: str) -> None:
    context.configure(
        connection=connection,
        version_table_schema=schema,
        include_schemas=True,
        transaction_per_migration=True,
    )
    # Two processes may migrate at once (services starting together): serialise them.
    with context.begin_transaction():
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
        context.run_migrations()
