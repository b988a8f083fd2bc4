"""Service tables: API keys, idempotent requests, and the audit log with triggers that make it append-only.

Revision ID: s0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def _create_keys() -> None:
    op.create_table(
        "access_api_key",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("bank_code", sa.String(64), nullable=True),
        sa.Column("counties", sa.JSON(), nullable=False),
        sa.Column("province", sa.String(2), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name="pk_access_api_key"),
    )


def _create_requests() -> None:
    op.create_table(
        "access_request",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key_id", "idempotency_key", name="pk_access_request"),
    )


def _create_audit() -> None:
    op.create_table(
        "audit_record",
        sa.Column("record_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=True),
        sa.Column("fund_id", sa.String(64), nullable=True),
        sa.Column("resource_id", sa.String(128), nullable=True),
        sa.Column("model_version", sa.String(128), nullable=True),
        sa.Column("policy_version", sa.String(64), nullable=True),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(48), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name="pk_audit_record"),
    )
    op.create_index("ix_audit_record_recorded_at", "audit_record", ["recorded_at"])
    op.create_index("ix_audit_record_county_code_recorded_at", "audit_record", ["county_code", "recorded_at"])


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit table % is append-only: % refused (审计日志只允许追加)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'audit table {table} is append-only: {verb} refused'); END"
        )


def upgrade() -> None:
    _create_keys()
    _create_requests()
    _create_audit()
    _append_only("audit_record")


def downgrade() -> None:
    op.drop_table("audit_record")
    op.drop_table("access_request")
    op.drop_table("access_api_key")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")
