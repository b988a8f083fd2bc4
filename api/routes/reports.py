"""Fund reports over HTTP: leverage, portfolio quality and interest subsidy, as JSON, CSV, XLSX or an HTML page.

Scoped to what the key may read: a county or province it covers (by default its own), everything for an auditor.
JSON is the ledger's JSON report (the primary view's rows); CSV the primary view; money in yuan in each;
XLSX one sheet per view; HTML one self-contained page with charts.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.deps import PrincipalDep, ReportsDep
from api.schemas.common import IsoDate, IsoMoment, error_responses
from credit_engine.desk import ReportRequest
from credit_engine.reports.build import Report
from credit_engine.reports.formats import write_report

router = APIRouter(prefix="/v1/reports", tags=["reports 报表"])
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
Format = Annotated[Literal["json", "csv", "xlsx", "html"], Query(description="json | csv | xlsx | html")]
AsOf = Annotated[IsoDate | None, Query(description="Value date YYYY-MM-DD (default: today).")]
KnownAt = Annotated[IsoMoment | None, Query(description="As known at this time (ISO; no zone: China time).")]
County = Annotated[str | None, Query(pattern=r"^[0-9]{6}$", description="One county (6-digit code).")]
Province = Annotated[str | None, Query(pattern=r"^[0-9]{2}$", description="One province (2-digit code).")]
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report in the format asked for",
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string"}},
            MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            "text/html": {"schema": {"type": "string"}},
        },
    },
    **error_responses(401, 403, 422, 503),
}


def _rendered(report: Report, fmt: str) -> Response:
    with tempfile.TemporaryDirectory() as folder:
        content = write_report(report, fmt, Path(folder) / f"{report.kind}.{fmt}").read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{report.kind}-{report.as_of}.{fmt}"'}
    return Response(content, media_type=MEDIA[fmt], headers=None if fmt in ("json", "html") else headers)


def _as_of_report(kind: str, summary: str, description: str) -> None:
    """``GET /v1/reports/<kind>``: a report as of one value date (leverage, portfolio)."""

    def report(
        principal: PrincipalDep,
        reports: ReportsDep,
        as_of: AsOf = None,
        known_at: KnownAt = None,
        county: County = None,
        province: Province = None,
        format: Format = "json",
    ) -> Response:
        request = ReportRequest(kind, as_of, known_at, county, province)
        return _rendered(reports.report(principal, request, with_series=format in ("xlsx", "html")), format)

    report.__name__ = kind  # the OpenAPI operation id, as a function of that name would give
    report.__doc__ = description
    router.get(f"/{kind}", response_class=Response, responses=RESPONSES, summary=summary)(report)


_as_of_report(
    "leverage",
    "Leverage / 放大倍数报表",
    "Per fund: balance, covered principal, multiple, floor shortfall, cap headroom, NPL ratio, status.",
)
_as_of_report(
    "portfolio",
    "Portfolio quality / 资产质量报表",
    "Overdue buckets, NPL ratio, compensation claimed, paid and pending, recoveries, write-offs, loss rate.",
)


@router.get("/subsidy", response_class=Response, responses=RESPONSES, summary="Interest subsidy / 贴息测算报表")
def subsidy(
    principal: PrincipalDep,
    reports: ReportsDep,
    first_day: Annotated[IsoDate, Query(alias="from", description="First day YYYY-MM-DD.")],
    last_day: Annotated[IsoDate, Query(alias="to", description="Last day YYYY-MM-DD.")],
    known_at: KnownAt = None,
    county: County = None,
    province: Province = None,
    format: Format = "json",
) -> Response:
    """Interest subsidy due per fund and per loan for a period (only days when the loan was current)."""
    request = ReportRequest("subsidy", None, known_at, county, province, first_day, last_day)
    return _rendered(reports.report(principal, request, with_series=False), format)
