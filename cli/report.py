"""``credit-engine report``: leverage, portfolio quality and interest subsidy reports of the fund ledger (报表).

Every report is "as of" a value date and, with ``--known-at``, as known at a recording time (ISO timestamp; one
without a time zone is China time), so a month-end report can be reproduced exactly later. ``--county`` or
``--province`` narrows it to one county's or one province's funds. Formats: ``json`` (yuan), ``csv``
(UTF-8 with BOM, yuan), ``xlsx`` (one sheet per view) and ``html`` (one self-contained page with charts).
Exit codes: 0 written, 2 invalid options, 1 other failures. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from cli.common import console, guarded, settings
from cli.options import day
from cli.options import moment as parse_moment

app = typer.Typer(no_args_is_help=True, help="Fund reports / 风险补偿金报表.")

FORMAT_HELP = "json | csv | xlsx | html"


def _run(kind: str, as_of: dt.date, known_at: str | None, county, province, fmt: str, out: Path, period=None):  # noqa: ANN001
    from credit_engine.desk.reports import read_report
    from credit_engine.ledger.database import open_ledger
    from credit_engine.ledger.writes import invalid
    from credit_engine.reports.build import Scope
    from credit_engine.reports.formats import FORMATS, write_report

    if fmt not in FORMATS:
        raise invalid("--format", "report_format", FORMAT_HELP, fmt)
    scope = Scope(county=county, province=province)
    moment = parse_moment("--known-at", known_at)
    engine = open_ledger(settings())
    try:
        report = read_report(engine, kind, as_of, moment, scope, period, with_series=fmt in ("xlsx", "html"))
    finally:
        engine.dispose()
    path = write_report(report, fmt, out)
    console.print(f"{kind} report / 报表: {len(report.positions)} funds / 基金 → {path}", highlight=False)


AS_OF = typer.Option(..., "--as-of", help="Value date YYYY-MM-DD / 截至日.")
COUNTY = typer.Option(None, "--county", help="Only this county (6-digit code) / 仅该县.")
PROVINCE = typer.Option(None, "--province", help="Only this province (2-digit code) / 仅该省.")
KNOWN_AT = typer.Option(None, "--known-at", help="As known at this recording time (ISO) / 记账截至时点.")
FORMAT = typer.Option(..., "--format", help=f"{FORMAT_HELP} / 格式.")
OUT = typer.Option(..., "--out", help="Output file / 输出文件.")


def _as_of_report(kind: str, summary: str) -> None:
    """Register ``credit-engine report <kind>``: a report as of one value date (leverage, portfolio)."""

    @app.command(kind, help=summary)
    @guarded
    def command(
        as_of: str = AS_OF,
        known_at: str | None = KNOWN_AT,
        county: str | None = COUNTY,
        province: str | None = PROVINCE,
        fmt: str = FORMAT,
        out: Path = OUT,
    ) -> None:
        _run(kind, day("--as-of", as_of), known_at, county, province, fmt, out)


_as_of_report("leverage", "Leverage per fund, county and province, household share, month-end series / 放大倍数报表.")
_as_of_report("portfolio", "Overdue buckets, NPL, compensation, recoveries, write-offs, loss rate / 资产质量报表.")


@app.command("subsidy")
@guarded
def subsidy(
    first: str = typer.Option(..., "--from", help="First day YYYY-MM-DD / 起始日."),
    last: str = typer.Option(..., "--to", help="Last day YYYY-MM-DD / 截止日."),
    known_at: str | None = KNOWN_AT,
    county: str | None = COUNTY,
    province: str | None = PROVINCE,
    fmt: str = FORMAT,
    out: Path = OUT,
) -> None:
    """Interest subsidy due for a period, on current days only / 贴息测算报表."""
    period = (day("--from", first), day("--to", last))
    _run("subsidy", period[1], known_at, county, province, fmt, out, period)
