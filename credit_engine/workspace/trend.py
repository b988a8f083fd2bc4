"""A fund's month-end trend: balance, covered principal, multiple, NPL ratio, PAR30 and PAR90.

Balance, covered principal and NPL come from :func:`credit_engine.reports.series.monthly_series` (the series the
reports chart, the same figures as the positions at each month-end); PAR30 (principal 30+ days past due ÷ covered
principal) from the same overdue aggregate (:func:`credit_engine.ledger.queries.monthly.overdue_by_month`) with a
30-day bound. PAR90 is the NPL ratio: NPL here is principal 90+ days past due, not yet compensated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from credit_engine.ledger.queries.monthly import month_index, overdue_by_month
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.series import monthly_series

PAR30_DAYS = 30


@dataclass(frozen=True, slots=True)
class TrendPoint:
    on: dt.date
    fund_balance_fen: int
    covered_principal_fen: int
    npl_fen: int
    par30_fen: int

    @property
    def multiple(self) -> float | None:
        return self.covered_principal_fen / self.fund_balance_fen if self.fund_balance_fen > 0 else None

    def _ratio(self, fen: int) -> float:
        return fen / self.covered_principal_fen if self.covered_principal_fen else 0.0

    @property
    def par30(self) -> float:
        return self._ratio(self.par30_fen)

    @property
    def par90(self) -> float:
        return self._ratio(self.npl_fen)


def fund_trend(
    uow: UnitOfWork, fund_id: str, opened_on: dt.date, as_of: dt.date, known_at: dt.datetime | None
) -> list[TrendPoint]:
    """One point per month-end from the fund's opening to ``as_of`` (the last point is ``as_of``)."""
    series = monthly_series(uow, [fund_id], opened_on, as_of, known_at)
    late = [(index, since, fen) for _, since, index, fen in overdue_by_month(uow, [fund_id], as_of, known_at)]
    points = []
    for point in series:
        bound, index = point.on - dt.timedelta(days=PAR30_DAYS), month_index(point.on)
        par30 = sum(fen for m, since, fen in late if m <= index and since is not None and since <= bound)
        points.append(TrendPoint(point.on, point.fund_balance_fen, point.covered_principal_fen, point.npl_fen, par30))
    return points
