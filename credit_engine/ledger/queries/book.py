"""The live book of funds as of a value date: each open loan's outstanding principal, product and maturity.

:func:`open_loans` is two queries whatever the size of the journal: one aggregate over ``ledger_posting`` (the
current and overdue principal of every loan with a value date up to ``as_of``, as known at ``known_at``) and one read
of the transactions that set a loan's maturity (disbursements and extensions, less the reversed ones). A loan is open
when its covered principal (current + overdue) is positive; its maturity is the one its latest maturity event set.
Amounts are integer fen. What the stress test (:mod:`credit_engine.stress`) simulates starts here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from credit_engine.ledger import accounts as a
from credit_engine.ledger.tables import PostingRow, TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class OpenLoan:
    """One open loan of a fund on the as-of date (amounts in fen; ``overdue_since`` None when it is current)."""

    fund_id: str
    loan_id: str
    product: str
    current_fen: int
    overdue_fen: int
    overdue_since: dt.date | None
    maturity_date: dt.date

    @property
    def outstanding_fen(self) -> int:
        return self.current_fen + self.overdue_fen


def _principal(uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None) -> dict:
    """(fund id, loan id) → [product, current fen, overdue fen, earliest overdue-since with principal]."""
    p = PostingRow
    query = select(p.fund_id, p.loan_id, p.product, p.account, p.overdue_since, func.sum(p.amount_fen))
    query = query.where(
        p.fund_id.in_(fund_ids),
        p.loan_id.is_not(None),
        p.value_date <= as_of,
        p.account.in_((a.PRINCIPAL_CURRENT, a.PRINCIPAL_OVERDUE)),
    )
    if known_at is not None:
        query = query.where(p.recorded_at <= known_at)
    query = query.group_by(p.fund_id, p.loan_id, p.product, p.account, p.overdue_since)
    found: dict[tuple[str, str], list] = {}
    for fund_id, loan_id, product, account, since, total in uow.connection.execute(query):
        amount = int(total)
        entry = found.setdefault((fund_id, loan_id), [product, 0, 0, None])
        if account == a.PRINCIPAL_CURRENT:
            entry[1] += amount
        elif amount:
            entry[2] += amount
            entry[3] = since if entry[3] is None or (since is not None and since < entry[3]) else entry[3]
    return found


def _maturities(
    uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None
) -> dict[tuple[str, str], dt.date]:
    """(fund id, loan id) → the maturity its latest unreversed disbursement or extension set by ``as_of``."""
    t = TransactionRow
    query = select(t.id, t.fund_id, t.loan_id, t.maturity_date, t.reverses_id).where(
        t.fund_id.in_(fund_ids), t.loan_id.is_not(None), t.value_date <= as_of
    )
    if known_at is not None:
        query = query.where(t.recorded_at <= known_at)
    rows = list(uow.connection.execute(query.order_by(t.id)))
    reversed_ids = {row.reverses_id for row in rows if row.reverses_id is not None}
    found: dict[tuple[str, str], dt.date] = {}
    for row in rows:
        if row.maturity_date is not None and row.id not in reversed_ids:
            found[(row.fund_id, row.loan_id)] = row.maturity_date
    return found


def open_loans(
    uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None = None
) -> list[OpenLoan]:
    """The open loans of the funds ``fund_ids`` on ``as_of`` as known at ``known_at`` (None: everything recorded),
    ordered by fund and loan."""
    if not fund_ids:
        return []
    principal = _principal(uow, list(fund_ids), as_of, known_at)
    maturities = _maturities(uow, list(fund_ids), as_of, known_at)
    loans = []
    for (fund_id, loan_id), (product, current, overdue, since) in sorted(principal.items()):
        if current + overdue <= 0 or (fund_id, loan_id) not in maturities:
            continue
        loans.append(
            OpenLoan(
                fund_id, loan_id, product, current, overdue, since if overdue else None, maturities[fund_id, loan_id]
            )
        )
    return loans
