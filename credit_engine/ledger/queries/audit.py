"""The audit's reads: aggregates over postings, transactions, commands and caches that the checks of
:mod:`credit_engine.ledger.validations` compare. Each takes the funds to look at (None: the whole ledger) and
answers plain values or domain objects.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from sqlalchemy import and_, func, or_, select

from credit_engine.ledger import accounts
from credit_engine.ledger.journal import Posting
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.repository import loan_from_row
from credit_engine.ledger.tables import CommandRow, LoanRow, PolicyRow, PostingRow, TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork

FundIds = list[str] | None


def _scoped(query, column, fund_ids: FundIds):  # noqa: ANN001, ANN202 - a query, a column
    return query if fund_ids is None else query.where(column.in_(list(fund_ids)))


def unbalanced_transactions(uow: UnitOfWork, fund_ids: FundIds) -> list[tuple[int, int]]:
    """(transaction id, sum of its postings) of every transaction whose postings do not sum to zero."""
    total = func.sum(PostingRow.amount_fen)
    query = select(PostingRow.transaction_id, total).group_by(PostingRow.transaction_id).having(total != 0)
    return [(tid, int(s)) for tid, s in uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids))]


def posting_sums_by_fund(uow: UnitOfWork, fund_ids: FundIds) -> list[tuple[str, int]]:
    """(fund id, sum of all its postings)."""
    query = select(PostingRow.fund_id, func.sum(PostingRow.amount_fen)).group_by(PostingRow.fund_id)
    return [(fund_id, int(s)) for fund_id, s in uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids))]


def postings_off_their_transaction(uow: UnitOfWork, fund_ids: FundIds) -> list[tuple[int, int]]:
    """(posting id, transaction id) of postings whose fund, loan or dates differ from their transaction's, or whose
    account is not one of the ledger's."""
    p, t = PostingRow, TransactionRow
    differs = or_(
        p.fund_id != t.fund_id,
        p.value_date != t.value_date,
        p.recorded_at != t.recorded_at,
        func.coalesce(p.loan_id, "") != func.coalesce(t.loan_id, ""),
        p.account.not_in(accounts.ACCOUNTS),
    )
    query = select(p.id, p.transaction_id).join(t, t.id == p.transaction_id).where(differs)
    return [(pid, tid) for pid, tid in uow.connection.execute(_scoped(query, p.fund_id, fund_ids))]


def fund_cash_by_fund_and_day(uow: UnitOfWork, fund_ids: FundIds) -> list[tuple[str, dt.date, int]]:
    """(fund id, value date, net fund cash movement), ordered by fund and date."""
    query = (
        select(PostingRow.fund_id, PostingRow.value_date, func.sum(PostingRow.amount_fen))
        .where(PostingRow.account == accounts.FUND_CASH)
        .group_by(PostingRow.fund_id, PostingRow.value_date)
        .order_by(PostingRow.fund_id, PostingRow.value_date)
    )
    rows = uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids))
    return [(fund_id, day, int(delta)) for fund_id, day, delta in rows]


def book_account_sums(uow: UnitOfWork, fund_ids: FundIds) -> list[tuple[str, str, str | None, int]]:
    """(fund id, account, product, sum) of the accounts the fund's book caches (fund cash, covered principal)."""
    query = (
        select(PostingRow.fund_id, PostingRow.account, PostingRow.product, func.sum(PostingRow.amount_fen))
        .where(PostingRow.account.in_((accounts.FUND_CASH, *accounts.COVERED_ACCOUNTS)))
        .group_by(PostingRow.fund_id, PostingRow.account, PostingRow.product)
    )
    rows = uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids))
    return [(fund_id, account, product, int(total)) for fund_id, account, product, total in rows]


def policy_counts(uow: UnitOfWork, fund_ids: FundIds) -> dict[str, int]:
    """How many policy versions each fund has recorded."""
    query = select(PolicyRow.fund_id, func.count()).group_by(PolicyRow.fund_id)
    return {fund_id: int(n) for fund_id, n in uow.connection.execute(_scoped(query, PolicyRow.fund_id, fund_ids))}


def transactions_without_command(uow: UnitOfWork, fund_ids: FundIds) -> list[int]:
    """Ids of transactions that have no idempotency record pointing at them."""
    t, c = TransactionRow, CommandRow
    on = and_(c.fund_id == t.fund_id, c.idempotency_key == t.idempotency_key, c.transaction_id == t.id)
    query = select(t.id).outerjoin(c, on).where(c.fund_id.is_(None))
    return [tid for (tid,) in uow.connection.execute(_scoped(query, t.fund_id, fund_ids))]


def postings_by_transaction(uow: UnitOfWork, fund_ids: FundIds) -> dict[int, Counter]:
    """Every transaction's postings, counted (a transaction may post the same posting twice)."""
    p = PostingRow
    query = select(p.transaction_id, p.account, p.product, p.overdue_since, p.amount_fen)
    found: dict[int, Counter] = defaultdict(Counter)
    for tid, account, product, since, amount in uow.connection.execute(_scoped(query, p.fund_id, fund_ids)):
        found[tid][Posting(account, int(amount), product, since)] += 1
    return found


def cached_loans(uow: UnitOfWork, fund_ids: FundIds) -> dict[tuple[str, str], Loan]:
    """The loan cache, by (fund id, loan id)."""
    rows = uow.connection.execute(_scoped(select(LoanRow), LoanRow.fund_id, fund_ids))
    return {(row.fund_id, row.loan_id): loan_from_row(row) for row in rows}
