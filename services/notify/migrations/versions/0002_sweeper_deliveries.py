"""Warning points for the sweeper, and the notification deliveries queue.

Revision ID: notify_0002
Revises: notify_0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "notify_0002"
down_revision = "notify_0001"
branch_labels = None
depends_on = None

SCHEMA = "notify"


def upgrade() -> None:
    op.add_column(
        "sla_clocks",
        sa.Column("warn_points", pg.JSONB, nullable=False, server_default="[]"),
        schema=SCHEMA,
    )
    op.add_column(
        "sla_clocks",
        sa.Column("warnings_sent", sa.Integer, nullable=False, server_default="0"),
        schema=SCHEMA,
    )
    op.add_column("sla_clocks", sa.Column("warn_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.add_column("sla_clocks", sa.Column("outcome", sa.Text), schema=SCHEMA)
    op.add_column("sla_clocks", sa.Column("channel", sa.Text), schema=SCHEMA)
    op.add_column("sla_clocks", sa.Column("category", sa.Text), schema=SCHEMA)
    # The sweeper's two questions are range scans on these partial indexes, never a table scan.
    op.create_index(
        "sla_clocks_running_warn_idx",
        "sla_clocks",
        ["warn_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'running' AND warn_at IS NOT NULL"),
    )
    op.create_index("sla_clocks_case_idx", "sla_clocks", ["case_id"], schema=SCHEMA)
    op.create_index(
        "sla_clocks_report_idx", "sla_clocks", ["started_at", "ward_code"], schema=SCHEMA
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("event_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column("payload", pg.JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "target", "event_id", name="deliveries_once_key"),
        sa.CheckConstraint("status IN ('pending','sent','dead')", name="deliveries_status_check"),
        schema=SCHEMA,
    )
    op.create_index(
        "deliveries_due_idx",
        "deliveries",
        ["next_attempt_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("deliveries", schema=SCHEMA)
    for index in ("sla_clocks_report_idx", "sla_clocks_case_idx", "sla_clocks_running_warn_idx"):
        op.drop_index(index, "sla_clocks", schema=SCHEMA)
    for column in ("category", "channel", "outcome", "warn_at", "warnings_sent", "warn_points"):
        op.drop_column("sla_clocks", column, schema=SCHEMA)
