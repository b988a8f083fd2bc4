"""Writing a monitoring run to a file: JSON (for programs and schedulers), XLSX (one sheet per section, Chinese
headers with English below) or one self-contained HTML page (中文 with English; an inline SVG chart of the PSI of
the PD and the CSI of each feature, nothing fetched).

The workbook and the page reuse the reports' renderers: :func:`credit_engine.reports.xlsx.fill_sheet` writes each
sheet, :func:`credit_engine.reports.html.table_of` and :func:`~credit_engine.reports.html.page_template` (the shared
style and tables block) draw the page, :mod:`credit_engine.reports.charts` the chart. Status cells take the page's
colours: green as "ok", watch as "needs action", act as "suspended".
"""

from __future__ import annotations

import json
from pathlib import Path

from credit_engine.errors import InvalidInput, RowError
from credit_engine.monitoring.layout import SECTIONS, STATUS_KEYS, document, sheets
from credit_engine.monitoring.policy import ACT, GREEN, STATUS_LABELS, WATCH
from credit_engine.monitoring.service import MonitoringResult
from credit_engine.monitoring.stability import ALL

FORMATS = ("json", "xlsx", "html")
TEMPLATE = Path(__file__).with_name("monitoring.html")
PAGE_STATUS = {GREEN: "ok", WATCH: "needs_action", ACT: "suspended"}
CSS_OF_LABEL = {STATUS_LABELS[status]: css for status, css in PAGE_STATUS.items()}
COUNT_LABELS = {
    "assessments": "评估数 Assessments",
    "loans": "关联贷款 Linked loans",
    "matured": "已成熟 Matured",
    "censored": "未成熟 Not yet matured",
}


def write_monitoring(result: MonitoringResult, fmt: str, path: Path, grades: tuple[str, ...]) -> Path:
    """Render ``result`` as ``fmt`` into ``path`` (its folder is created)."""
    if fmt not in FORMATS:
        raise InvalidInput([RowError(None, "--format", "monitor_format", f"one of {', '.join(FORMATS)} / 格式", fmt)])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        text = json.dumps(document(result), ensure_ascii=False, indent=2, default=str)
        path.write_text(text + "\n", encoding="utf-8")
    elif fmt == "xlsx":
        write_workbook(result, path, grades)
    else:
        path.write_text(render_page(result, grades), encoding="utf-8")
    return path


def _about_rows(result: MonitoringResult) -> list[tuple[str, object]]:
    model = ", ".join(f"{k}={v}" for k, v in result.model.items()) or "—"
    return [
        ("总体状态 Overall status", STATUS_LABELS[result.status]),
        ("退出码 Exit code", result.exit_code),
        ("截至日 As of", result.as_of.isoformat()),
        ("自 Since", result.since.isoformat() if result.since else "全部 all"),
        ("模型 Model", model),
        ("监控策略 Policy", f"{result.policy.version} ({result.policy.fingerprint()[:12]})"),
        *((COUNT_LABELS.get(k, k), v) for k, v in result.counts.items()),
        ("PSI/CSI", f"≥{result.policy.stability.watch} 关注 watch, ≥{result.policy.stability.act} 处置 act"),
        ("区间 Interval", f"Wilson {result.policy.performance.confidence:.0%}"),
    ]


def write_workbook(result: MonitoringResult, path: Path, grades: tuple[str, ...]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    from credit_engine.cell_text import inert_cell, xml_text
    from credit_engine.reports.xlsx import STATUS_FILLS, fill_sheet

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets(result, grades):
        worksheet = book.create_sheet(sheet.zh[:31])
        fill_sheet(worksheet, sheet)
        for cells in worksheet.iter_rows(min_row=2):
            for cell in cells:
                css = CSS_OF_LABEL.get(str(cell.value))
                if css:
                    cell.fill = PatternFill("solid", fgColor=STATUS_FILLS[css])
    about = book.create_sheet("说明 About")
    for row in _about_rows(result):
        about.append([xml_text(v) if isinstance(v, str) else v for v in row])
        for cell in about[about.max_row]:
            inert_cell(cell)
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 28, 90
    book.properties.creator = "credit-engine"
    book.save(path)


def _psi_chart(result: MonitoringResult) -> str | None:
    from credit_engine.reports import charts

    overall = [row for row in result.sections["stability"] if row["cohort"] == ALL]
    if not overall:
        return None
    bars = [
        charts.Bar(row["variable"], row["value"], PAGE_STATUS.get(row["status"], "at_cap"), text=f"{row['value']:.3f}")
        for row in sorted(overall, key=lambda r: -r["value"])
    ]
    title = "PD的PSI与各特征CSI（全部队列） PSI of the PD and CSI per feature (all cohorts)"
    return charts.bars(title, bars, "", (f"处置 act {result.policy.stability.act:g}", result.policy.stability.act))


def _table(sheet) -> dict:  # noqa: ANN001 - a reports.layout.Sheet
    from credit_engine.reports.html import table_of

    table = table_of(sheet)
    for cells in table["rows"]:
        for cell, column in zip(cells, sheet.columns, strict=True):
            if column.key in STATUS_KEYS and cell["text"] in CSS_OF_LABEL:
                cell["css"] = CSS_OF_LABEL[cell["text"]]
    return table


def render_page(result: MonitoringResult, grades: tuple[str, ...]) -> str:
    """The whole page as text (UTF-8, no external reference)."""
    from markupsafe import Markup

    from credit_engine.reports.html import page_template

    chart = _psi_chart(result)
    context = {
        "result": result,
        "status_label": STATUS_LABELS[result.status],
        "status_css": PAGE_STATUS[result.status],
        "about": _about_rows(result),
        "notes": [(f"{SECTIONS[k][0]} {SECTIONS[k][1]}", text) for k, text in result.notes.items()],
        "tables": [_table(sheet) for sheet in sheets(result, grades)],
        "charts": [Markup(chart)] if chart else [],  # noqa: S704 - drawn and escaped by reports.charts
    }
    return page_template(TEMPLATE).render(**context)
