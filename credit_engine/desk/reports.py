"""Leverage, portfolio and subsidy reports for an API key, and :func:`read_report`, the one way to build a report
from the ledger (the API and ``credit-engine report`` both use it).

A key reads the county or province it asks for if its scope covers it, else its own
(:func:`~.authorisation.report_scope`); a time without a zone is China time, as on the command line; a subsidy
report needs its first and last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from credit_engine.access.principal import Principal
from credit_engine.clock import Clock, utc_now
from credit_engine.desk.authorisation import report_scope
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger.domain import CHINA, ledger_date
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.build import Report, Scope, build_report


@dataclass(frozen=True, slots=True)
class ReportRequest:
    kind: str
    as_of: dt.date | None = None
    known_at: dt.datetime | None = None
    county: str | None = None
    province: str | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None


def known_at_in_china(moment: dt.datetime) -> dt.datetime:
    """A recording time without a zone is China time (the API and the command line agree)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CHINA)


def read_report(
    engine: Engine,
    kind: str,
    as_of: dt.date,
    known_at: dt.datetime | None,
    scope: Scope,
    period: tuple[dt.date, dt.date] | None = None,
    *,
    with_series: bool,
) -> Report:
    """One report from one consistent snapshot of the ledger (``reports.build_report``)."""
    with UnitOfWork(engine, read_only=True) as uow:
        return build_report(uow, kind, as_of, known_at, scope, period, with_series=with_series)


class Reports:
    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.clock = clock

    def report(self, principal: Principal, request: ReportRequest, *, with_series: bool) -> Report:
        """A leverage, portfolio or subsidy report of the funds the key may see."""
        county, province = report_scope(principal, request.county, request.province)
        known_at = None if request.known_at is None else known_at_in_china(request.known_at)
        period = None
        if request.kind == "subsidy":
            if request.first_day is None or request.last_day is None:
                message = "a subsidy report needs from and to / 贴息报表须给出起止日期"
                raise InvalidInput([RowError(None, "from", "required", message)])
            period = (request.first_day, request.last_day)
        as_of = request.as_of or ledger_date(self.clock())
        scope = Scope(county=county, province=province)
        return read_report(self.engine, request.kind, as_of, known_at, scope, period, with_series=with_series)
