"""Suspended cases (tạm đình chỉ) remember the status they resume to.

Revision ID: triage_0004
Revises: triage_0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "triage_0004"
down_revision = "triage_0003"
branch_labels = None
depends_on = None

SCHEMA = "triage"
BEFORE = (
    "'assigned','claimed','verified','classified','handled','transferred','manual_triage','merged'"
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("resume_status", sa.Text), schema=SCHEMA)
    op.drop_constraint("cases_status_check", "cases", schema=SCHEMA)
    op.create_check_constraint(
        "cases_status_check", "cases", f"status IN ({BEFORE},'suspended')", schema=SCHEMA
    )


def downgrade() -> None:
    op.execute(
        f"UPDATE {SCHEMA}.cases SET status = coalesce(resume_status, 'assigned') "
        "WHERE status = 'suspended'"
    )
    op.drop_constraint("cases_status_check", "cases", schema=SCHEMA)
    op.create_check_constraint(
        "cases_status_check", "cases", f"status IN ({BEFORE})", schema=SCHEMA
    )
    op.drop_column("cases", "resume_status", schema=SCHEMA)
