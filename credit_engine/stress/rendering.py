"""Writing a stress test to a file: JSON (for programs), XLSX (Chinese headers, English below) or one self-contained
HTML page (中文 with English; inline SVG charts, nothing fetched) — money in yuan, exact from fen.

The workbook and the page reuse the reports' renderers: :func:`credit_engine.reports.xlsx.fill_sheet` formats a
sheet (yuan, percentages, ×), :func:`credit_engine.reports.html.table_of` and :mod:`credit_engine.reports.charts`
draw the tables and charts.
"""

from __future__ import annotations

import json
from pathlib import Path

from credit_engine.errors import InvalidInput, RowError
from credit_engine.stress.layout import county_name, document, settings_of, sheets
from credit_engine.stress.service import StressResult

FORMATS = ("json", "xlsx", "html")
TEMPLATE = Path(__file__).with_name("stress.html")
ASSUMPTIONS = (
    (
        "违约 Defaults",
        "单因子高斯Copula：省因子+县因子，按产品设资产相关性（默认巴塞尔零售公式），每12个月抽取一次 / "
        "one-factor Gaussian copula, province + county factor, asset correlation per product "
        "(Basel retail by default), drawn per 12-month block",
    ),
    ("PD", "贷款关联评估的模型PD，否则按产品默认PD / the model PD of the loan's assessment, else the product's PD"),
    (
        "续贷 Re-lending",
        "到期回收后按测试倍数×截至日基金余额续贷，按产品结构；暂停放款时不续贷 / matured principal "
        "re-lent up to the tested multiple × the balance on the as-of date, in the book's product mix; "
        "none while suspended",
    ),
    (
        "代偿 Compensation",
        "逾期达触发天数后按基金分担比例（默认7:3）在付款期限内支付 / the fund's share (7:3 by default) "
        "paid after the trigger days plus the payment deadline",
    ),
    ("追偿 Recoveries", "代偿后按回收率、滞后月数按比例返还基金 / recovery rate × the fund's share, after the lag"),
    (
        "暂停 Suspension",
        "逾期达触发天数至回收/核销的本金为不良；不良率超阈值时次月暂停续贷 / principal from the trigger "
        "to recovery or write-off is non-performing; above the policy's ratio lending stops the next month",
    ),
    ("耗尽 Exhaustion", "基金余额（含利息）不足以支付到期代偿 / the balance with interest cannot pay a claim due"),
    (
        "安全倍数 Safe multiple",
        "期内耗尽概率低于目标的最高测试倍数（空白：无）；补充资金：当前贷款规模下达到目标所需注资 / the highest "
        "tested multiple below the target (blank: none is); top-up: the contribution meeting it with the current book",
    ),
)


def write_stress(result: StressResult, fmt: str, path: Path) -> Path:
    """Render ``result`` as ``fmt`` into ``path`` (its folder is created)."""
    if fmt not in FORMATS:
        raise InvalidInput([RowError(None, "--format", "stress_format", f"one of {', '.join(FORMATS)}", fmt)])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        path.write_text(json.dumps(document(result), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif fmt == "xlsx":
        write_workbook(result, path)
    else:
        path.write_text(render_page(result), encoding="utf-8")
    return path


def _about_rows(result: StressResult) -> list[tuple[str, object]]:
    settings = settings_of(result)
    rows: list[tuple[str, object]] = [
        (f"{key}", value if not isinstance(value, list) else ", ".join(map(str, value)))
        for key, value in settings.items()
    ]
    rows.append(("loans / 贷款笔数", result.loans))
    rows.append(("loans_with_model_pd / 有模型PD笔数", result.loans_with_model_pd))
    return rows + list(ASSUMPTIONS)


def write_workbook(result: StressResult, path: Path) -> None:
    from openpyxl import Workbook

    from credit_engine.cell_text import inert_cell, xml_text
    from credit_engine.reports.xlsx import fill_sheet

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets(result):
        fill_sheet(book.create_sheet(sheet.zh[:31]), sheet)
    about = book.create_sheet("说明 About")
    for row in _about_rows(result):
        about.append([xml_text(v) if isinstance(v, str) else v for v in row])
        for cell in about[about.max_row]:
            inert_cell(cell)
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 100
    book.properties.creator = "credit-engine"
    book.save(path)


def _template():  # noqa: ANN202 - a jinja2 Template
    from credit_engine.reports.html import page_template

    return page_template(TEMPLATE)


def _label(fund) -> str:  # noqa: ANN001 - a FundStress
    return f"{county_name(fund.county_code).split()[0]} {fund.bank_code}"


def _exhaustion_chart(result: StressResult, target: float) -> str:
    from credit_engine.reports import charts

    bars = [
        charts.Bar(_label(f), f.current.exhaustion_within_horizon * 100,
                   "suspended" if f.current.exhaustion_within_horizon >= target else "ok")
        for f in result.funds
    ]  # fmt: skip
    title = "期内耗尽概率（当前倍数） P(exhausted within horizon), current multiple"
    return charts.bars(title, bars, "%", (f"目标 target {target:.0%}", target * 100))


def _safe_chart(result: StressResult) -> str:
    from credit_engine.reports import charts

    bars = [
        charts.Bar(_label(f), f.safe_multiple or 0.0, "ok" if f.safe_multiple else "suspended",
                   {"floor": f.current.multiple or 0.0}, f"{f.safe_multiple:g}×" if f.safe_multiple else "—")
        for f in result.funds
    ]  # fmt: skip
    return charts.bars("安全放大倍数（竖线：当前倍数） Safe multiple (tick: current multiple)", bars, "×")


def _curve_chart(result: StressResult, target: float) -> str:
    from credit_engine.reports import charts

    labels = [str(m) for m in range(1, result.options.horizon_months + 1)]
    series = {f.fund_id: [p * 100 for p in f.current.exhaustion_curve] for f in result.funds}
    title = "累计耗尽概率（当前倍数，按月） P(exhausted by month), current multiple"
    return charts.lines(title, labels, series, {f"目标 target {target:.0%}": target * 100}, "%")


def _charts(result: StressResult) -> list[str]:
    """Exhaustion and safe multiple per fund; the month-by-month exhaustion curve for up to 4 funds."""
    target = result.scenario.target_exhaustion_probability
    found = [_exhaustion_chart(result, target), _safe_chart(result)]
    if 0 < len(result.funds) <= 4:
        found.append(_curve_chart(result, target))
    return found


def render_page(result: StressResult) -> str:
    """The whole page as text (UTF-8, no external reference)."""
    from markupsafe import Markup

    from credit_engine.reports.html import table_of

    context = {
        "result": result,
        "settings": settings_of(result),
        "assumptions": ASSUMPTIONS,
        "tables": [table_of(sheet) for sheet in sheets(result)],
        "charts": [Markup(svg) for svg in _charts(result)],  # noqa: S704 - drawn and escaped by reports.charts
    }
    return _template().render(**context)
