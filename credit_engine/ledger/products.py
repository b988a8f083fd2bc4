"""Loan products (富民贷, 强农贷, and any added later) as configuration rows, in plain Python (no database here).

A :class:`Product` is one row of the ledger's ``ledger_product`` table (filled by migrations, read by
:mod:`.product_store`): its code (the value stored on loans and postings), its Chinese and English names (report
headers are built from them: ``<中文>余额(元)`` / ``<English> (yuan)``), the aliases accepted on input, the smallest
and the largest single loan in fen, and whether its lending counts as household lending for the fund's
``household_min_share_bps`` rule (the 富民贷 share, DOMAIN.md §1). A :class:`ProductCatalog` is every product in
display order: it resolves what a user typed (code, alias or Chinese name, any case) and lists the products when it
cannot, and knows the smallest loan any product makes (below that much headroom a fund is "at cap").

A product row is the programme's ceiling; a product's rating policy (``credit_engine/policy/*.yaml``) may lend less
but never outside it: :func:`check_policy_within_product` states the rule once, and whoever has both at hand (the
ledger seed) refuses a policy that breaks it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from credit_engine.errors import BilingualError

if TYPE_CHECKING:
    from credit_engine.policy.config import RatingPolicy

FEN_PER_YUAN = 100


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name_zh: str
    name_en: str
    limit_fen: int  # the largest single loan
    min_fen: int  # the smallest single loan
    household: bool
    aliases: tuple[str, ...] = ()
    position: int = 0

    @property
    def label(self) -> str:
        return self.name_zh

    def spellings(self) -> set[str]:
        """Every text that names this product on input, lower-cased: code, Chinese name and aliases."""
        return {text.strip().lower() for text in (self.code, self.name_zh, *self.aliases)}


def smallest_loan_fen(products: Iterable[Product]) -> int:
    """The smallest loan any of ``products`` makes: a fund with less headroom than this is "at cap" (1 fen when no
    product is given: only a fund without any headroom)."""
    return min((p.min_fen for p in products), default=1)


def linkage_problem(product: Product, households_driven: object) -> tuple[str, str] | None:
    """Why ``households_driven`` (带贫户数) does not fit a loan of ``product``, as (rule, bilingual message); None
    when it does. A loan of an enterprise product (强农贷: not household lending) records the registered poor
    households it drives, a whole number ≥ 1; a household loan (富民贷) drives none and must leave it empty."""
    if product.household:
        if households_driven is None:
            return None
        return "not_for_household_product", (
            f"{product.name_zh}不记录带贫户数 / households_driven is only for enterprise loans, not {product.name_en}"
        )
    if isinstance(households_driven, int) and not isinstance(households_driven, bool) and households_driven >= 1:
        return None
    return "households_driven_required", (
        f"{product.name_zh}须填写带贫户数（整数，至少 1 户） / households_driven is required for {product.name_en}: "
        "a whole number ≥ 1"
    )


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

    @property
    def smallest_loan_fen(self) -> int:
        return smallest_loan_fen(self.products)

    def household_fen(self, by_product_fen: dict[str, int]) -> int:
        """The part of ``by_product_fen`` lent by products that count as household lending."""
        return sum(by_product_fen.get(p.code, 0) for p in self.products if p.household)


class PolicyOutsideProduct(BilingualError):
    """A rating policy lends outside its product's limits (or names no configured product)."""

    code = "policy_outside_product"


def check_policy_within_product(policy: RatingPolicy, products: ProductCatalog) -> None:
    """The rule between the two owners of a product's amounts: the rating policy's minimum and maximum
    (``product_limits``, yuan) lie within the product row's ``min_fen`` and ``limit_fen``. Raises
    :class:`PolicyOutsideProduct`, in English and 中文, when they do not."""
    try:
        product = products.get(policy.product)
    except KeyError:
        raise PolicyOutsideProduct(
            f"rating policy {policy.version} is for product {policy.product!r}, which the ledger does not have "
            f"(known: {products.known()})",
            f"评级政策 {policy.version} 所属产品 {policy.product!r} 未在台账中配置（可选产品：{products.known()}）",
        ) from None
    limits = policy.product_limits
    low, high = limits.min_amount_yuan * FEN_PER_YUAN, limits.max_amount_yuan * FEN_PER_YUAN
    if product.min_fen <= low and high <= product.limit_fen:
        return
    allowed_en = f"{product.min_fen // FEN_PER_YUAN:,}-{product.limit_fen // FEN_PER_YUAN:,} yuan"
    allowed_zh = f"{product.min_fen // FEN_PER_YUAN:,}-{product.limit_fen // FEN_PER_YUAN:,} 元"
    raise PolicyOutsideProduct(
        f"rating policy {policy.version} lends {limits.min_amount_yuan:,}-{limits.max_amount_yuan:,} yuan, "
        f"outside the {product.name_en} ({product.code}) limits of {allowed_en}",
        f"评级政策 {policy.version} 的贷款金额 {limits.min_amount_yuan:,}-{limits.max_amount_yuan:,} 元"
        f"超出产品 {product.name_zh} 的限额 {allowed_zh}",
    )
