"""Cases merged into another keep their row with status 'merged' and a pointer.

Revision ID: triage_0003
Revises: triage_0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "triage_0003"
down_revision = "triage_0002"
branch_labels = None
depends_on = None

SCHEMA = "triage"


def upgrade() -> None:
    op.add_column("cases", sa.Column("merged_into", pg.UUID(as_uuid=True)), schema=SCHEMA)
    op.drop_constraint("cases_status_check", "cases", schema=SCHEMA)
    op.create_check_constraint(
        "cases_status_check",
        "cases",
        "status IN ('assigned','claimed','verified','classified','handled','transferred',"
        "'manual_triage','merged')",
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_constraint("cases_status_check", "cases", schema=SCHEMA)
    op.create_check_constraint(
        "cases_status_check",
        "cases",
        "status IN ('assigned','claimed','verified','classified','handled','transferred',"
        "'manual_triage')",
        schema=SCHEMA,
    )
    op.drop_column("cases", "merged_into", schema=SCHEMA)
