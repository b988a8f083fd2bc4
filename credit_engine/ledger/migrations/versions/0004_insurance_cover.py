"""Insurance cover (保证保险) as a second loss layer: ``ledger_insurance_cover`` (a fund's cover versions by
effective date, append-only like the journal), the insurer's part of a compensated loss on its transaction
(``ledger_transaction.insurer_fen``) and on the loan cache (``ledger_loan.insurer_fen``, ``insurer_paid_fen``, 0 for
every loan compensated before covers existed, which is what their events replay to). The downgrade drops them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLE = "ledger_insurance_cover"
LOAN_AMOUNTS = ("insurer_fen", "insurer_paid_fen")


def _create_cover() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("insurer", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("share_bps", sa.Integer(), nullable=False),
        sa.Column("layer_fen", sa.BigInteger(), nullable=False),
        sa.Column("layer_bps", sa.Integer(), nullable=False),
        sa.Column("premium_rate_bps", sa.Integer(), nullable=False),
        sa.Column("subsidy_share_bps", sa.Integer(), nullable=False),
        sa.Column("products", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["ledger_fund.fund_id"], name=f"fk_{TABLE}_fund_id_ledger_fund"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
    )
    op.create_index(f"ix_{TABLE}_fund_id_effective_from", TABLE, ["fund_id", "effective_from"])


def _append_only() -> None:
    """The journal's triggers (0001) on the cover table; PostgreSQL reuses ``ledger_refuse_change()``."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} BEGIN "
            f"SELECT RAISE(ABORT, 'ledger table {TABLE} is append-only: {verb} refused'); END"
        )


def upgrade() -> None:
    _create_cover()
    _append_only()
    op.add_column("ledger_transaction", sa.Column("insurer_fen", sa.BigInteger(), nullable=True))
    for name in LOAN_AMOUNTS:
        op.add_column("ledger_loan", sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))
        if op.get_bind().dialect.name != "sqlite":
            op.alter_column("ledger_loan", name, server_default=None)


def downgrade() -> None:
    for name in LOAN_AMOUNTS:
        op.drop_column("ledger_loan", name)
    op.drop_column("ledger_transaction", "insurer_fen")
    op.drop_table(TABLE)  # its triggers go with it
