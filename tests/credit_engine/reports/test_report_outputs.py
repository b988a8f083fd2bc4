"""Reports as files: reproducible as known at a recording time, exact yuan, a workbook per view, an offline page."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from credit_engine.ledger.position import fund_positions
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.reports.formats import json_row, to_csv, to_json, write_report
from credit_engine.reports.html import render_page
from credit_engine.reports.layout import sheets, yuan
from credit_engine.reports.series import month_ends, monthly_series


def _month_of_history(ledger, region: str) -> str:
    fund = ledger.fund(yuan=100_000, opened="2025-01-01", county=f"{region}0101")
    ledger.disburse(fund, "L1", "2025-02-01", 40_000)
    ledger.disburse(fund, "L2", "2025-03-01", 50_000)
    ledger.delinquent(fund, "L2", "2025-06-10", 40)
    ledger.repay(fund, "L1", "2025-05-01", 10_000)
    return fund


@pytest.mark.parametrize("kind", ["leverage", "portfolio"])
def test_a_month_end_report_run_next_month_as_known_today_is_identical(ledger, report, clock, region, kind):
    fund = _month_of_history(ledger, region)
    clock.advance(hours=2)
    today = clock.now
    before = report(kind, "2025-06-30", known_at=today)
    clock.advance(days=31)  # next month: back-dated events arrive, recorded after today
    ledger.cure(fund, "L2", "2025-06-30")
    ledger.disburse(fund, "L3", "2025-06-15", 30_000)
    ledger.contribute(fund, "2025-06-20", 20_000)
    after = report(kind, "2025-06-30", known_at=today)
    renders = (to_json, lambda r: to_csv(sheets(r)[0]), render_page)
    assert [render(after) for render in renders] == [render(before) for render in renders]
    assert to_json(report(kind, "2025-06-30")) != to_json(before)  # as known now, the late events count


def test_the_month_end_series_agrees_with_the_positions_on_every_month_end(ledger, report_engine, region):
    fund = _month_of_history(ledger, region)
    as_of = dt.date(2025, 6, 20)
    with UnitOfWork(report_engine, read_only=True) as uow:
        series = monthly_series(uow, [fund], dt.date(2025, 1, 1), as_of)
        expected = [fund_positions(uow, day, fund_ids=[fund])[0] for day in month_ends(dt.date(2025, 1, 1), as_of)]
    assert [(p.on, p.fund_balance_fen, p.covered_principal_fen, p.npl_fen) for p in series] == [
        (e.as_of, e.fund_balance_fen, e.covered_principal_fen, e.npl_fen) for e in expected
    ]


def test_money_becomes_yuan_exactly():
    assert (yuan(123_456_789_012_345_678), yuan(-1), yuan(5)) == (
        Decimal("1234567890123456.78"),
        Decimal("-0.01"),
        Decimal("0.05"),
    )


def test_the_csv_is_utf8_with_a_bom_bilingual_headers_and_yuan(ledger, report, region, tmp_path):
    ledger.fund(yuan="12345.67", county=f"{region}0101")
    path = write_report(report("leverage", "2025-03-01"), "csv", tmp_path / "leverage.csv")
    raw = path.read_bytes()
    header, row = raw.decode("utf-8-sig").splitlines()[:2]
    assert (raw[:3], header.split(",")[3], row.split(",")[3]) == (
        b"\xef\xbb\xbf",
        "基金余额(元) Fund balance (yuan)",
        "12345.67",
    )


def test_the_workbook_has_a_sheet_per_view_frozen_chinese_headers_and_yuan(ledger, report, region, tmp_path):
    from openpyxl import load_workbook

    fund = ledger.fund(yuan="12345.67", county=f"{region}0101")
    ledger.disburse(fund, "L1", "2025-02-01", 20_000)
    path = write_report(report("leverage", "2025-03-01"), "xlsx", tmp_path / "leverage.xlsx")
    book = load_workbook(path)
    sheet = book["放大倍数(基金)"]
    balance = sheet.cell(row=2, column=4)
    assert book.sheetnames == [
        "放大倍数(基金)",
        "放大倍数(县)",
        "放大倍数(省)",
        "富民贷占比",
        "月度序列(县)",
        "说明 About",
    ]
    assert (sheet.freeze_panes, sheet.cell(row=1, column=4).value.split("\n")[0]) == ("A2", "基金余额(元)")
    assert (balance.value, balance.number_format) == (12345.67, "#,##0.00")


def test_the_web_page_is_self_contained_with_charts_status_colours_and_bilingual_headers(ledger, report, region):
    _four_funds_quick(ledger, region)
    page = render_page(report("leverage", "2025-05-31"))
    assert ("http://" in page, "https://" in page, "<script" in page, "<link" in page) == (False, False, False, False)
    assert page.count("<svg") == 4 and '<td class="suspended">暂停放款 suspended</td>' in page
    assert "放大倍数<br><small>Multiple</small>" in page and '<td class="at_cap">已达上限 at cap</td>' in page


def _four_funds_quick(ledger, region: str) -> None:
    full, sick = ledger.fund(yuan=10_000, county=f"{region}0101"), ledger.fund(yuan=10_000, county=f"{region}0202")
    ledger.disburse(full, "A", "2025-02-01", 50_000)
    ledger.disburse(full, "B", "2025-02-01", 50_000)
    ledger.disburse(sick, "A", "2025-01-02", 40_000)
    ledger.delinquent(sick, "A", "2025-05-01", 95)


def test_a_report_of_no_funds_is_an_empty_list_and_an_empty_page(report):
    empty = report("leverage", "2025-03-01")
    assert (to_json(empty), "<table>" in render_page(empty)) == ("[]\n", True)


def test_every_json_report_answers_money_in_yuan_never_fen(ledger, report, region):
    fund = ledger.fund(yuan=100_000, county=f"{region}0101")
    ledger.disburse(fund, "L1", "2025-02-01", "12345.67")
    period = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    for kind in ("leverage", "portfolio", "subsidy"):
        rows = json.loads(to_json(report(kind, "2025-06-30", period=period if kind == "subsidy" else None)))
        keys = {key for row in rows for key in row}
        assert rows and not [k for k in keys if k.endswith("_fen")] and [k for k in keys if k.endswith("_yuan")], kind


def test_a_report_row_turns_fen_into_exact_yuan_and_keeps_the_rest():
    row = {"fund_id": "F-1", "balance_fen": 123_456_789_012, "headroom_fen": None, "multiple": 8.25}
    shown = {"fund_id": "F-1", "balance_yuan": 1_234_567_890.12, "headroom_yuan": None, "multiple": 8.25}
    assert json_row(row) == shown
    assert json.dumps(json_row({"x_fen": 10})) == '{"x_yuan": 0.1}'
