"""Cases, case tips, outbox and inbox.

Revision ID: triage_0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from shared.migration_ops import create_outbox_and_inbox, drop_outbox_and_inbox

revision = "triage_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "triage"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("ward_code", sa.Text),
        sa.Column("ward_name", sa.Text),
        sa.Column("unit", sa.Text),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("priority IN ('urgent','normal')", name="cases_priority_check"),
        sa.CheckConstraint(
            "unit IS NULL OR unit IN ('police','culture_social','health_station','supervisor')",
            name="cases_unit_check",
        ),
        schema=SCHEMA,
    )
    op.create_index("cases_queue_idx", "cases", ["ward_code", "unit", "status"], schema=SCHEMA)
    op.create_table(
        "case_tips",
        sa.Column("tip_id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "case_id", pg.UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.cases.id"), nullable=False
        ),
        sa.Column("tracking_code", sa.Text, nullable=False, unique=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("case_tips_case_id_idx", "case_tips", ["case_id"], schema=SCHEMA)
    create_outbox_and_inbox(SCHEMA)


def downgrade() -> None:
    drop_outbox_and_inbox(SCHEMA)
    op.drop_table("case_tips", schema=SCHEMA)
    op.drop_table("cases", schema=SCHEMA)
