"""Alembic environment of the intake service (schema "intake")."""

from shared.alembic_env import run

run(schema="intake")
