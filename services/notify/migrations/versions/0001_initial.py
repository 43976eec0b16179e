"""SLA clocks, outbox and inbox.

Revision ID: notify_0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from shared.migration_ops import create_outbox_and_inbox, drop_outbox_and_inbox

revision = "notify_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "notify"


def upgrade() -> None:
    op.create_table(
        "sla_clocks",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("case_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("ward_code", sa.Text),
        sa.Column("unit", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("policy_version", sa.Text, nullable=False),
        sa.UniqueConstraint("case_id", "stage", name="sla_clocks_case_stage_key"),
        sa.CheckConstraint(
            "stage IN ('received','verified','classified','handled')", name="sla_clocks_stage_check"
        ),
        sa.CheckConstraint(
            "status IN ('pending','running','paused','met','breached')",
            name="sla_clocks_status_check",
        ),
        schema=SCHEMA,
    )
    # The sweeper reads running clocks by due time: a partial index keeps that a range scan.
    op.create_index(
        "sla_clocks_running_due_idx",
        "sla_clocks",
        ["due_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'running'"),
    )
    create_outbox_and_inbox(SCHEMA)


def downgrade() -> None:
    drop_outbox_and_inbox(SCHEMA)
    op.drop_table("sla_clocks", schema=SCHEMA)
