"""Golden figures of the county and province roll-ups, computed by hand, and the rule of their status.

The ledger of these tests: county ``R0101`` has two funds at different banks — A at SXRCU, 10,000 yuan, floor 8×,
cap 10×, lent 90,000 (9×, above its floor); B at PSBC, 20,000 yuan, floor 6×, cap 12×, lent 30,000 (1.5×, below
its floor by 90,000) — and county ``R0202`` one fund, C at SXRCU, 10,000 yuan, floor 8×, no cap, lent 90,000 (9×).
"""

from __future__ import annotations

import uuid

import pytest
from openpyxl import load_workbook

from credit_engine.ledger import commands as c
from credit_engine.ledger import services
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.money import yuan_to_fen
from credit_engine.reports.formats import write_report
from credit_engine.reports.html import _markers, render_page
from credit_engine.reports.leverage import area_status, status_summary

from .conftest import day


def _open(ledger, county: str, bank: str, yuan: int, **terms) -> str:
    fund_id = f"F-{uuid.uuid4().hex[:10]}"
    command = c.CreateFund(
        fund_id=fund_id,
        idempotency_key=f"{fund_id}-open",
        county_code=county,
        bank_code=bank,
        value_date=day("2025-01-01"),
        amount_fen=yuan_to_fen(yuan),
        terms=default_terms().replace(**terms),
    )
    services.create_fund(ledger.uow, command)
    return fund_id


def _three_funds(ledger, region: str) -> None:
    a = _open(ledger, f"{region}0101", "SXRCU", 10_000, floor_multiple_bps=80_000, cap_multiple_bps=100_000)
    b = _open(ledger, f"{region}0101", "PSBC", 20_000, floor_multiple_bps=60_000, cap_multiple_bps=120_000)
    c_ = _open(ledger, f"{region}0202", "SXRCU", 10_000, floor_multiple_bps=80_000, cap_multiple_bps=None)
    for fund, loans in ((a, (45_000, 45_000)), (b, (30_000,)), (c_, (45_000, 45_000))):
        for n, amount in enumerate(loans):
            ledger.disburse(fund, f"L{n}", "2025-02-01", amount)


FIGURES = (
    "funds",
    "fund_balance_fen",
    "covered_principal_fen",
    "multiple",
    "floor_multiple",
    "floor_required_fen",
    "floor_shortfall_fen",
    "cap_multiple",
    "headroom_fen",
    "uncapped_funds",
    "status",
    "worst_status",
)


def test_a_county_of_two_funds_at_two_banks_has_the_balance_weighted_floor_and_cap(ledger, report, region):
    _three_funds(ledger, region)
    county = report("leverage", "2025-03-01").views["leverage_county"][0]
    assert {name: getattr(county, name) for name in FIGURES} == {
        "funds": 2,
        "fund_balance_fen": 3_000_000,
        "covered_principal_fen": 12_000_000,
        "multiple": 4.0,
        "floor_multiple": 6.666667,  # (8 × 10,000 + 6 × 20,000) ÷ 30,000
        "floor_required_fen": 20_000_000,  # 80,000 + 120,000 yuan
        "floor_shortfall_fen": 9_000_000,  # B's 90,000 yuan; A's surplus does not offset it
        "cap_multiple": 11.333333,  # (10 × 10,000 + 12 × 20,000) ÷ 30,000
        "headroom_fen": 22_000_000,  # A 10,000 + B 210,000 yuan
        "uncapped_funds": 0,
        "status": "needs_action",
        "worst_status": "below_floor",
    }
    assert county.status_summary == "低于下限 below floor 1/2; 正常 ok 1/2"


def test_a_county_above_its_floor_shows_its_floor_not_its_own_multiple(ledger, report, region):
    _three_funds(ledger, region)
    county = report("leverage", "2025-03-01").views["leverage_county"][1]
    assert (county.multiple, county.floor_multiple, county.floor_shortfall_fen) == (9.0, 8.0, 0)
    assert (county.cap_multiple, county.headroom_fen, county.uncapped_funds, county.status) == (None, None, 1, "ok")
    assert _markers(county) == {"floor": 8.0}  # the chart's floor tick; no cap tick for an uncapped fund


def test_the_province_weights_every_fund_and_caps_only_the_capped_ones(ledger, report, region):
    _three_funds(ledger, region)
    province = report("leverage", "2025-03-01").views["leverage_province"][0]
    assert {name: getattr(province, name) for name in FIGURES} == {
        "funds": 3,
        "fund_balance_fen": 4_000_000,
        "covered_principal_fen": 21_000_000,
        "multiple": 5.25,
        "floor_multiple": 7.0,  # (8 × 10,000 + 6 × 20,000 + 8 × 10,000) ÷ 40,000
        "floor_required_fen": 28_000_000,
        "floor_shortfall_fen": 9_000_000,
        "cap_multiple": 11.333333,  # A and B; C has no cap
        "headroom_fen": 22_000_000,
        "uncapped_funds": 1,
        "status": "needs_action",
        "worst_status": "below_floor",
    }


def test_the_county_chart_ticks_the_weighted_floor_and_cap(ledger, report, region):
    _three_funds(ledger, region)
    county = report("leverage", "2025-03-01").views["leverage_county"][0]
    assert _markers(county) == {"floor": 6.666667, "cap": 11.333333}


def test_the_workbook_and_the_page_show_the_weighted_floor_of_each_county(ledger, report, region, tmp_path):
    _three_funds(ledger, region)
    built = report("leverage", "2025-03-01", with_series=False)
    sheet = load_workbook(write_report(built, "xlsx", tmp_path / "leverage.xlsx"))["放大倍数(县)"]
    headers = [cell.value.split("\n")[1] for cell in sheet[1]]
    rows = [dict(zip(headers, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [(r["Floor"], r["Floor shortfall (yuan)"], r["Cap (capped funds)"], r["Status"]) for r in rows] == [
        (6.666667, 90_000, 11.333333, "需处理 needs action"),
        (8.0, 0, None, "正常 ok"),
    ]
    assert rows[0]["Funds by status"] == "低于下限 below floor 1/2; 正常 ok 1/2"
    page = render_page(built)
    assert '<td class="num">6.67×</td>' in page and '<td class="needs_action">需处理 needs action</td>' in page


@pytest.mark.parametrize(
    ("statuses", "status", "worst"),
    [
        pytest.param(["ok"] * 3, "ok", "ok", id="all ok: ok"),
        pytest.param(["suspended"], "suspended", "suspended", id="a county of one suspended fund is suspended"),
        pytest.param(["suspended"] * 2 + ["ok"] * 56, "needs_action", "suspended", id="2 of 58 suspended"),
        pytest.param(["at_cap", "over_cap", "below_floor"], "needs_action", "over_cap", id="over cap above at cap"),
        pytest.param(["over_cap", "suspended"], "needs_action", "suspended", id="suspended above over cap"),
        pytest.param(["below_floor"] * 2, "below_floor", "below_floor", id="all below floor: below floor"),
    ],
)
def test_an_area_has_its_funds_status_only_when_they_share_it(statuses, status, worst):
    found, most_severe, counts = area_status(statuses)
    assert (found, most_severe, sum(counts.values())) == (status, worst, len(statuses))


def test_the_status_summary_reads_funds_by_status_most_severe_first():
    _, _, counts = area_status(["suspended"] * 2 + ["over_cap"] + ["ok"] * 55)
    assert status_summary(counts) == "暂停放款 suspended 2/58; 超上限 over cap 1/58; 正常 ok 55/58"
