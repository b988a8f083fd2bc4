"""Fund positions "as of a value date, as known at a recording time" — the read side every report builds on.

A :class:`FundPosition` holds one fund's figures and derives its leverage, headroom and status from them;
:func:`fund_positions` folds the rows of the read model :mod:`credit_engine.ledger.queries.positions` into positions.
It is four queries whatever the size of the journal: the ledger's products, the funds known at ``known_at``, their
policy versions, and one aggregate of postings per fund, account, product and overdue bucket up to ``as_of``.
Postings recorded after ``known_at`` are invisible, which makes a month-end report reproducible later (writes of one
fund are serialised and stamped under its lock, so pass a ``known_at`` at least a transaction's duration in the past,
or None for "everything recorded"). Covered principal is kept per product, every product listed; the household share
counts the products configured as household lending. Ratios are floats here and only here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from credit_engine.ledger import accounts as a
from credit_engine.ledger.domain import PolicyTerms, npl_over_threshold, policy_in_force, signed_headroom_fen
from credit_engine.ledger.money import BPS
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.products import Product, smallest_loan_fen
from credit_engine.ledger.queries.positions import BUCKETS, funds_known, posting_totals
from credit_engine.ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True, kw_only=True)
class FundPosition:
    """One fund on ``as_of`` as known at ``known_at`` (None: everything recorded). Amounts in fen."""

    fund_id: str
    county_code: str
    bank_code: str
    as_of: dt.date
    known_at: dt.datetime | None
    terms: PolicyTerms
    policy_effective_from: dt.date
    fund_balance_fen: int = 0
    contributed_fen: int = 0
    interest_fen: int = 0
    products: tuple[Product, ...] = ()  # the ledger's products, in display order
    covered_by_product_fen: dict[str, int] = field(default_factory=dict)  # every product of ``products``
    current_fen: int = 0
    overdue_fen: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    compensation_claimed_fen: int = 0
    compensation_pending_fen: int = 0
    compensated_outstanding_fen: int = 0
    recovered_fen: int = 0
    recovered_to_fund_fen: int = 0
    written_off_fen: int = 0
    insurer_claimed_fen: int = 0  # the insurer's parts of losses claimed (保证保险)
    insurer_paid_fen: int = 0  # what the insurer has paid of them

    @property
    def covered_principal_fen(self) -> int:
        return sum(self.covered_by_product_fen.values())

    @property
    def npl_fen(self) -> int:
        """Principal 90+ days past due (not yet compensated)."""
        return self.overdue_fen["90_plus"]

    @property
    def npl_ratio(self) -> float:
        covered = self.covered_principal_fen
        return self.npl_fen / covered if covered else 0.0

    @property
    def compensation_paid_fen(self) -> int:
        return self.compensation_claimed_fen - self.compensation_pending_fen

    @property
    def multiple(self) -> float | None:
        """Leverage: covered principal ÷ fund balance (None for an empty fund)."""
        return self.covered_principal_fen / self.fund_balance_fen if self.fund_balance_fen > 0 else None

    @property
    def household_fen(self) -> int:
        """Covered principal of the products that count as household lending (富民贷)."""
        return sum(self.covered_by_product_fen.get(p.code, 0) for p in self.products if p.household)

    @property
    def household_share(self) -> float | None:
        """Share of covered principal lent to households (富民贷)."""
        covered = self.covered_principal_fen
        return self.household_fen / covered if covered else None

    @property
    def floor_shortfall_fen(self) -> int:
        """How much more the bank must lend to reach the floor multiple."""
        floor = -(-self.fund_balance_fen * self.terms.floor_multiple_bps // BPS)  # rounded up
        return max(floor - self.covered_principal_fen, 0)

    @property
    def headroom_fen(self) -> int | None:
        """How much more may be lent under the cap (None: no cap); the same rule disbursements obey."""
        signed = signed_headroom_fen(self.fund_balance_fen, self.covered_principal_fen, self.terms)
        return None if signed is None else max(signed, 0)

    @property
    def over_cap_fen(self) -> int:
        """How far covered principal stands above cap × balance (0 when under it, or no cap): a clawback may leave
        a fund there (policy allows it), and then it lends nothing until it is back under."""
        signed = signed_headroom_fen(self.fund_balance_fen, self.covered_principal_fen, self.terms)
        return 0 if signed is None else max(-signed, 0)

    @property
    def suspended(self) -> bool:
        over = npl_over_threshold(self.npl_fen, self.covered_principal_fen, self.terms)
        return self.terms.lending_suspended or over

    @property
    def status(self) -> str:
        """``suspended`` > ``over_cap`` (超上限) > ``at_cap`` > ``below_floor`` > ``ok``. A fund is ``at_cap`` when
        its headroom is below the smallest loan of the configured products (the least ``min_fen`` of ``products``,
        :func:`.products.smallest_loan_fen`): it can make no loan of any product."""
        headroom = self.headroom_fen
        if self.suspended:
            return "suspended"
        if self.over_cap_fen > 0:
            return "over_cap"
        if headroom is not None and headroom < smallest_loan_fen(self.products):
            return "at_cap"
        return "below_floor" if self.floor_shortfall_fen > 0 else "ok"


def _fold(values: dict[str, object], account: str, product: str | None, bucket: str | None, amount: int) -> None:
    """Add one aggregate row to a position's fields (sign: credit-normal accounts are negated)."""
    simple = {
        a.FUND_CASH: ("fund_balance_fen", 1),
        a.CONTRIBUTED_CAPITAL: ("contributed_fen", -1),
        a.INTEREST_INCOME: ("interest_fen", -1),
        a.COMPENSATION_EXPENSE: ("compensation_claimed_fen", 1),
        a.COMPENSATION_PAYABLE: ("compensation_pending_fen", -1),
        a.PRINCIPAL_COMPENSATED: ("compensated_outstanding_fen", 1),
        a.PRINCIPAL_RECOVERED: ("recovered_fen", 1),
        a.PRINCIPAL_WRITTEN_OFF: ("written_off_fen", 1),
        a.RECOVERY_INCOME: ("recovered_to_fund_fen", -1),
        a.INSURED_LOSSES: ("insurer_claimed_fen", -1),
        a.INSURER_PAID: ("insurer_paid_fen", 1),
    }
    if account in simple:
        name, sign = simple[account]
        values[name] = values.get(name, 0) + sign * amount  # type: ignore[operator]
    if account in a.COVERED_ACCOUNTS and product is not None:
        covered = values["covered_by_product_fen"]
        covered[product] = covered.get(product, 0) + amount  # type: ignore[index,union-attr]
    if account == a.PRINCIPAL_CURRENT:
        values["current_fen"] = values.get("current_fen", 0) + amount  # type: ignore[operator]
    if account == a.PRINCIPAL_OVERDUE and bucket is not None:
        overdue = values.setdefault("overdue_fen", dict.fromkeys(BUCKETS, 0))
        overdue[bucket] += amount  # type: ignore[index]


