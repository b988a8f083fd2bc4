"""Products are rows: ``ledger_product`` (富民贷, 强农贷) and the fund book's covered principal per product in
``ledger_fund_covered``, moved out of the book's ``covered_fumin_fen`` / ``covered_qiangnong_fen`` columns.

A later product is one more migration that inserts its ``ledger_product`` row (see :data:`PRODUCTS` for the shape).
The downgrade puts the two columns back from the rows; it refuses while any other product has covered principal,
which the two columns could not hold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FEN = sa.BigInteger()
COLUMNS = {"fumin": "covered_fumin_fen", "qiangnong": "covered_qiangnong_fen"}
PRODUCTS = [
    {
        "code": "fumin",
        "name_zh": "富民贷",
        "name_en": "Household loans",
        "aliases": ["fumin-dai"],
        "limit_fen": 5_000_000,  # 50,000 yuan per household (DOMAIN.md §2)
        "household": True,
        "position": 1,
    },
    {
        "code": "qiangnong",
        "name_zh": "强农贷",
        "name_en": "Enterprise loans",
        "aliases": ["qiangnong-dai"],
        "limit_fen": 3_000_000_000,  # 3,000万 yuan per enterprise loan (DOMAIN.md §4)
        "household": False,
        "position": 2,
    },
]


def product_table() -> sa.Table:
    """The columns of ``ledger_product`` a migration inserts into (for ``op.bulk_insert``)."""
    return sa.table(
        "ledger_product",
        sa.column("code", sa.String()),
        sa.column("name_zh", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("aliases", sa.JSON()),
        sa.column("limit_fen", FEN),
        sa.column("household", sa.Boolean()),
        sa.column("position", sa.Integer()),
    )


def upgrade() -> None:
    op.create_table(
        "ledger_product",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name_zh", sa.String(32), nullable=False),
        sa.Column("name_en", sa.String(64), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("limit_fen", FEN, nullable=False),
        sa.Column("household", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_ledger_product"),
    )
    op.bulk_insert(product_table(), PRODUCTS)
    op.create_table(
        "ledger_fund_covered",
        sa.Column("fund_id", sa.String(64), nullable=False),
        sa.Column("product", sa.String(16), nullable=False),
        sa.Column("covered_fen", FEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["ledger_fund.fund_id"], name="fk_ledger_fund_covered_fund_id_ledger_fund"
        ),
        sa.ForeignKeyConstraint(
            ["product"], ["ledger_product.code"], name="fk_ledger_fund_covered_product_ledger_product"
        ),
        sa.PrimaryKeyConstraint("fund_id", "product", name="pk_ledger_fund_covered"),
    )
    for code, column in COLUMNS.items():
        op.execute(
            "INSERT INTO ledger_fund_covered (fund_id, product, covered_fen) "
            f"SELECT fund_id, '{code}', {column} FROM ledger_fund_book"
        )
    with op.batch_alter_table("ledger_fund_book") as batch:
        for column in COLUMNS.values():
            batch.drop_column(column)


def downgrade() -> None:
    others = op.get_bind().execute(
        sa.text("SELECT COUNT(*) FROM ledger_fund_covered WHERE covered_fen <> 0 AND product NOT IN :codes").bindparams(
            sa.bindparam("codes", tuple(COLUMNS), expanding=True)
        )
    )
    if others.scalar_one():
        raise RuntimeError(
            "other products have covered principal: downgrade their migrations first "
            "(其他产品仍有覆盖贷款余额，请先回退其迁移)"
        )
    with op.batch_alter_table("ledger_fund_book") as batch:
        for column in COLUMNS.values():
            batch.add_column(sa.Column(column, FEN, nullable=False, server_default=sa.text("0")))
    for code, column in COLUMNS.items():
        op.execute(
            f"UPDATE ledger_fund_book SET {column} = COALESCE((SELECT c.covered_fen FROM ledger_fund_covered c "
            f"WHERE c.fund_id = ledger_fund_book.fund_id AND c.product = '{code}'), 0)"
        )
    with op.batch_alter_table("ledger_fund_book") as batch:
        for column in COLUMNS.values():
            batch.alter_column(column, server_default=None)
    op.drop_table("ledger_fund_covered")
    op.drop_table("ledger_product")
