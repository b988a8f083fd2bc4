"""Products and the fund book's covered principal per product, as rows (``ledger_product``, ``ledger_fund_covered``).

:func:`catalog` reads the configured products (:mod:`.products`); :func:`covered_fen` one fund's covered principal
per product (every product listed, 0 where the fund has none) and :func:`covered_by_fund` that of many funds;
:func:`save_covered` writes the products whose amount changed — an update, or an insert for a product the fund
never lent before — under the fund book's lock, so no other writer races it. The amounts read for a fund are kept
on the connection until its write, which then touches only what changed. Statements are built once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, func, insert, select, update

from credit_engine.ledger.products import Product, ProductCatalog
from credit_engine.ledger.tables import FundCoveredRow, ProductRow

PRODUCT = ProductRow.__table__
COVERED = FundCoveredRow.__table__
READ_COVERED = "ledger_covered_read"  # connection.info key: {fund_id: covered_fen as read under the lock}


@functools.cache
def _statements() -> dict[str, object]:
    on_fund = (COVERED.c.product == PRODUCT.c.code) & (COVERED.c.fund_id == bindparam("key_fund_id"))
    where = (COVERED.c.fund_id == bindparam("key_fund_id"), COVERED.c.product == bindparam("key_product"))
    return {
        "products": select(PRODUCT).order_by(PRODUCT.c.position, PRODUCT.c.code),
        "covered": select(PRODUCT.c.code, func.coalesce(COVERED.c.covered_fen, 0))
        .select_from(PRODUCT.outerjoin(COVERED, on_fund))
        .order_by(PRODUCT.c.position, PRODUCT.c.code),
        "update": update(COVERED).where(*where).values(covered_fen=bindparam("covered_fen")),
        "insert": insert(COVERED),
    }


def product_from_row(row: object) -> Product:
    return Product(
        code=row.code,  # type: ignore[attr-defined]
        name_zh=row.name_zh,  # type: ignore[attr-defined]
        name_en=row.name_en,  # type: ignore[attr-defined]
        limit_fen=int(row.limit_fen),  # type: ignore[attr-defined]
        min_fen=int(row.min_fen),  # type: ignore[attr-defined]
        household=bool(row.household),  # type: ignore[attr-defined]
        aliases=tuple(row.aliases or ()),  # type: ignore[attr-defined]
        position=int(row.position),  # type: ignore[attr-defined]
    )


def catalog(connection: Connection) -> ProductCatalog:
    """Every configured product, in display order."""
    return ProductCatalog(product_from_row(row) for row in connection.execute(_statements()["products"]))


def covered_fen(connection: Connection, fund_id: str) -> dict[str, int]:
    """The fund's covered principal per product (every product, in display order), remembered for its write."""
    rows = connection.execute(_statements()["covered"], {"key_fund_id": fund_id})
    covered = {code: int(amount) for code, amount in rows}
    connection.info.setdefault(READ_COVERED, {})[fund_id] = dict(covered)
    return covered


def covered_by_fund(connection: Connection, fund_ids: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """The covered principal per product of every fund with a row (or of ``fund_ids``)."""
    query = select(COVERED.c.fund_id, COVERED.c.product, COVERED.c.covered_fen)
    if fund_ids is not None:
        query = query.where(COVERED.c.fund_id.in_(list(fund_ids)))
    found: dict[str, dict[str, int]] = {}
    for fund_id, product, amount in connection.execute(query):
        found.setdefault(fund_id, {})[product] = int(amount)
    return found


def save_covered(connection: Connection, fund_id: str, covered: dict[str, int]) -> None:
    """Write the fund's covered principal of every product whose amount differs from what :func:`covered_fen` read
    in this write (every product when nothing was read)."""
    before = connection.info.setdefault(READ_COVERED, {}).pop(fund_id, {})
    statements = _statements()
    for product, amount in covered.items():
        if before.get(product) == amount:
            continue
        values = {"key_fund_id": fund_id, "key_product": product, "covered_fen": amount}
        if connection.execute(statements["update"], values).rowcount == 0:  # type: ignore[arg-type]
            row = {"fund_id": fund_id, "product": product, "covered_fen": amount}
            connection.execute(statements["insert"], row)  # type: ignore[arg-type]
