"""A suspended case's clocks pause and keep the budget they had left.

Revision ID: notify_0005
Revises: notify_0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "notify_0005"
down_revision = "notify_0004"
branch_labels = None
depends_on = None

SCHEMA = "notify"


def upgrade() -> None:
    op.add_column("sla_clocks", sa.Column("remaining_seconds", sa.Float), schema=SCHEMA)
    op.add_column(
        "sla_clocks",
        sa.Column("extended_days", sa.Integer, nullable=False, server_default="0"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("sla_clocks", "extended_days", schema=SCHEMA)
    op.drop_column("sla_clocks", "remaining_seconds", schema=SCHEMA)
