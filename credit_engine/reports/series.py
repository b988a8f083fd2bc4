"""The month-end series behind the charts: fund balance, covered principal and NPL principal per fund and month.

Two aggregates over the postings (whatever the number of months; :mod:`credit_engine.ledger.queries.monthly`): the
fund cash and covered accounts summed per fund and value month, and the overdue principal per fund, value month and
``overdue_since`` — a loan is
non-performing at a month-end M when it fell due at least 90 days before M. Running sums over the months give the
same figures as :func:`credit_engine.ledger.position.fund_positions` at each month-end, with the same "as known
at" cut, so the chart and the tables never disagree. The last point is the as-of date itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from credit_engine.ledger import accounts as a
from credit_engine.ledger.queries.monthly import cash_and_covered_by_month, month_index, overdue_by_month
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


def monthly_series(
    uow: UnitOfWork, fund_ids: list[str], first: dt.date, as_of: dt.date, known_at: dt.datetime | None = None
) -> list[SeriesPoint]:
    """Every fund's point at every month-end from ``first`` to ``as_of`` (see the module docstring)."""
    if not fund_ids:
        return []
    cash: dict[str, dict[int, int]] = {}
    covered: dict[str, dict[int, int]] = {}
    for fund_id, account, index, amount in cash_and_covered_by_month(uow, fund_ids, as_of, known_at):
        target = cash if account == a.FUND_CASH else covered
        months = target.setdefault(fund_id, {})
        months[index] = months.get(index, 0) + amount
    late: dict[str, list[tuple[int, dt.date, int]]] = {}
    for fund_id, since, index, amount in overdue_by_month(uow, fund_ids, as_of, known_at):
        late.setdefault(fund_id, []).append((index, since, amount))
    points = []
    for fund_id in fund_ids:
        running_cash = _running(cash.get(fund_id, {}))
        running_covered = _running(covered.get(fund_id, {}))
        for day in month_ends(first, as_of):
            bound, index = day - dt.timedelta(days=NPL_DAYS), month_index(day)
            npl = sum(x for m, since, x in late.get(fund_id, []) if m <= index and since <= bound)
            points.append(SeriesPoint(fund_id, day, running_cash(index), running_covered(index), npl))
    return points


def _running(by_month: dict[int, int]):  # noqa: ANN202 - a function month index -> cumulative sum
    ordered = sorted(by_month.items())

    def upto(index: int) -> int:
        return sum(amount for m, amount in ordered if m <= index)

    return upto
