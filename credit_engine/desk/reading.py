"""Reads of the ledger for an API key: fund positions, a loan, the policy terms a change starts from, the fund's
insurance covers.

Every read checks the key first (:class:`~.authorisation.Authorisation`); dates default to today in China time and
``known_at`` limits a read to what the ledger knew then. :func:`base_terms` is the rule the API and the command line
share: a policy change starts from the terms in force on its first day (the fund's first terms, before that).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from credit_engine.access.principal import Permission, Principal
from credit_engine.clock import Clock, utc_now
from credit_engine.desk.authorisation import Authorisation
from credit_engine.insurance.cover import InsuranceCover
from credit_engine.ledger.domain import PolicyTerms, ledger_date, policy_in_force
from credit_engine.ledger.errors import UnknownFund, UnknownLoan
from credit_engine.ledger.insurance_store import CoverStore
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.position import FundPosition, fund_positions
from credit_engine.ledger.unit_of_work import UnitOfWork


def base_terms(engine: Engine, fund_id: str, on: dt.date) -> PolicyTerms:
    """The fund's terms in force on ``on`` (the first ones before that): the base of a policy change."""
    with UnitOfWork(engine, read_only=True) as uow:
        versions = uow.funds.policies(fund_id)
    current = policy_in_force(versions, on) or min(versions, key=lambda v: v.effective_from, default=None)
    if current is None:
        raise UnknownFund(fund_id)
    return current.terms


class LedgerReads:
    def __init__(self, engine: Engine, authorisation: Authorisation, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.authorisation = authorisation
        self.clock = clock

    def today(self) -> dt.date:
        return ledger_date(self.clock())

    def position(
        self, principal: Principal, fund_id: str, as_of: dt.date | None, known_at: dt.datetime | None = None
    ) -> FundPosition:
        fund = self.authorisation.readable_fund(principal, fund_id)
        found = self._positions(as_of or self.today(), known_at, [fund.fund_id])
        if not found:  # not opened yet on as_of, or not known at known_at
            raise UnknownFund(fund_id)
        return found[0]

    def positions(
        self, principal: Principal, as_of: dt.date | None, known_at: dt.datetime | None = None
    ) -> list[FundPosition]:
        """Every fund the key may see."""
        principal.require(Permission.READ_FUNDS)
        found = self._positions(as_of or self.today(), known_at, None)
        return [p for p in found if principal.scope.covers_fund(p.county_code, p.bank_code)]

    def loan(self, principal: Principal, fund_id: str, loan_id: str) -> Loan:
        self.authorisation.readable_fund(principal, fund_id)
        found = self.loan_on_file(fund_id, loan_id)
        if found is None:
            raise UnknownLoan(fund_id, loan_id)
        return found

    def terms_on(self, principal: Principal, fund_id: str, on: dt.date) -> PolicyTerms:
        """:func:`base_terms` of a fund the key may read."""
        fund = self.authorisation.readable_fund(principal, fund_id)
        return base_terms(self.engine, fund.fund_id, on)

    def covers(self, principal: Principal, fund_id: str) -> list[InsuranceCover]:
        """The fund's insurance cover versions (保证保险), in the order recorded."""
        fund = self.authorisation.readable_fund(principal, fund_id)
        with UnitOfWork(self.engine, read_only=True) as uow:
            return CoverStore(uow.connection).versions(fund.fund_id)

    def position_now(self, fund_id: str) -> FundPosition | None:
        """The fund's position today, everything recorded (unchecked: after a write the key was allowed)."""
        found = self._positions(self.today(), None, [fund_id])
        return found[0] if found else None

    def loan_on_file(self, fund_id: str, loan_id: object) -> Loan | None:
        """The cached loan (unchecked), or None (also for a loan id that is not a string)."""
        if not isinstance(loan_id, str):
            return None
        with UnitOfWork(self.engine, read_only=True) as uow:
            found = uow.loans.get(fund_id, loan_id)
        return None if found is None else found[0]

    def _positions(self, as_of: dt.date, known_at: dt.datetime | None, fund_ids: list[str] | None) -> list:
        with UnitOfWork(self.engine, read_only=True) as uow:
            return fund_positions(uow, as_of, known_at, fund_ids=fund_ids)
