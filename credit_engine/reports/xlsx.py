"""The report as a workbook (openpyxl): one worksheet per view, then an about sheet.

Headers are Chinese with the English below them in the same cell; the header row is frozen and filtered; money is
written in yuan as exact decimals (fen ÷ 100 through ``Decimal``) with the format ``#,##0.00``, ratios as
percentages, multiples with a ×, dates as dates; status cells are coloured like the web page. Column widths follow
the content. Text is written as text whatever it holds: a character XML forbids shows as U+FFFD and text that looks
like a formula is an inert string cell (:mod:`credit_engine.cell_text`), so no stored value can break the workbook
or run in it. The about sheet states the as-of date, the recording time the report is as known at, the scope and
how buckets, the loss rate and the statuses of counties and provinces are defined.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from credit_engine.cell_text import inert_cell, xml_text
from credit_engine.reports.build import Report
from credit_engine.reports.layout import Column, Sheet, sheets, status_label, yuan

FORMATS = {"fen": "#,##0.00", "ratio": "0.00%", "multiple": '0.00"×"', "int": "#,##0", "date": "yyyy-mm-dd"}
WIDTHS = {"fen": 18, "ratio": 11, "multiple": 10, "int": 12, "date": 12, "bool": 9, "status": 20}
STATUS_FILLS = {
    "ok": "D9EAD3",
    "below_floor": "FCE5CD",
    "at_cap": "CFE2F3",
    "over_cap": "D9D2E9",
    "suspended": "F4CCCC",
    "needs_action": "FFF2CC",
}
NOTES = (
    ("金额单位 Money", "元，两位小数（由分精确换算） / yuan, two decimals (exact from fen)"),
    ("逾期分档 Overdue buckets", "按截至日的逾期天数：1–30、31–60、61–89、90天以上（90天起为不良）"),
    ("损失率 Loss rate", "(已代偿未回收本金 + 核销本金) ÷ (覆盖贷款余额 + 已代偿本金)"),
    (
        "状态 Status",
        "暂停放款 > 超上限 > 已达上限 > 低于下限 > 正常 / suspended > over cap > at cap > below floor > ok",
    ),
    (
        "县、省状态 County, province status",
        "各基金状态相同时即为该状态，不同时为“需处理”，并列出最严重状态及各状态基金数 / the funds' status when they "
        "all share it, else needs action, with the most severe fund status and the funds in each status",
    ),
    (
        "县、省上下限 County, province floor and cap",
        "下限 = Σ(基金下限倍数 × 基金余额) ÷ Σ基金余额；上限按有上限的基金同样加权；缺口、余量为各基金之和 / floor = "
        "Σ(floor × balance) ÷ Σ balance; the cap likewise over capped funds; shortfall and headroom: the funds' sums",
    ),
)


def _value(column: Column, value: object) -> object:
    if value is None:
        return None
    if column.kind == "fen":
        return yuan(int(value))  # type: ignore[call-overload]
    if column.kind == "date":
        return dt.date.fromisoformat(str(value))
    if column.kind == "bool":
        return "是" if value else "否"
    if column.kind == "status":
        return status_label(str(value))
    return xml_text(value) if isinstance(value, str) else value


def _width(column: Column, sheet: Sheet) -> float:
    if column.kind in WIDTHS:
        return max(WIDTHS[column.kind], len(column.zh) * 2 + 2)
    longest = max((len(str(row.get(column.key) or "")) for row in sheet.rows[:500]), default=0)
    return min(max(longest + 2, len(column.zh) * 2 + 2, 10), 40)


def fill_sheet(worksheet, sheet: Sheet) -> None:  # noqa: ANN001 - an openpyxl worksheet
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center")
    fills = {key: PatternFill("solid", fgColor=colour) for key, colour in STATUS_FILLS.items()}
    worksheet.append([f"{c.zh}\n{c.en}" for c in sheet.columns])
    for cell in worksheet[1]:
        cell.font, cell.alignment = bold, wrap
    worksheet.row_dimensions[1].height = 32
    for row in sheet.rows:
        worksheet.append([_value(c, row.get(c.key)) for c in sheet.columns])
        for cell in worksheet[worksheet.max_row]:
            inert_cell(cell)
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = _width(column, sheet)
        if column.kind in FORMATS:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = FORMATS[column.kind]
        if column.kind == "status":
            for (cell,), row in zip(
                worksheet.iter_rows(min_row=2, min_col=index, max_col=index), sheet.rows, strict=True
            ):
                if row.get(column.key) in fills:
                    cell.fill = fills[row[column.key]]
    worksheet.freeze_panes = "A2"
    if sheet.rows:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"


def _about(worksheet, report: Report) -> None:  # noqa: ANN001
    zh, en = report.title
    known = report.known_at.isoformat() if report.known_at else "全部已记录事件 everything recorded"
    rows = [
        ("报表 Report", f"{zh} {en}"),
        ("截至日 As of", report.as_of.isoformat()),
        ("记账截至 As known at", known),
        ("范围 Scope", report.scope.label),
        ("基金数 Funds", len(report.positions)),
    ]
    if report.period:
        rows.append(("期间 Period", f"{report.period[0].isoformat()} – {report.period[1].isoformat()}"))
    for row in rows + list(NOTES):
        worksheet.append([xml_text(v) if isinstance(v, str) else v for v in row])
        for cell in worksheet[worksheet.max_row]:
            inert_cell(cell)
    worksheet.column_dimensions["A"].width = 24
    worksheet.column_dimensions["B"].width = 80


def write_workbook(report: Report, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets(report):
        fill_sheet(book.create_sheet(sheet.zh[:31]), sheet)
    _about(book.create_sheet("说明 About"), report)
    book.properties.creator = "credit-engine"
    book.save(path)
