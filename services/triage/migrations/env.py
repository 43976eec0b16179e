"""Alembic environment of the triage service (schema "triage")."""

from shared.alembic_env import run

run(schema="triage")
