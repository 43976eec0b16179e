"""Contact and attachments (encrypted), hotline fields, idempotency keys, follow-up messages,
wrong-secret counters and the Open311 public id.

Revision ID: intake_0002
Revises: intake_0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None

SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("tips", sa.Column("contact_sealed", sa.LargeBinary), schema=SCHEMA)
    op.add_column("tips", sa.Column("caller_hash", sa.Text), schema=SCHEMA)
    op.add_column("tips", sa.Column("operator_id", sa.Text), schema=SCHEMA)
    op.add_column("tips", sa.Column("public_id", sa.Text), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.tips SET public_id = replace(id::text, '-', '')")
    op.alter_column("tips", "public_id", nullable=False, schema=SCHEMA)
    op.create_unique_constraint("tips_public_id_key", "tips", ["public_id"], schema=SCHEMA)
    op.create_index(
        "tips_caller_hash_idx",
        "tips",
        ["caller_hash"],
        schema=SCHEMA,
        postgresql_where=sa.text("caller_hash IS NOT NULL"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "tip_id",
            pg.UUID(as_uuid=True),
            sa.ForeignKey(f"{SCHEMA}.tips.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key_hash", sa.Text, primary_key=True),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("tip_id", pg.UUID(as_uuid=True)),
        sa.Column("response_sealed", sa.LargeBinary),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "idempotency_keys_created_at_idx", "idempotency_keys", ["created_at"], schema=SCHEMA
    )
    op.create_table(
        "messages",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "tip_id", pg.UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.tips.id"), nullable=False
        ),
        sa.Column("direction", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("in_reply_to", pg.UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.CheckConstraint(
            "direction IN ('to_tipster','from_tipster')", name="messages_direction_check"
        ),
        schema=SCHEMA,
    )
    op.create_index("messages_tip_idx", "messages", ["tip_id", "created_at"], schema=SCHEMA)
    op.create_table(
        "secret_failures",
        sa.Column("tracking_code", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("secret_failures", schema=SCHEMA)
    op.drop_table("messages", schema=SCHEMA)
    op.drop_table("idempotency_keys", schema=SCHEMA)
    op.drop_table("attachments", schema=SCHEMA)
    op.drop_index("tips_caller_hash_idx", "tips", schema=SCHEMA)
    op.drop_constraint("tips_public_id_key", "tips", schema=SCHEMA)
    for column in ("public_id", "operator_id", "caller_hash", "contact_sealed"):
        op.drop_column("tips", column, schema=SCHEMA)
