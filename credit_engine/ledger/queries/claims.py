"""Compensation claimed and not yet paid, per loan, with the day it was claimed: what the workspace's action list
checks against the policy's payment deadline.

:func:`pending_claims` is two queries: the ``compensation_payable`` postings summed per loan up to ``as_of`` (the
pending share, a credit balance) and the loans' unreversed ``compensation_claim`` transactions (the latest one's value
date is the claim's day), both as known at ``known_at`` when given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from credit_engine.ledger import accounts as a
from credit_engine.ledger.tables import PostingRow, TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork

CLAIM_EVENT = "compensation_claim"


@dataclass(frozen=True, slots=True)
class PendingClaim:
    fund_id: str
    loan_id: str
    claimed_on: dt.date
    pending_fen: int


def _pending(uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None) -> dict:
    p = PostingRow
    query = select(p.fund_id, p.loan_id, func.sum(p.amount_fen)).where(
        p.fund_id.in_(fund_ids), p.loan_id.is_not(None), p.account == a.COMPENSATION_PAYABLE, p.value_date <= as_of
    )
    if known_at is not None:
        query = query.where(p.recorded_at <= known_at)
    query = query.group_by(p.fund_id, p.loan_id)
    return {(f, loan): -int(total) for f, loan, total in uow.connection.execute(query) if -int(total) > 0}


def _claim_days(uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None) -> dict:
    t = TransactionRow
    query = select(t.id, t.fund_id, t.loan_id, t.event_type, t.value_date, t.reverses_id).where(
        t.fund_id.in_(fund_ids), t.loan_id.is_not(None), t.value_date <= as_of
    )
    if known_at is not None:
        query = query.where(t.recorded_at <= known_at)
    rows = list(uow.connection.execute(query.order_by(t.id)))
    reversed_ids = {row.reverses_id for row in rows if row.reverses_id is not None}
    days: dict[tuple[str, str], dt.date] = {}
    for row in rows:
        if row.event_type == CLAIM_EVENT and row.id not in reversed_ids:
            days[(row.fund_id, row.loan_id)] = row.value_date
    return days


def pending_claims(
    uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None = None
) -> list[PendingClaim]:
    """Loans of ``fund_ids`` with compensation pending on ``as_of`` (as known at ``known_at``), by fund and loan."""
    if not fund_ids:
        return []
    pending = _pending(uow, list(fund_ids), as_of, known_at)
    days = _claim_days(uow, list(fund_ids), as_of, known_at)
    return [
        PendingClaim(fund_id, loan_id, days[(fund_id, loan_id)], fen)
        for (fund_id, loan_id), fen in sorted(pending.items())
        if (fund_id, loan_id) in days
    ]
