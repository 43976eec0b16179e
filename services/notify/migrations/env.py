"""Alembic environment of the notify service (schema "notify")."""

from shared.alembic_env import run

run(schema="notify")
