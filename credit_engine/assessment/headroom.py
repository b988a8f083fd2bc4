"""How much headroom each county's fund has for new loans, kept in memory for assessments (no query per request).

An assessment says whether the county's risk-compensation fund can still cover the loan. :class:`FundHeadrooms` reads
every fund's cached book (balance, covered and overdue principal — the figures a disbursement is checked against
under the fund's lock), its policy in force today and, only where the NPL ratio could suspend lending, the NPL
principal; it keeps the result in memory and refreshes it every ``refresh_seconds`` on a background thread, and at
once for a fund after a ledger write through this process. The status follows the reports
(:class:`~credit_engine.ledger.position.FundPosition`): suspended > over_cap > at_cap > below_floor > ok. When the
database has not answered for ``stale_after_seconds`` the headroom is ``unknown``. A disbursement re-checks everything
under the fund's lock, so a headroom a second old can make an assessment refer, never breach a cap.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from credit_engine.clock import Clock, utc_now
from credit_engine.ledger.domain import Fund, FundBook, ledger_date, policy_in_force
from credit_engine.ledger.money import BPS
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.products import Product
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.refresher import PeriodicRefresh

log = logging.getLogger(__name__)
LENDING = ("ok", "below_floor")  # statuses under which a fund takes new loans


@dataclass(frozen=True, slots=True)
class FundHeadroom:
    """A fund's headroom as an assessment reports it: ``status`` is ok, below_floor, at_cap, over_cap, suspended,
    ``no_fund`` (none covers the county for this bank) or ``unknown``; ``headroom_fen`` None means no cap, or
    unknown."""

    fund_id: str | None
    status: str
    headroom_fen: int | None
    household_fen: int = 0  # covered principal of the household products (富民贷)
    covered_fen: int = 0  # covered principal of every product
    household_min_share_bps: int = 0  # the fund policy's minimum household share

    def fits(self, amount_fen: int) -> bool:
        if self.status not in LENDING:
            return False
        return self.headroom_fen is None or amount_fen <= self.headroom_fen

    def keeps_household_share(self, amount_fen: int) -> bool:
        """Whether a loan of ``amount_fen`` that is not household lending (强农贷) leaves the household share of
        covered principal at or above the policy minimum (the share :class:`FundPosition` reports)."""
        after = self.covered_fen + amount_fen
        return after <= 0 or self.household_fen * BPS >= self.household_min_share_bps * after


@dataclass(frozen=True, slots=True)
class _Headroom:
    fund: Fund
    headroom: FundHeadroom


class FundHeadrooms(PeriodicRefresh):
    def __init__(
        self,
        engine: Engine | None,
        *,
        refresh_seconds: float = 2.0,
        stale_after_seconds: float = 15.0,
        now: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self.stale_after_seconds = stale_after_seconds
        self.now = now
        self._headrooms: dict[str, _Headroom] = {}
        self._refreshed_at = float("-inf")
        self._lock = threading.Lock()

    def start(self) -> None:
        """Load once now (failure tolerated: headroom unknown until the database answers) and keep refreshing."""
        self.refresh()
        if self.engine is not None:
            self._keep_refreshing("fund-headrooms")

    @property
    def fresh(self) -> bool:
        return time.monotonic() - self._refreshed_at <= self.stale_after_seconds

    def refresh(self, fund_ids: Iterable[str] | None = None) -> bool:
        """Re-read every fund (or those listed); False when the database did not answer."""
        if self.engine is None:
            return False
        try:
            read = self._read(None if fund_ids is None else list(fund_ids))
        except SQLAlchemyError as error:
            log.warning("fund headrooms could not be refreshed: %s", type(error).__name__)
            return False
        with self._lock:
            self._headrooms = read if fund_ids is None else {**self._headrooms, **read}
            if fund_ids is None:
                self._refreshed_at = time.monotonic()
        return True

    def for_county(self, county_code: str, bank_code: str | None) -> FundHeadroom:
        """The headroom of the county's fund at ``bank_code`` (any bank: the one with most headroom)."""
        candidates = [
            r
            for r in self._headrooms.values()
            if r.fund.county_code == county_code and (bank_code is None or r.fund.bank_code == bank_code)
        ]
        if not self.fresh:
            best = candidates[0].fund.fund_id if len(candidates) == 1 else None
            return FundHeadroom(best, "unknown", None)
        if not candidates:
            return FundHeadroom(None, "no_fund", None)
        best = max(candidates, key=_preference)
        return best.headroom

    def entries(self) -> list[tuple[Fund, FundHeadroom]]:
        """Every fund with its headroom and status as last read; none while the figures are stale (an outage is
        not a change of status)."""
        if not self.fresh:
            return []
        return [(entry.fund, entry.headroom) for entry in self._headrooms.values()]

    def fund(self, fund_id: str) -> Fund | None:
        found = self._headrooms.get(fund_id)
        return None if found is None else found.fund

    def _read(self, fund_ids: list[str] | None) -> dict[str, _Headroom]:
        today = ledger_date(self.now())
        assert self.engine is not None
        with UnitOfWork(self.engine, read_only=True) as uow:
            versions = uow.funds.policies_by_fund(fund_ids)
            products = catalog(uow.connection).products
            return {
                fund.fund_id: _Headroom(
                    fund, _headroom_of(uow, fund, book, versions.get(fund.fund_id, []), products, today)
                )
                for fund, book in uow.funds.with_books(fund_ids)
            }


def _headroom_of(
    uow: UnitOfWork, fund: Fund, book: FundBook, versions: list, products: tuple[Product, ...], today: dt.date
) -> FundHeadroom:
    policy = policy_in_force(versions, today)
    if policy is None:  # opened with a future policy only: nothing can be lent yet
        return FundHeadroom(fund.fund_id, "suspended", 0)
    terms = policy.terms
    npl_fen = uow.journal.npl_principal_fen(fund.fund_id, today) if book.npl_could_suspend(terms) else 0
    position = FundPosition(
        fund_id=fund.fund_id,
        county_code=fund.county_code,
        bank_code=fund.bank_code,
        as_of=today,
        known_at=None,
        terms=terms,
        policy_effective_from=policy.effective_from,
        fund_balance_fen=book.fund_balance_fen,
        products=products,
        covered_by_product_fen=dict(book.covered_fen),
        overdue_fen={"1_30": 0, "31_60": 0, "61_89": 0, "90_plus": npl_fen},
    )
    return FundHeadroom(
        fund.fund_id,
        position.status,
        position.headroom_fen,
        household_fen=position.household_fen,
        covered_fen=position.covered_principal_fen,
        household_min_share_bps=terms.household_min_share_bps,
    )


def _preference(entry: _Headroom) -> tuple[bool, float]:
    headroom = entry.headroom.headroom_fen
    return entry.headroom.status in LENDING, float("inf") if headroom is None else float(headroom)
