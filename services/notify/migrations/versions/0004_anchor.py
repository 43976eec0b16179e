"""Clocks that start when an earlier stage is done (e.g. handled from acceptance).

Revision ID: notify_0004
Revises: notify_0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_0004"
down_revision = "notify_0003"
branch_labels = None
depends_on = None

SCHEMA = "notify"


def upgrade() -> None:
    op.add_column(
        "sla_clocks",
        sa.Column("anchor", sa.Text, nullable=False, server_default="received"),
        schema=SCHEMA,
    )
    op.alter_column("sla_clocks", "started_at", nullable=True, schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("sla_clocks", "anchor", schema=SCHEMA)
