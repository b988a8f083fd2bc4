"""Funds, their effective-dated policies and their cached book, in plain Python (no database here).

A :class:`FundPolicy` is one version of a fund's terms: in force from ``effective_from`` (a value date) and known
from ``recorded_at``; :func:`policy_in_force` picks the version a report "as of D, as known at T" must use. The
:class:`FundBook` is the fund's aggregate for writes: fund balance and covered principal by product with a version
number, updated in the same transaction as the postings and reconciled by the audit; it decides whether a
disbursement fits (:meth:`FundBook.check_disbursement`, given the loan's :class:`.products.Product` and its
limit). Defaults of the terms come from ``fund_policy.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from credit_engine.errors import RowError
from credit_engine.ledger import accounts
from credit_engine.ledger.errors import FundOverCap, FundSuspended, InsufficientFundHeadroom, ProductLimitExceeded
from credit_engine.ledger.journal import JournalEntry
from credit_engine.ledger.money import BPS, multiple_of
from credit_engine.ledger.products import Product

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def ledger_date(moment: dt.datetime) -> dt.date:
    """The calendar day (China time) of a UTC recording time: value dates may not be later than it."""
    return moment.astimezone(CHINA).date()


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyTerms:
    """A fund's terms: multiples and shares in basis points (80000 = 8×, 7000 = 70 %), periods in days."""

    floor_multiple_bps: int
    cap_multiple_bps: int | None
    fund_share_bps: int
    trigger_days: int
    payment_deadline_days: int
    npl_suspension_bps: int
    household_min_share_bps: int
    subsidy_rate_bps: int
    lending_suspended: bool = False

    def errors(self) -> list[RowError]:
        """Every term outside its range (an empty list when the terms are valid)."""
        found = []
        checks = {
            "floor_multiple_bps": 0 <= self.floor_multiple_bps <= 100 * BPS,
            "cap_multiple_bps": self.cap_multiple_bps is None
            or self.floor_multiple_bps <= self.cap_multiple_bps <= 100 * BPS,
            "fund_share_bps": 0 <= self.fund_share_bps <= BPS,
            "trigger_days": 1 <= self.trigger_days <= 3650,
            "payment_deadline_days": 1 <= self.payment_deadline_days <= 3650,
            "npl_suspension_bps": 0 <= self.npl_suspension_bps <= BPS,
            "household_min_share_bps": 0 <= self.household_min_share_bps <= BPS,
            "subsidy_rate_bps": 0 <= self.subsidy_rate_bps <= BPS,
        }
        for name, ok in checks.items():
            if not ok:
                found.append(
                    RowError(None, name, "policy_range", "out of range / 超出允许范围", str(getattr(self, name)))
                )
        return found

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **changes: object) -> PolicyTerms:
        return replace(self, **changes)  # type: ignore[arg-type]


