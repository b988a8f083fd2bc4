"""The month-end series behind the charts: fund balance, covered principal and NPL principal per fund and month.

Two aggregates over ``ledger_posting`` (whatever the number of months): the fund cash and covered accounts summed
per fund and value month, and the overdue principal per fund, value month and ``overdue_since`` — a loan is
non-performing at a month-end M when it fell due at least 90 days before M. Running sums over the months give the
same figures as :func:`credit_engine.ledger.position.fund_positions` at each month-end, with the same "as known
at" cut, so the chart and the tables never disagree. The last point is the as-of date itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import extract, func, select

from credit_engine.ledger import accounts as a
from credit_engine.ledger.tables import PostingRow
from credit_engine.ledger.unit_of_work import UnitOfWork

NPL_DAYS = 90
MAX_MONTHS = 60


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One fund on one month-end (or the as-of date)."""

    fund_id: str
    on: dt.date
    fund_balance_fen: int
    covered_principal_fen: int
    npl_fen: int


def month_ends(first: dt.date, as_of: dt.date) -> list[dt.date]:
    """Month-ends from ``first``'s month to before ``as_of``, then ``as_of``; at most the last 60 months."""
    days, year, month = [], first.year, first.month
    while (year, month) <= (as_of.year, as_of.month):
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        days.append(min(end, as_of))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days[-MAX_MONTHS:]


def _month(column):  # noqa: ANN001, ANN202 - a SQL expression: year × 12 + month − 1
    return (extract("year", column) * 12 + extract("month", column) - 1).label("month")


def _filtered(query, as_of: dt.date, known_at: dt.datetime | None, fund_ids: list[str]):  # noqa: ANN001, ANN202
    query = query.where(PostingRow.value_date <= as_of, PostingRow.fund_id.in_(fund_ids))
    return query if known_at is None else query.where(PostingRow.recorded_at <= known_at)


def _index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def monthly_series(
    uow: UnitOfWork, fund_ids: list[str], first: dt.date, as_of: dt.date, known_at: dt.datetime | None = None
) -> list[SeriesPoint]:
    """Every fund's point at every month-end from ``first`` to ``as_of`` (see the module docstring)."""
    if not fund_ids:
        return []
    month = _month(PostingRow.value_date)
    accounts = (a.FUND_CASH, *a.COVERED_ACCOUNTS)
    flows = select(PostingRow.fund_id, PostingRow.account, month, func.sum(PostingRow.amount_fen))
    flows = _filtered(flows.where(PostingRow.account.in_(accounts)), as_of, known_at, fund_ids)
    flows = flows.group_by(PostingRow.fund_id, PostingRow.account, month)
    overdue = select(PostingRow.fund_id, PostingRow.overdue_since, month, func.sum(PostingRow.amount_fen))
    overdue = _filtered(overdue.where(PostingRow.account == a.PRINCIPAL_OVERDUE), as_of, known_at, fund_ids)
    overdue = overdue.group_by(PostingRow.fund_id, PostingRow.overdue_since, month)
    cash: dict[str, dict[int, int]] = {}
    covered: dict[str, dict[int, int]] = {}
    for fund_id, account, index, amount in uow.connection.execute(flows):
        target = cash if account == a.FUND_CASH else covered
        months = target.setdefault(fund_id, {})
        months[int(index)] = months.get(int(index), 0) + int(amount)
    late: dict[str, list[tuple[int, dt.date, int]]] = {}
    for fund_id, since, index, amount in uow.connection.execute(overdue):
        late.setdefault(fund_id, []).append((int(index), since, int(amount)))
    points = []
    for fund_id in fund_ids:
        running_cash = _running(cash.get(fund_id, {}))
        running_covered = _running(covered.get(fund_id, {}))
        for day in month_ends(first, as_of):
            bound = day - dt.timedelta(days=NPL_DAYS)
            npl = sum(x for m, since, x in late.get(fund_id, []) if m <= _index(day) and since <= bound)
            points.append(SeriesPoint(fund_id, day, running_cash(_index(day)), running_covered(_index(day)), npl))
    return points


def _running(by_month: dict[int, int]):  # noqa: ANN202 - a function month index -> cumulative sum
    ordered = sorted(by_month.items())

    def upto(index: int) -> int:
        return sum(amount for m, amount in ordered if m <= index)

    return upto
