"""The report as one self-contained web page: a table per view with bilingual headers, status colours, charts.

Everything is inline — the stylesheet, the charts (SVG drawn by :mod:`.charts`) — so the page opens offline from
a file and fetches nothing. The template ``report.html`` ships beside this module (Jinja2, autoescaped). Charts:
the multiple of each county against its floor and cap, the NPL ratio of each county against the suspension
threshold, and the month-end series of the multiple and the NPL ratio of everything reported; the subsidy report
charts the subsidy due per county.
"""

from __future__ import annotations

import functools
from pathlib import Path

from markupsafe import Markup

from credit_engine.reports import charts
from credit_engine.reports.build import Report
from credit_engine.reports.formats import display
from credit_engine.reports.layout import Sheet, sheets
from credit_engine.reports.leverage import STATUS_LABELS, STATUSES, Rollup, county_rollups, rollup_of

TEMPLATE = Path(__file__).with_name("report.html")
STYLE = Path(__file__).with_name("page.css")  # the look every page of the engine shares (reports, stress test)


@functools.cache
def page_template(path: Path):  # noqa: ANN201 - a jinja2 Template
    """The page template at ``path`` (Jinja2, autoescaped), with the shared style as ``page_style`` and the shared
    charts-and-tables block as ``page_tables.html`` (``charts``: SVG strings, ``tables``: :func:`table_of` dicts)."""
    from jinja2 import Environment, FileSystemLoader
    from markupsafe import Markup

    loader = FileSystemLoader(STYLE.parent)  # the shared parts: {% include "page_tables.html" %}
    environment = Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    environment.globals["page_style"] = Markup(STYLE.read_text(encoding="utf-8").rstrip("\n"))
    return environment.from_string(path.read_text(encoding="utf-8"))


def _template():  # noqa: ANN202 - a jinja2 Template
    return page_template(TEMPLATE)


NUMERIC = ("fen", "ratio", "multiple", "int")


def table_of(sheet: Sheet) -> dict:
    rows = []
    for row in sheet.rows:
        cells = []
        for column in sheet.columns:
            value = row.get(column.key)
            css = "num" if column.kind in NUMERIC else (str(value) if column.kind == "status" else "")
            cells.append({"text": display(column, value), "css": css})
        rows.append(cells)
    return {"key": sheet.key, "zh": sheet.zh, "en": sheet.en, "columns": sheet.columns, "rows": rows}


def _county_charts(report: Report) -> list[str]:
    rollups = county_rollups(report.positions)
    found = []
    if report.kind == "leverage":
        items = [charts.Bar(f"{r.name} {r.code}", r.multiple or 0.0, r.worst_status, _markers(r)) for r in rollups]
        found.append(charts.bars("放大倍数与上下限（按县） Multiple vs floor and cap by county", items, "×"))
    if report.kind in ("leverage", "portfolio"):
        items = [charts.Bar(f"{r.name} {r.code}", r.npl_ratio * 100, r.worst_status) for r in rollups]
        limit = min((p.terms.npl_suspension_bps / 100 for p in report.positions), default=3.0)
        found.append(
            charts.bars("不良率（按县） NPL ratio by county", items, "%", (f"暂停阈值 suspension {limit:g}%", limit))
        )
    if report.kind == "subsidy":
        totals: dict[str, int] = {}
        for line in report.primary:
            name = f"{line.county_name} {line.county_code}"
            totals[name] = totals.get(name, 0) + line.subsidy_fen
        items = [
            charts.Bar(name, fen / 10_000, text=f"{fen / 1_000_000:,.2f} 万元") for name, fen in sorted(totals.items())
        ]
        found.append(charts.bars("应贴息（按县，万元） Subsidy due by county (10k yuan)", items))
    return found


def _markers(rollup: Rollup) -> dict[str, float]:
    """The county's floor and cap (balance-weighted); no cap tick when one of its funds has no cap."""
    markers = {"floor": rollup.floor_multiple or 0.0}
    if rollup.cap_multiple is not None and rollup.uncapped_funds == 0:
        markers["cap"] = rollup.cap_multiple
    return markers


def _series_charts(report: Report) -> list[str]:
    if not report.series:
        return []
    by_month: dict[str, list[int]] = {}
    for point in report.series:
        total = by_month.setdefault(point.on.isoformat(), [0, 0, 0])
        total[0] += point.fund_balance_fen
        total[1] += point.covered_principal_fen
        total[2] += point.npl_fen
    labels = sorted(by_month)
    multiple = [by_month[d][1] / by_month[d][0] if by_month[d][0] > 0 else None for d in labels]
    npl = [by_month[d][2] / by_month[d][1] * 100 if by_month[d][1] else 0.0 for d in labels]
    terms = report.positions[0].terms
    names = {"floor": "下限 floor", "cap": "上限 cap"}
    references = {f"{names[k]} {v:.4g}×": v for k, v in _markers(rollup_of(report.positions)).items()}
    short = [d[:7] for d in labels]
    return [
        charts.lines(
            "月末放大倍数（合计） Month-end multiple (all funds reported)",
            short,
            {"放大倍数 multiple": multiple},
            references,
            "×",
        ),
        charts.lines(
            "月末不良率（合计） Month-end NPL ratio (all funds reported)",
            short,
            {"不良率 NPL ratio": npl},
            {f"暂停阈值 {terms.npl_suspension_bps / 100:g}%": terms.npl_suspension_bps / 100},
            "%",
        ),
    ]


def render_page(report: Report) -> str:
    """The whole page as text (UTF-8, no external reference)."""
    zh, en = report.title
    counts = {status: sum(p.status == status for p in report.positions) for status in STATUSES}
    context = {
        "title_zh": zh,
        "title_en": en,
        "report": report,
        "known_at": report.known_at.isoformat() if report.known_at else None,
        "counts": [(status, STATUS_LABELS[status], n) for status, n in counts.items()],
        "tables": [table_of(sheet) for sheet in sheets(report, "province") if sheet.key != "subsidy_loans"],
        "charts": [Markup(svg) for svg in _county_charts(report) + _series_charts(report)],  # noqa: S704 - built and escaped here
    }
    return _template().render(**context)
