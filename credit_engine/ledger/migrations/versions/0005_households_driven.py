"""The poverty linkage of a 强农贷 loan (带贫): ``households_driven``, the registered poor households the loan's
enterprise drives, on its disbursement transaction (``ledger_transaction.households_driven``, the fact a replay
reads) and on the loan cache (``ledger_loan.households_driven``). Nullable: 富民贷 loans and every loan disbursed
before this revision have none. The journal stays append-only (its triggers are untouched). The downgrade drops them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("ledger_transaction", "ledger_loan")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("households_driven", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "households_driven")
