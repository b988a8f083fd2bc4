"""Loan products (富民贷, 强农贷, and any added later) as configuration rows, in plain Python (no database here).

A :class:`Product` is one row of the ledger's ``ledger_product`` table (filled by migrations, read by
:mod:`.product_store`): its code (the value stored on loans and postings), its Chinese and English names (report
headers are built from them: ``<中文>余额(元)`` / ``<English> (yuan)``), the aliases accepted on input, the largest
single loan in fen, and whether its lending counts as household lending for the fund's ``household_min_share_bps``
rule (the 富民贷 share, DOMAIN.md §1). A :class:`ProductCatalog` is every product in display order: it resolves what
a user typed (code, alias or Chinese name, any case) and lists the products when it cannot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name_zh: str
    name_en: str
    limit_fen: int
    household: bool
    aliases: tuple[str, ...] = ()
    position: int = 0

    @property
    def label(self) -> str:
        return self.name_zh

    def spellings(self) -> set[str]:
        """Every text that names this product on input, lower-cased: code, Chinese name and aliases."""
        return {text.strip().lower() for text in (self.code, self.name_zh, *self.aliases)}


class UnknownProduct(ValueError):
    """A text names no product of the catalog (the message lists the known ones, in 中文 and English)."""

    def __init__(self, text: str, known: str) -> None:
        super().__init__(f"unknown product {text!r}; known products / 可选产品: {known}")
        self.text = text
        self.known = known


class ProductCatalog:
    """The products in display order (``position``, then code)."""

    def __init__(self, products: Iterable[Product]) -> None:
        self.products = tuple(sorted(products, key=lambda p: (p.position, p.code)))
        self._by_code = {p.code: p for p in self.products}
        self._by_text = {text: p for p in self.products for text in p.spellings()}

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.products)

    def get(self, code: str) -> Product:
        """The product stored under ``code`` (``KeyError`` if none)."""
        return self._by_code[code]

    def parse(self, text: object) -> Product:
        """The product named by ``text`` (code, alias or Chinese name, any case); :class:`UnknownProduct` otherwise."""
        found = self._by_text.get(str(text).strip().lower())
        if found is None:
            raise UnknownProduct(str(text), self.known())
        return found

    def known(self) -> str:
        """The products as a user may type them: ``fumin/富民贷, qiangnong/强农贷``."""
        return ", ".join(f"{p.code}/{p.name_zh}" for p in self.products)

    def zeros(self) -> dict[str, int]:
        """Zero fen per product, in display order (the start of any per-product sum)."""
        return dict.fromkeys(self.codes, 0)

    def household_fen(self, by_product_fen: dict[str, int]) -> int:
        """The part of ``by_product_fen`` lent by products that count as household lending."""
        return sum(by_product_fen.get(p.code, 0) for p in self.products if p.household)
