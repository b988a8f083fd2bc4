"""Initial ledger schema: funds, policies, the journal (transactions, postings, commands), caches, and the
triggers that make the journal append-only (PostgreSQL and SQLite alike).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JOURNAL_TABLES = ("ledger_fund", "ledger_policy", "ledger_transaction", "ledger_posting", "ledger_command")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FEN = sa.BigInteger()


def _recorded() -> list[sa.Column]:
    return [
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
    ]


def _fund_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["fund_id"], ["ledger_fund.fund_id"], name=f"fk_{table}_fund_id_ledger_fund")


def _create_fund() -> None:
    op.create_table(
        "ledger_fund",
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("county_code", sa.String(12), nullable=False),
        sa.Column("bank_code", sa.String(64), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("fund_id", name="pk_ledger_fund"),
    )
    op.create_index("ix_ledger_fund_county_code", "ledger_fund", ["county_code"])


def _create_policy() -> None:
    op.create_table(
        "ledger_policy",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        *_recorded(),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("floor_multiple_bps", sa.Integer(), nullable=False),
        sa.Column("cap_multiple_bps", sa.Integer(), nullable=True),
        sa.Column("fund_share_bps", sa.Integer(), nullable=False),
        sa.Column("trigger_days", sa.Integer(), nullable=False),
        sa.Column("payment_deadline_days", sa.Integer(), nullable=False),
        sa.Column("npl_suspension_bps", sa.Integer(), nullable=False),
        sa.Column("household_min_share_bps", sa.Integer(), nullable=False),
        sa.Column("subsidy_rate_bps", sa.Integer(), nullable=False),
        sa.Column("lending_suspended", sa.Boolean(), nullable=False),
        _fund_fk("ledger_policy"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_policy"),
    )
    op.create_index("ix_ledger_policy_fund_id_effective_from", "ledger_policy", ["fund_id", "effective_from"])


def _create_transaction() -> None:
    op.create_table(
        "ledger_transaction",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        *_recorded(),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("loan_id", sa.String(64), nullable=True),
        sa.Column("reverses_id", ID, nullable=True),
        sa.Column("amount_fen", FEN, nullable=True),
        sa.Column("days_past_due", sa.Integer(), nullable=True),
        sa.Column("maturity_date", sa.Date(), nullable=True),
        sa.Column("product", sa.String(16), nullable=True),
        sa.Column("borrower_ref", sa.String(64), nullable=True),
        sa.Column("share_bps", sa.Integer(), nullable=True),
        _fund_fk("ledger_transaction"),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["ledger_transaction.id"], name="fk_ledger_transaction_reverses_id_ledger_transaction"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_transaction"),
        sa.UniqueConstraint("reverses_id", name="uq_ledger_transaction_reverses_id"),
    )
    op.create_index(
        "ix_ledger_transaction_fund_id_idempotency_key", "ledger_transaction", ["fund_id", "idempotency_key"]
    )
    op.create_index("ix_ledger_transaction_fund_id_loan_id_id", "ledger_transaction", ["fund_id", "loan_id", "id"])


def _create_posting() -> None:
    op.create_table(
        "ledger_posting",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("transaction_id", ID, nullable=False),
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("loan_id", sa.String(64), nullable=True),
        sa.Column("account", sa.String(32), nullable=False),
        sa.Column("product", sa.String(16), nullable=True),
        sa.Column("overdue_since", sa.Date(), nullable=True),
        sa.Column("amount_fen", FEN, nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"], ["ledger_transaction.id"], name="fk_ledger_posting_transaction_id_ledger_transaction"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_posting"),
    )
    op.create_index(
        "ix_ledger_posting_fund_id_account_overdue_since", "ledger_posting", ["fund_id", "account", "overdue_since"]
    )
    op.create_index("ix_ledger_posting_transaction_id", "ledger_posting", ["transaction_id"])


def _create_command() -> None:
    op.create_table(
        "ledger_command",
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("fund_id", "idempotency_key", name="pk_ledger_command"),
    )


def _create_caches() -> None:
    op.create_table(
        "ledger_fund_book",
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("fund_balance_fen", FEN, nullable=False),
        sa.Column("covered_fumin_fen", FEN, nullable=False),
        sa.Column("covered_qiangnong_fen", FEN, nullable=False),
        sa.Column("overdue_fen", FEN, nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fund_fk("ledger_fund_book"),
        sa.PrimaryKeyConstraint("fund_id", name="pk_ledger_fund_book"),
    )
    amounts = ("current", "overdue", "compensated", "recovered", "written_off", "claimed", "paid")
    op.create_table(
        "ledger_loan",
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("loan_id", sa.String(64), nullable=False),
        sa.Column("product", sa.String(16), nullable=False),
        sa.Column("borrower_ref", sa.String(64), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=False),
        sa.Column("maturity_date", sa.Date(), nullable=False),
        sa.Column("principal_fen", FEN, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        *[sa.Column(f"{name}_fen", FEN, nullable=False) for name in amounts[:2]],
        sa.Column("overdue_since", sa.Date(), nullable=True),
        *[sa.Column(f"{name}_fen", FEN, nullable=False) for name in amounts[2:]],
        sa.Column("share_bps", sa.Integer(), nullable=True),
        sa.Column("last_value_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _fund_fk("ledger_loan"),
        sa.PrimaryKeyConstraint("fund_id", "loan_id", name="pk_ledger_loan"),
    )
    op.create_index("ix_ledger_loan_borrower_ref", "ledger_loan", ["borrower_ref"])


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % refused (台账只允许追加，请用冲正)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def _create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
    for table in JOURNAL_TABLES:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'ledger table {table} is append-only: {verb} refused'); END"
                )


def upgrade() -> None:
    _create_fund()
    _create_policy()
    _create_transaction()
    _create_posting()
    _create_command()
    _create_caches()
    _create_triggers()


def downgrade() -> None:
    for table in ("ledger_loan", "ledger_fund_book", "ledger_command", "ledger_posting", "ledger_transaction"):
        op.drop_table(table)
    op.drop_table("ledger_policy")
    op.drop_table("ledger_fund")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
