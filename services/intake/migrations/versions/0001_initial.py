"""Tips, their status read model, outbox and inbox.

Revision ID: intake_0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

from shared.migration_ops import create_outbox_and_inbox, drop_outbox_and_inbox

revision = "intake_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "intake"
KINDS = "'crime_denunciation','crime_report','denunciation','complaint','petition','feedback'"
CHANNELS = "'web','api','hotline','sms','open311'"
STAGES = "'received','verified','classified','handled'"


def upgrade() -> None:
    op.create_table(
        "tips",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("tracking_code", sa.Text, nullable=False, unique=True),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("ward_code", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("venue_name", sa.Text),
        sa.Column("occurred_at", sa.DateTime(timezone=True)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_anonymous", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.CheckConstraint(f"kind IN ({KINDS})", name="tips_kind_check"),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name="tips_channel_check"),
        schema=SCHEMA,
    )
    op.create_index("tips_received_at_idx", "tips", ["received_at"], schema=SCHEMA)
    op.create_table(
        "tip_status",
        sa.Column(
            "tip_id", pg.UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.tips.id"), primary_key=True
        ),
        sa.Column("case_id", pg.UUID(as_uuid=True)),
        sa.Column("stage", sa.Text, nullable=False, server_default="received"),
        sa.Column("unit", sa.Text),
        sa.Column("ward_code", sa.Text),
        sa.Column("ward_name", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timeline", pg.JSONB, nullable=False, server_default="[]"),
        sa.CheckConstraint(f"stage IN ({STAGES})", name="tip_status_stage_check"),
        schema=SCHEMA,
    )
    create_outbox_and_inbox(SCHEMA)


def downgrade() -> None:
    drop_outbox_and_inbox(SCHEMA)
    op.drop_table("tip_status", schema=SCHEMA)
    op.drop_table("tips", schema=SCHEMA)
