"""Staff users, the case record for officers' queues, case timeline, follow-ups, audit log.

Revision ID: triage_0002
Revises: triage_0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "triage_0002"
down_revision = "triage_0001"
branch_labels = None
depends_on = None

SCHEMA = "triage"
ROLES = "'officer','supervisor','city_monitor','auditor','hotline_operator','admin'"
STATUSES = "'assigned','claimed','verified','classified','handled','transferred','manual_triage'"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("username", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("ward_code", sa.Text),
        sa.Column("unit", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"role IN ({ROLES})", name="users_role_check"),
        schema=SCHEMA,
    )
    op.drop_constraint("cases_unit_check", "cases", schema=SCHEMA)
    op.create_check_constraint(
        "cases_unit_check",
        "cases",
        "unit IS NULL OR unit IN ('police','culture_social','health_station','supervisor')",
        schema=SCHEMA,
    )
    for column in (
        sa.Column("co_handlers", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("confidence", sa.Float, nullable=False, server_default="0"),
        sa.Column("reasons", pg.JSONB, nullable=False, server_default="[]"),
        sa.Column("classification", sa.Text),
        sa.Column("verification", sa.Text),
        sa.Column("handling", sa.Text),
        sa.Column("assignee_id", pg.UUID(as_uuid=True)),
        sa.Column("venue_key", sa.Text),
        sa.Column("next_due_at", sa.DateTime(timezone=True)),
        sa.Column("sla_state", sa.Text, nullable=False, server_default="on_time"),
        sa.Column("stage", sa.Text, nullable=False, server_default="received"),
    ):
        op.add_column("cases", column, schema=SCHEMA)
    op.create_check_constraint(
        "cases_status_check", "cases", f"status IN ({STATUSES})", schema=SCHEMA
    )
    op.drop_index("cases_queue_idx", "cases", schema=SCHEMA)
    # The officers' queue: one ward and unit, open cases, most urgent first.
    op.create_index(
        "cases_queue_idx",
        "cases",
        ["ward_code", "unit", sa.text("(priority = 'urgent') DESC"), "next_due_at", "opened_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status <> 'handled'"),
    )
    op.create_index(
        "cases_venue_idx",
        "cases",
        ["venue_key", "opened_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("venue_key IS NOT NULL"),
    )
    for column in (
        sa.Column("kind", sa.Text),
        sa.Column("channel", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("venue_name", sa.Text),
    ):
        op.add_column("case_tips", column, schema=SCHEMA)
    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "case_id", pg.UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.cases.id"), nullable=False
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor_id", pg.UUID(as_uuid=True)),
        sa.Column("actor_role", sa.Text),
        sa.Column("detail", pg.JSONB, nullable=False, server_default="{}"),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("case_events_case_idx", "case_events", ["case_id", "id"], schema=SCHEMA)
    op.create_table(
        "followups",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("case_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("tip_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("direction", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("in_reply_to", pg.UUID(as_uuid=True)),
        sa.Column("author_id", pg.UUID(as_uuid=True)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("followups_case_idx", "followups", ["case_id", "at"], schema=SCHEMA)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Text, nullable=False),
        sa.Column("actor_role", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("case_id", pg.UUID(as_uuid=True)),
        sa.Column("detail", pg.JSONB, nullable=False, server_default="{}"),
        schema=SCHEMA,
    )
    op.create_index("audit_log_case_idx", "audit_log", ["case_id", "at"], schema=SCHEMA)
    # Append-only: the database itself refuses to change or delete audit rows.
    op.execute(
        f"""
        CREATE FUNCTION "{SCHEMA}".audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only';
        END $$;
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON "{SCHEMA}".audit_log
        FOR EACH ROW EXECUTE FUNCTION "{SCHEMA}".audit_log_append_only();
        """
    )


def downgrade() -> None:
    op.execute(f'DROP TRIGGER IF EXISTS audit_log_no_update ON "{SCHEMA}".audit_log')
    op.execute(f'DROP FUNCTION IF EXISTS "{SCHEMA}".audit_log_append_only()')
    op.drop_table("audit_log", schema=SCHEMA)
    op.drop_table("followups", schema=SCHEMA)
    op.drop_table("case_events", schema=SCHEMA)
    for column in ("kind", "channel", "text", "address", "venue_name"):
        op.drop_column("case_tips", column, schema=SCHEMA)
    op.drop_index("cases_venue_idx", "cases", schema=SCHEMA)
    op.drop_index("cases_queue_idx", "cases", schema=SCHEMA)
    op.drop_constraint("cases_status_check", "cases", schema=SCHEMA)
    for column in (
        "co_handlers",
        "confidence",
        "reasons",
        "classification",
        "verification",
        "handling",
        "assignee_id",
        "venue_key",
        "next_due_at",
        "sla_state",
        "stage",
    ):
        op.drop_column("cases", column, schema=SCHEMA)
    op.create_index("cases_queue_idx", "cases", ["ward_code", "unit", "status"], schema=SCHEMA)
    op.drop_table("users", schema=SCHEMA)
