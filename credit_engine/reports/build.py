"""Assembling a report: which funds (scope), which date, which recording time, which views.

:func:`build_report` reads the ledger once — positions as of the date, as known at the recording time, for the
funds of a county or a province or all of them — and returns a :class:`Report`: the views of its kind (the first
is the primary one, the rows of the JSON and CSV outputs) and the month-end series of the charts. ``leverage``:
leverage per fund, per county, per province, household share and the series; ``portfolio``: portfolio quality per
fund, county and province and the series; ``subsidy``: subsidy due per fund and per loan for a period. The series
is built only for renderers that draw it (``with_series``), which keeps the JSON leverage report to four queries.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger.position import FundPosition, fund_positions
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.products import Product
from credit_engine.ledger.queries.linkage import Linkage, linkage_by_fund
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.insurance import insured_principal
from credit_engine.reports.leverage import (
    county_name,
    county_rollups,
    household_line,
    leverage_line,
    province_name,
    province_rollups,
)
from credit_engine.reports.portfolio import portfolio_line, portfolio_rollups
from credit_engine.reports.series import SeriesPoint, monthly_series
from credit_engine.reports.subsidy import subsidy_lines

KINDS = ("leverage", "portfolio", "subsidy")
TITLES = {
    "leverage": ("风险补偿金放大倍数报表", "Risk-compensation fund leverage report"),
    "portfolio": ("风险补偿金资产质量报表", "Risk-compensation fund portfolio quality report"),
    "subsidy": ("贴息测算报表", "Interest subsidy report"),
}


@dataclass(frozen=True, slots=True)
class Scope:
    """All funds, a county's (6-digit code) or a province's (2-digit code)."""

    county: str | None = None
    province: str | None = None

    def __post_init__(self) -> None:
        errors = []
        if self.county and self.province:
            errors.append(RowError(None, "county", "one_scope", "give --county or --province, not both / 二选一"))
        if self.county is not None and not re.fullmatch(r"\d{6}", self.county):
            errors.append(RowError(None, "county", "county_code", "6 digits / 6 位县代码", self.county))
        if self.province is not None and not re.fullmatch(r"\d{2}", self.province):
            errors.append(RowError(None, "province", "province_code", "2 digits / 2 位省代码", self.province))
        if errors:
            raise InvalidInput(errors)

    @property
    def prefix(self) -> str | None:
        return self.county or self.province

    @property
    def label(self) -> str:
        if self.county:
            return f"{county_name(self.county)} {self.county}".strip()
        if self.province:
            return f"{province_name(self.province)} {self.province}"
        return "全部 all funds"


@dataclass
class Report:
    kind: str
    as_of: dt.date
    known_at: dt.datetime | None
    scope: Scope
    views: dict[str, list] = field(default_factory=dict)
    series: list[SeriesPoint] = field(default_factory=list)
    positions: list[FundPosition] = field(default_factory=list)
    period: tuple[dt.date, dt.date] | None = None
    products: tuple[Product, ...] = ()  # the ledger's products: one column each where a view is per product

    @property
    def primary(self) -> list:
        return next(iter(self.views.values()), [])

    @property
    def title(self) -> tuple[str, str]:
        return TITLES[self.kind]


def build_report(
    uow: UnitOfWork,
    kind: str,
    as_of: dt.date,
    known_at: dt.datetime | None = None,
    scope: Scope | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    *,
    with_series: bool = True,
) -> Report:
    """The report of ``kind`` (see the module docstring); ``subsidy`` needs a ``period`` and uses its last day."""
    scope = scope or Scope()
    as_of = _report_date(kind, as_of, period)
    positions = fund_positions(uow, as_of, known_at, county_prefix=scope.prefix)
    products = positions[0].products if positions else catalog(uow.connection).products
    report = Report(kind, as_of, known_at, scope, positions=positions, period=period, products=products)
    report.views = _views(uow, kind, positions, period, known_at)
    if with_series and kind != "subsidy" and positions:
        first = min(p.as_of for p in positions)
        opened = _first_month(uow, positions, first)
        report.series = monthly_series(uow, [p.fund_id for p in positions], opened, as_of, known_at)
    return report


def _report_date(kind: str, as_of: dt.date, period: tuple[dt.date, dt.date] | None) -> dt.date:
    """The date a report of ``kind`` is as of: ``as_of``, or the last day of a subsidy report's ``period``."""
    if kind not in KINDS:
        raise InvalidInput([RowError(None, "kind", "report_kind", f"one of {', '.join(KINDS)}", kind)])
    if kind != "subsidy":
        return as_of
    if period is None or period[0] > period[1]:
        raise InvalidInput([RowError(None, "from", "period", "--from must not be after --to / 起止日期有误")])
    return period[1]


def _views(
    uow: UnitOfWork,
    kind: str,
    positions: list[FundPosition],
    period: tuple[dt.date, dt.date] | None,
    known_at: dt.datetime | None,
) -> dict[str, list]:
    """The views of a report of ``kind``, its primary view first."""
    if kind == "leverage":
        insured = insured_principal(uow, positions)
        return {
            "leverage": [leverage_line(p, insured.get(p.fund_id, 0)) for p in positions],
            "leverage_county": county_rollups(positions),
            "leverage_province": province_rollups(positions),
            "household": [household_line(p) for p in positions],
        }
    if kind == "portfolio":
        as_of = positions[0].as_of if positions else None
        linked = linkage_by_fund(uow, as_of, known_at, [p.fund_id for p in positions]) if as_of else {}
        return {
            "portfolio": [portfolio_line(p, linked.get(p.fund_id, Linkage())) for p in positions],
            "portfolio_county": portfolio_rollups(positions, "county", linked),
            "portfolio_province": portfolio_rollups(positions, "province", linked),
        }
    assert period is not None
    funds, loans = subsidy_lines(uow, positions, period[0], period[1], known_at)
    return {"subsidy": funds, "subsidy_loans": loans}


def _first_month(uow: UnitOfWork, positions: list[FundPosition], fallback: dt.date) -> dt.date:
    """The earliest opening date of the funds reported."""
    found = [uow.funds.get(p.fund_id) for p in positions]
    return min((f.opened_on for f in found if f is not None), default=fallback)