@functools.cache
def _configured(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _defaults_file(path: Path | None) -> Path:
    return (path or Path(__file__).with_name("fund_policy.yaml")).resolve()


def default_terms(path: Path | None = None) -> PolicyTerms:
    """The configured default terms (``fund_policy.yaml`` shipped beside this module unless ``path`` is given)."""
    return PolicyTerms(**_configured(_defaults_file(path))["policy"])


def default_contribution_yuan(path: Path | None = None) -> str:
    """The configured money a new fund starts with, in yuan (500万 unless configured otherwise)."""
    return str(_configured(_defaults_file(path))["fund"]["initial_contribution_yuan"])


@dataclass(frozen=True, slots=True)
class FundPolicy:
    """One version of a fund's terms: in force from ``effective_from``, known from ``recorded_at``."""

    fund_id: str
    effective_from: dt.date
    recorded_at: dt.datetime
    terms: PolicyTerms


def policy_in_force(versions: list[FundPolicy], on: dt.date, known_at: dt.datetime | None = None) -> FundPolicy | None:
    """The version in force on ``on`` as known at ``known_at``: latest ``effective_from``, then latest record."""
    candidates = [v for v in versions if v.effective_from <= on and (known_at is None or v.recorded_at <= known_at)]
    return max(candidates, key=lambda v: (v.effective_from, v.recorded_at), default=None)


def signed_headroom_fen(balance_fen: int, covered_fen: int, terms: PolicyTerms) -> int | None:
    """A fund's headroom under its cap: cap multiple × balance − covered principal (None when the policy has no
    cap); negative when covered principal stands over the cap. Disbursements and positions both read it here."""
    if terms.cap_multiple_bps is None:
        return None
    return multiple_of(balance_fen, terms.cap_multiple_bps) - covered_fen


def npl_over_threshold(npl_fen: int, covered_fen: int, terms: PolicyTerms) -> bool:
    """Whether the NPL ratio (npl ÷ covered principal) is above the policy's suspension threshold (a fund that
    covers nothing never is). Disbursements and positions both read it here."""
    return covered_fen > 0 and npl_fen * BPS > terms.npl_suspension_bps * covered_fen


@dataclass(frozen=True, slots=True)
class Fund:
    """A county's risk-compensation fund (风险补偿金) at one partner bank."""

    fund_id: str
    county_code: str
    bank_code: str
    opened_on: dt.date
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class FundBook:
    """The fund's write-side aggregate: balance, covered principal by product and overdue principal (cached),
    the number of policy versions, and a version number bumped by every write."""

    fund_id: str
    opened_on: dt.date
    fund_balance_fen: int = 0
    covered_fen: dict[str, int] = field(default_factory=dict)
    overdue_fen: int = 0
    policy_version: int = 0
    version: int = 0

    @property
    def covered_principal_fen(self) -> int:
        return sum(self.covered_fen.values())

    def after(self, entry: JournalEntry) -> FundBook:
        """The book once ``entry`` is posted (version + 1)."""
        covered = dict(self.covered_fen)
        for posting in entry.postings:
            if posting.account in accounts.COVERED_ACCOUNTS and posting.product is not None:
                covered[posting.product] = covered.get(posting.product, 0) + posting.amount_fen
        return replace(
            self,
            fund_balance_fen=self.fund_balance_fen + entry.total(accounts.FUND_CASH),
            covered_fen=covered,
            overdue_fen=self.overdue_fen + entry.total(accounts.PRINCIPAL_OVERDUE),
            version=self.version + 1,
        )

    def with_new_policy(self) -> FundBook:
        return replace(self, policy_version=self.policy_version + 1, version=self.version + 1)

    def npl_could_suspend(self, terms: PolicyTerms) -> bool:
        """Whether the NPL ratio might exceed the threshold: only then is the NPL principal worth querying."""
        return self.overdue_fen * BPS > terms.npl_suspension_bps * self.covered_principal_fen

    def headroom_fen(self, terms: PolicyTerms) -> int | None:
        """Cap × balance − covered principal (None when the policy has no cap); may be negative."""
        return signed_headroom_fen(self.fund_balance_fen, self.covered_principal_fen, terms)

    def check_disbursement(self, terms: PolicyTerms, product: Product, amount_fen: int, npl_fen: int) -> None:
        """Refuse a loan above the product limit, while suspended, while over the cap, or beyond the cap."""
        if amount_fen > product.limit_fen:
            raise ProductLimitExceeded(product.code, amount_fen, product.limit_fen)
        if terms.lending_suspended:
            raise FundSuspended(self.fund_id, "suspended by its policy", "政策规定暂停")
        covered = self.covered_principal_fen
        if npl_over_threshold(npl_fen, covered, terms):
            ratio = npl_fen / covered
            limit = terms.npl_suspension_bps / 100
            raise FundSuspended(
                self.fund_id, f"NPL ratio {ratio:.2%} above {limit:g}%", f"不良率 {ratio:.2%} 超过 {limit:g}%"
            )
        headroom = self.headroom_fen(terms)
        if headroom is not None and headroom < 0:
            raise FundOverCap(self.fund_id, amount_fen, -headroom)
        if headroom is not None and amount_fen > headroom:
            raise InsufficientFundHeadroom(self.fund_id, amount_fen, max(headroom, 0))