def fund_positions(
    uow: UnitOfWork,
    as_of: dt.date,
    known_at: dt.datetime | None = None,
    fund_ids: list[str] | None = None,
    county_prefix: str | None = None,
) -> list[FundPosition]:
    """Every fund (or those listed / whose county code starts with ``county_prefix``, e.g. "14" for Shanxi)
    opened by ``as_of`` and known at ``known_at``, with its policy in force on ``as_of`` as known then."""
    funds = funds_known(uow, as_of, known_at, fund_ids, county_prefix)
    if not funds:
        return []
    ids = [f.fund_id for f in funds]
    filtered = ids if (fund_ids is not None or county_prefix) else None
    versions = uow.funds.policies_by_fund(ids)
    products = catalog(uow.connection)
    values: dict[str, dict[str, object]] = {fund_id: {"covered_by_product_fen": products.zeros()} for fund_id in ids}
    for fund_id, account, product, bucket, amount in posting_totals(uow, as_of, known_at, filtered):
        if fund_id in values:
            _fold(values[fund_id], account, product, bucket, amount)
    positions = []
    for fund in funds:
        policy = policy_in_force(versions.get(fund.fund_id, []), as_of, known_at)
        if policy is None:
            continue
        positions.append(
            FundPosition(
                fund_id=fund.fund_id,
                county_code=fund.county_code,
                bank_code=fund.bank_code,
                as_of=as_of,
                known_at=known_at,
                terms=policy.terms,
                policy_effective_from=policy.effective_from,
                products=products.products,
                **values[fund.fund_id],
            )
        )
    return positions
