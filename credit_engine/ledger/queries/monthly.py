"""Postings summed per fund and value month: the two aggregates behind the month-end series of the reports.

A month is an index ``year × 12 + month − 1`` computed by the database (:func:`month_index` gives the same for a
date). Both aggregates read postings up to ``as_of`` and, with ``known_at``, recorded by then.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import extract, func, select

from credit_engine.ledger import accounts as a
from credit_engine.ledger.tables import PostingRow
from credit_engine.ledger.unit_of_work import UnitOfWork


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month(column):  # noqa: ANN001, ANN202 - a SQL expression: year × 12 + month − 1
    return (extract("year", column) * 12 + extract("month", column) - 1).label("month")


def _filtered(query, as_of: dt.date, known_at: dt.datetime | None, fund_ids: list[str]):  # noqa: ANN001, ANN202
    query = query.where(PostingRow.value_date <= as_of, PostingRow.fund_id.in_(fund_ids))
    return query if known_at is None else query.where(PostingRow.recorded_at <= known_at)


def cash_and_covered_by_month(
    uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None
) -> list[tuple[str, str, int, int]]:
    """(fund id, account, month index, fen) of the fund cash and covered principal accounts."""
    month = _month(PostingRow.value_date)
    query = select(PostingRow.fund_id, PostingRow.account, month, func.sum(PostingRow.amount_fen))
    accounts = (a.FUND_CASH, *a.COVERED_ACCOUNTS)
    query = _filtered(query.where(PostingRow.account.in_(accounts)), as_of, known_at, fund_ids)
    query = query.group_by(PostingRow.fund_id, PostingRow.account, month)
    return [(fund_id, account, int(index), int(fen)) for fund_id, account, index, fen in uow.connection.execute(query)]


def overdue_by_month(
    uow: UnitOfWork, fund_ids: list[str], as_of: dt.date, known_at: dt.datetime | None
) -> list[tuple[str, dt.date, int, int]]:
    """(fund id, overdue since, month index, fen) of the overdue principal account."""
    month = _month(PostingRow.value_date)
    query = select(PostingRow.fund_id, PostingRow.overdue_since, month, func.sum(PostingRow.amount_fen))
    query = _filtered(query.where(PostingRow.account == a.PRINCIPAL_OVERDUE), as_of, known_at, fund_ids)
    query = query.group_by(PostingRow.fund_id, PostingRow.overdue_since, month)
    return [(fund_id, since, int(index), int(fen)) for fund_id, since, index, fen in uow.connection.execute(query)]
