"""Per-product figures of the reports: one key and one column per configured product, none written by hand.

Lines keep amounts per product in a dict (``covered_by_product_fen``, ``subsidy_by_product_fen``); their JSON
spreads it into one key per product (:func:`per_product`: ``covered_fumin_fen``, ``covered_qiangnong_fen``, … from
:data:`COVERED_KEY`), and the layout builds the matching columns from the products' names
(:func:`product_columns`: ``富民贷余额(元)`` / ``Household loans (yuan)``). A product added to the ledger's
``ledger_product`` table therefore appears in every report, in every format, without a code change here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from credit_engine.ledger.products import Product

if TYPE_CHECKING:
    from credit_engine.ledger.position import FundPosition

COVERED_KEY = "covered_{}_fen"  # a product's covered principal
SUBSIDY_KEY = "subsidy_{}_fen"  # a product's interest subsidy due


def per_product(values: dict[str, object], name: str, key: str) -> dict[str, object]:
    """``values`` with the per-product amounts under ``name`` spread in its place, one ``key.format(code)`` per
    product (``covered_by_product_fen`` → ``covered_fumin_fen``, ``covered_qiangnong_fen``, …)."""
    spread: dict[str, object] = {}
    for item, value in values.items():
        if item == name:
            spread |= {key.format(code): amount for code, amount in value.items()}  # type: ignore[attr-defined]
        else:
            spread[item] = value
    return spread


def summed_by_product(positions: Iterable[FundPosition]) -> dict[str, int]:
    """Covered principal per product over ``positions`` (every product of theirs, in display order)."""
    total: dict[str, int] = {}
    for position in positions:
        for code, amount in position.covered_by_product_fen.items():
            total[code] = total.get(code, 0) + amount
    return total


def product_columns(products: Iterable[Product], key: str, zh: str, en: str) -> list[tuple[str, str, str]]:
    """One (key, 中文, English) column per product: ``key``, ``zh`` and ``en`` are formatted with the product's code,
    Chinese name and English name (``"{}余额(元)"`` → ``富民贷余额(元)``)."""
    return [(key.format(p.code), zh.format(p.name_zh), en.format(p.name_en)) for p in products]
