"""带贫 linkage in the portfolio report: per fund and per county, the 强农贷 loans still covered on the as-of date,
the registered poor households they drive and the principal per household driven, in every format."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from credit_engine.reports.formats import to_csv, to_json, write_report
from credit_engine.reports.html import render_page
from credit_engine.reports.layout import sheets


def _linked_book(ledger, region: str) -> tuple[str, str, str]:
    """Two funds in one county, one in another; 强农贷 loans drive households, a 富民贷 loan drives none."""
    one = ledger.fund(yuan=1_000_000, county=f"{region}0101")
    two = ledger.fund(yuan=1_000_000, county=f"{region}0101")
    other = ledger.fund(yuan=1_000_000, county=f"{region}0202")
    ledger.disburse(one, "Q1", "2025-02-01", 300_000, product="qiangnong", households=20)
    ledger.disburse(one, "Q2", "2025-02-01", 100_000, product="qiangnong", households=10, maturity="2025-05-01")
    ledger.disburse(one, "H1", "2025-02-01", 30_000)
    ledger.disburse(two, "Q3", "2025-02-01", 200_000, product="qiangnong", households=30)
    ledger.disburse(other, "Q4", "2025-04-01", 50_000, product="强农贷", households=5)
    ledger.repay(one, "Q2", "2025-04-15", 100_000)  # repaid: drives no households after that
    return one, two, other


def _by_fund(report) -> dict[str, dict]:
    return {row["fund_id"]: row for row in json.loads(to_json(report))}


def test_each_fund_shows_its_covered_linked_loans_households_and_principal_per_household(ledger, report, region):
    one, two, other = _linked_book(ledger, region)
    rows = _by_fund(report("portfolio", "2025-06-30"))
    shown = {
        fund: (
            r["qiangnong_loans"],
            r["households_driven"],
            r["linked_principal_yuan"],
            r["principal_per_household_yuan"],
        )
        for fund, r in rows.items()
    }
    assert shown == {
        one: (1, 20, 300_000.0, 15_000.0),
        two: (1, 30, 200_000.0, 6_666.67),
        other: (1, 5, 50_000.0, 10_000.0),
    }


def test_the_linkage_is_as_of_the_report_date(ledger, report, region):
    one, _, other = _linked_book(ledger, region)
    rows = _by_fund(report("portfolio", "2025-03-31"))  # Q2 not yet repaid, Q4 not yet lent
    assert (rows[one]["qiangnong_loans"], rows[one]["households_driven"]) == (2, 30)
    assert rows[one]["principal_per_household_yuan"] == 13_333.33
    assert (rows[other]["households_driven"], rows[other]["principal_per_household_yuan"]) == (0, None)


def test_a_county_sums_its_funds_and_divides_once(ledger, report, region):
    _linked_book(ledger, region)
    county = {row["code"]: row for row in sheets(report("portfolio", "2025-06-30"))[1].rows}[f"{region}0101"]
    assert (county["qiangnong_loans"], county["households_driven"]) == (2, 50)
    assert (county["linked_principal_fen"], county["principal_per_household_fen"]) == (50_000_000, 1_000_000)


def test_the_csv_workbook_and_page_carry_the_linkage_with_bilingual_headers(ledger, report, region, tmp_path):
    _linked_book(ledger, region)
    built = report("portfolio", "2025-06-30")
    header = next(csv.reader(io.StringIO(to_csv(sheets(built)[0]).lstrip("\ufeff"))))
    assert {"带贫户数 Poor households driven", "户均带贫贷款(元) Principal per household driven (yuan)"} <= set(header)
    book = load_workbook(write_report(built, "xlsx", tmp_path / "portfolio.xlsx"))
    titles = [cell.value.split("\n")[0] for cell in book["资产质量(县)"][1] if cell.value]
    assert {"强农贷笔数", "带贫户数", "户均带贫贷款(元)"} <= set(titles)
    assert "带贫户数" in render_page(built) and "Poor households driven" in render_page(built)
