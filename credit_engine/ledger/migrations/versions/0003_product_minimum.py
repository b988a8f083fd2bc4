"""A product's smallest loan is a column of its row: ``ledger_product.min_fen``, beside its largest (``limit_fen``).

富民贷 lends from 1,000 yuan (Shanxi's minimum, DOMAIN.md §2, the rating policy's ``min_amount_yuan``). 强农贷 has
no published minimum (DOMAIN.md §4); its loans are sized at 1万–5万 yuan per household driven, so the smallest is
10,000 yuan, one household's share. A product added by hand since 0002 gets 0 (set its minimum). The threshold
below which a fund is "at cap" is derived from these rows. The downgrade drops the column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MINIMUMS_FEN = {"fumin": 100_000, "qiangnong": 1_000_000}  # 1,000 and 10,000 yuan


def upgrade() -> None:
    # Plain ALTER TABLE on every database: a batch copy of ledger_product would break the foreign key that
    # ledger_fund_covered holds on it (SQLite). SQLite cannot drop a column default in place, so there it stays.
    op.add_column("ledger_product", sa.Column("min_fen", sa.BigInteger(), nullable=False, server_default="0"))
    for code, fen in MINIMUMS_FEN.items():
        op.execute(
            sa.text("UPDATE ledger_product SET min_fen = :fen WHERE code = :code").bindparams(fen=fen, code=code)
        )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("ledger_product", "min_fen", server_default=None)


def downgrade() -> None:
    op.drop_column("ledger_product", "min_fen")  # SQLite 3.35+ drops a column in place
