"""The workspace's pages as view models, read for one signed-in key: the action list, the province → county → fund
→ loan drill-down, any of them as of a value date and as known at a recording time.

:class:`Workspace` checks the key on every read (positions through :class:`~credit_engine.desk.LedgerReads`, a fund
through :meth:`~credit_engine.desk.authorisation.Authorisation.readable_fund`): nothing outside its scope is read,
and a fund outside it is refused exactly like one that does not exist. Figures come from the ledger's positions and
the reports' roll-ups (:mod:`credit_engine.reports.leverage`), never computed a second time here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from credit_engine.access.principal import AccessDenied, Principal
from credit_engine.desk.reading import LedgerReads
from credit_engine.insurance.cover import InsuranceCover, cover_in_force
from credit_engine.ledger.errors import UnknownLoan
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.queries.book import OpenLoan, open_loans
from credit_engine.ledger.queries.claims import pending_claims
from credit_engine.ledger.queries.history import HistoryEvent, fund_history
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.insurance import insured_principal
from credit_engine.reports.leverage import LeverageLine, Rollup, county_rollups, leverage_line, province_rollups
from credit_engine.workspace.actions import Action, action_list
from credit_engine.workspace.trend import TrendPoint, fund_trend


@dataclass(frozen=True, slots=True)
class Moment:
    """Which view of the ledger: the value date, and what it knew at a recording time (None: everything)."""

    as_of: dt.date
    known_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Overview:
    actions: list[Action]
    provinces: list[Rollup]


@dataclass(frozen=True, slots=True)
class AreaView:
    """A province (its counties) or a county (its funds)."""

    rollup: Rollup
    counties: list[Rollup]
    funds: list[LeverageLine]
    actions: list[Action]


@dataclass(frozen=True, slots=True)
class FundView:
    position: FundPosition
    line: LeverageLine
    trend: list[TrendPoint]
    loans: list[OpenLoan]
    history: list[HistoryEvent]
    actions: list[Action]
    cover: InsuranceCover | None = None  # the insurance cover in force on the view's date (as known then)


@dataclass(frozen=True, slots=True)
class LoanView:
    fund: FundPosition
    loan: Loan
    open_loan: OpenLoan | None
    history: list[HistoryEvent]


class Workspace:
    def __init__(self, reads: LedgerReads) -> None:
        self.reads = reads
        self.engine = reads.engine

    def today(self) -> dt.date:
        return self.reads.today()

    def _actions(self, positions: list[FundPosition], moment: Moment) -> list[Action]:
        ids = [p.fund_id for p in positions]
        with UnitOfWork(self.engine, read_only=True) as uow:
            claims = pending_claims(uow, ids, moment.as_of, moment.known_at)
            policies = uow.funds.policies_by_fund(ids) if claims else {}
        return action_list(positions, claims, policies)

    def overview(self, principal: Principal, moment: Moment) -> Overview:
        """The action list of every fund the key may read, and its provinces."""
        positions = self.reads.positions(principal, moment.as_of, moment.known_at)
        return Overview(self._actions(positions, moment), province_rollups(positions))

    def area(self, principal: Principal, code: str, moment: Moment) -> AreaView:
        """A province (2 digits) or a county (6 digits) of the key's funds; ``AccessDenied`` when it has none there
        (whether the area has funds outside the scope or none at all)."""
        positions = [
            p for p in self.reads.positions(principal, moment.as_of, moment.known_at) if p.county_code.startswith(code)
        ]
        if not positions or len(code) not in (2, 6):
            raise AccessDenied()
        rollups = province_rollups(positions) if len(code) == 2 else county_rollups(positions)
        counties = county_rollups(positions) if len(code) == 2 else []
        lines = [leverage_line(p) for p in positions] if len(code) == 6 else []
        return AreaView(rollups[0], counties, lines, self._actions(positions, moment))

    def fund(self, principal: Principal, fund_id: str, moment: Moment) -> FundView:
        """One fund: its position, month-end trend, open loans, event history, actions and the insurance cover in
        force (insured principal as the leverage report has it; the insurer's payments are the position's)."""
        position = self.reads.position(principal, fund_id, moment.as_of, moment.known_at)
        cover = cover_in_force(self.reads.covers(principal, fund_id), moment.as_of, moment.known_at)
        with UnitOfWork(self.engine, read_only=True) as uow:
            insured = insured_principal(uow, [position])[fund_id]
            fund = uow.funds.get(fund_id)
            opened = fund.opened_on if fund is not None else moment.as_of
            trend = fund_trend(uow, fund_id, opened, moment.as_of, moment.known_at)
            loans = open_loans(uow, [fund_id], moment.as_of, moment.known_at)
            history = fund_history(uow, fund_id, moment.as_of, moment.known_at)
        actions = self._actions([position], moment)
        return FundView(position, leverage_line(position, insured), trend, loans, history, actions, cover)

    def readable_fund(self, principal: Principal, fund_id: str, moment: Moment) -> FundPosition:
        """The fund's position, if the key may read it (``AccessDenied`` / ``UnknownFund`` otherwise)."""
        return self.reads.position(principal, fund_id, moment.as_of, moment.known_at)

    def loan(self, principal: Principal, fund_id: str, loan_id: str, moment: Moment) -> LoanView:
        """One loan of a fund the key may read: its record, its book as of the date and its events."""
        position = self.reads.position(principal, fund_id, moment.as_of, moment.known_at)
        loan = self.reads.loan(principal, fund_id, loan_id)
        with UnitOfWork(self.engine, read_only=True) as uow:
            book = [o for o in open_loans(uow, [fund_id], moment.as_of, moment.known_at) if o.loan_id == loan_id]
            history = fund_history(uow, fund_id, moment.as_of, moment.known_at, loan_id=loan_id)
        if not history:  # not disbursed yet on as_of, or not known at known_at
            raise UnknownLoan(fund_id, loan_id)
        return LoanView(position, loan, book[0] if book else None, history)
