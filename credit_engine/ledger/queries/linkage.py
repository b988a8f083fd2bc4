"""带贫 linkage as of a value date: per fund, the loans that record the registered poor households they drive
(强农贷 disbursements, migration 0005) and are still covered on ``as_of``, the households they drive and their
covered principal — as known at ``known_at`` (None: everything recorded), like every position figure.

A loan counts while its covered principal (current plus overdue) is above zero on ``as_of``: a repaid, compensated
or written-off loan drives no households any more, and a reversed disbursement never did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from credit_engine.ledger.accounts import COVERED_ACCOUNTS
from credit_engine.ledger.tables import PostingRow, TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Linkage:
    """One fund's (or an area's) linked loans: how many, the households they drive, their covered principal."""

    loans: int = 0
    households_driven: int = 0
    principal_fen: int = 0

    def plus(self, other: Linkage) -> Linkage:
        total = self.households_driven + other.households_driven
        return Linkage(self.loans + other.loans, total, self.principal_fen + other.principal_fen)

    @property
    def principal_per_household_fen(self) -> int | None:
        """Covered principal per household driven, to the fen (half up); None without households."""
        if not self.households_driven:
            return None
        return (2 * self.principal_fen + self.households_driven) // (2 * self.households_driven)


def _covered(as_of: dt.date, known_at: dt.datetime | None, fund_ids: list[str]):
    """Covered principal per loan on ``as_of`` (a subquery)."""
    amount = func.sum(PostingRow.amount_fen).label("fen")
    query = select(PostingRow.fund_id, PostingRow.loan_id, amount).where(
        PostingRow.account.in_(COVERED_ACCOUNTS), PostingRow.value_date <= as_of, PostingRow.fund_id.in_(fund_ids)
    )
    if known_at is not None:
        query = query.where(PostingRow.recorded_at <= known_at)
    linked = select(TransactionRow.loan_id).where(
        TransactionRow.event_type == "disbursement", TransactionRow.households_driven.is_not(None)
    )
    query = query.where(PostingRow.loan_id.in_(linked))  # only the loans that can count, not the whole book
    return query.group_by(PostingRow.fund_id, PostingRow.loan_id).subquery()


def linkage_by_fund(
    uow: UnitOfWork, as_of: dt.date, known_at: dt.datetime | None, fund_ids: Iterable[str]
) -> dict[str, Linkage]:
    """The linked loans of each of ``fund_ids`` still covered on ``as_of`` (funds without any are left out)."""
    ids = list(fund_ids)
    if not ids:
        return {}
    covered = _covered(as_of, known_at, ids)
    disbursed = TransactionRow
    query = (
        select(disbursed.fund_id, disbursed.households_driven, covered.c.fen)
        .join(covered, and_(covered.c.fund_id == disbursed.fund_id, covered.c.loan_id == disbursed.loan_id))
        .where(disbursed.event_type == "disbursement", disbursed.households_driven.is_not(None))
        .where(disbursed.value_date <= as_of, disbursed.fund_id.in_(ids), covered.c.fen > 0)
    )
    reversal = aliased(TransactionRow)
    reversed_ = select(reversal.id).where(reversal.reverses_id == disbursed.id)
    if known_at is not None:
        query = query.where(disbursed.recorded_at <= known_at)
        reversed_ = reversed_.where(reversal.recorded_at <= known_at)
    query = query.where(~reversed_.exists())
    found: dict[str, Linkage] = {}
    for fund_id, households, fen in uow.connection.execute(query):
        found[fund_id] = found.get(fund_id, Linkage()).plus(Linkage(1, int(households), int(fen)))
    return found
