"""Clocks of a case merged into another are cancelled (they count in no report).

Revision ID: notify_0003
Revises: notify_0002
Create Date: 2026-11-22
"""

from alembic import op

revision = "notify_0003"
down_revision = "notify_0002"
branch_labels = None
depends_on = None

SCHEMA = "notify"


def upgrade() -> None:
    op.drop_constraint("sla_clocks_status_check", "sla_clocks", schema=SCHEMA)
    op.create_check_constraint(
        "sla_clocks_status_check",
        "sla_clocks",
        "status IN ('pending','running','paused','met','breached','cancelled')",
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.execute(f"UPDATE {SCHEMA}.sla_clocks SET status = 'met' WHERE status = 'cancelled'")
    op.drop_constraint("sla_clocks_status_check", "sla_clocks", schema=SCHEMA)
    op.create_check_constraint(
        "sla_clocks_status_check",
        "sla_clocks",
        "status IN ('pending','running','paused','met','breached')",
        schema=SCHEMA,
    )
