"""Writing a report to a file: JSON (the primary view's rows), CSV (UTF-8 with BOM), XLSX or HTML — money in yuan.

:func:`write_report` picks the renderer by format. Money leaves the engine in yuan in every format (the ledger keeps
integer fen inside; :func:`json_row` is the one place a report row's ``*_fen`` becomes ``*_yuan``). JSON keeps the
data's own types otherwise — amounts as numbers with at most two decimals (exact: 1,234.56 yuan is 123456 fen) in
``*_yuan`` keys, ratios and multiples as numbers — so programs can read it; the CSV shows the primary view as a
person reads it (yuan with two decimals, percentages, bilingual headers) and makes any text a spreadsheet would run
as a formula inert. Any stored text renders: JSON escapes it, the text of the CSV, XLSX and HTML outputs shows a
character XML forbids (a NUL in a bank code) as U+FFFD (:mod:`credit_engine.cell_text`). Output is deterministic:
the same report gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from credit_engine.cell_text import csv_text, xml_text
from credit_engine.errors import InvalidInput, RowError
from credit_engine.reports.build import Report
from credit_engine.reports.layout import Column, Sheet, sheets, status_label, yuan

FORMATS = ("json", "csv", "xlsx", "html")


def json_row(row: dict[str, object]) -> dict[str, object]:
    """A report row for programs: every ``<name>_fen`` amount as ``<name>_yuan`` (a number, two decimals at most)."""
    shown: dict[str, object] = {}
    for key, value in row.items():
        if key.endswith("_fen"):
            shown[key.removesuffix("_fen") + "_yuan"] = None if value is None else float(yuan(int(value)))  # type: ignore[call-overload]
        else:
            shown[key] = value
    return shown


def to_json(report: Report) -> str:
    rows = [json_row(line.as_dict()) for line in report.primary]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def display(column: Column, value: object) -> str:
    """A value as text for people (CSV and HTML): yuan, percentages, multiples, yes/no, status labels."""
    if value is None:
        return ""
    if column.kind == "fen":
        return f"{yuan(int(value)):,.2f}"  # type: ignore[call-overload]
    if column.kind == "ratio":
        return f"{float(value):.2%}"  # type: ignore[arg-type]
    if column.kind == "multiple":
        return f"{float(value):.2f}×"  # type: ignore[arg-type]
    if column.kind == "int":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if column.kind == "bool":
        return "是 yes" if value else "否 no"
    if column.kind == "status":
        return status_label(str(value))
    return xml_text(str(value))


def _csv_cell(column: Column, value: object) -> str:
    if value is None:
        return ""
    if column.kind == "fen":
        return str(yuan(int(value)))  # type: ignore[call-overload]
    if column.kind in ("int", "ratio", "multiple"):
        return display(column, value).replace(",", "")
    return str(csv_text(display(column, value)))


def to_csv(sheet: Sheet) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([f"{c.zh} {c.en}" for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(c, row.get(c.key)) for c in sheet.columns])
    return buffer.getvalue()


def write_report(report: Report, fmt: str, path: Path) -> Path:
    """Render ``report`` as ``fmt`` into ``path`` (its folder is created)."""
    if fmt not in FORMATS:
        raise InvalidInput([RowError(None, "format", "report_format", f"one of {', '.join(FORMATS)}", fmt)])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        path.write_text(to_json(report), encoding="utf-8")
    elif fmt == "csv":
        path.write_text(to_csv(sheets(report)[0]), encoding="utf-8-sig", newline="")
    elif fmt == "xlsx":
        from credit_engine.reports.xlsx import write_workbook

        write_workbook(report, path)
    else:
        from credit_engine.reports.html import render_page

        path.write_text(render_page(report), encoding="utf-8")
    return path
