"""The report views in the ledger's own terms: leverage, roll-ups, household share, portfolio quality, subsidy."""

from __future__ import annotations

import json

import pytest

from credit_engine.errors import InvalidInput
from credit_engine.reports.build import Scope
from credit_engine.reports.formats import to_json


def test_the_json_leverage_report_lists_each_fund_with_the_contract_fields(ledger, report, region, leverage_contract):
    fund = ledger.fund(yuan=10_000, county=f"{region}0101")
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    rows = json.loads(to_json(report("leverage", "2025-03-01")))
    assert [list(row)[:12] for row in rows] == [leverage_contract]
    assert {key: rows[0][key] for key in leverage_contract[3:]} == {
        "fund_balance_yuan": 10_000,
        "covered_principal_yuan": 50_000,
        "multiple": 5.0,
        "floor_multiple": 8.0,
        "cap_multiple": 10.0,
        "floor_shortfall_yuan": 30_000,
        "headroom_yuan": 50_000,
        "npl_ratio": 0.0,
        "status": "below_floor",
    }


def _four_funds(ledger, region: str) -> None:
    """Two counties: ok and below floor in one, at cap and suspended in the other (10,000-yuan funds)."""
    ok, below = ledger.fund(yuan=10_000, county=f"{region}0101"), ledger.fund(yuan=10_000, county=f"{region}0101")
    full, sick = ledger.fund(yuan=10_000, county=f"{region}0202"), ledger.fund(yuan=10_000, county=f"{region}0202")
    ledger.disburse(ok, "A", "2025-02-01", 45_000)
    ledger.disburse(ok, "B", "2025-02-01", 40_000)
    ledger.disburse(below, "A", "2025-02-01", 30_000)
    ledger.disburse(full, "A", "2025-02-01", 50_000)
    ledger.disburse(full, "B", "2025-02-01", 50_000)
    ledger.disburse(sick, "A", "2025-01-02", 40_000)
    ledger.disburse(sick, "B", "2025-01-02", 40_000)
    ledger.delinquent(sick, "A", "2025-05-01", 95)


def test_counties_and_the_province_sum_their_funds_and_count_statuses(ledger, report, region):
    _four_funds(ledger, region)
    views = report("leverage", "2025-05-31").views
    counties = {
        r.code: (r.funds, r.covered_principal_fen, r.status_counts, r.status, r.worst_status)
        for r in views["leverage_county"]
    }
    province = views["leverage_province"][0]
    none = {"ok": 0, "below_floor": 0, "at_cap": 0, "over_cap": 0, "suspended": 0}
    assert counties == {
        f"{region}0101": (2, 11_500_000, none | {"ok": 1, "below_floor": 1}, "needs_action", "below_floor"),
        f"{region}0202": (2, 18_000_000, none | {"at_cap": 1, "suspended": 1}, "needs_action", "suspended"),
    }
    assert (province.code, province.funds, province.fund_balance_fen, province.multiple) == (
        region,
        4,
        4_000_000,
        7.375,
    )


def test_the_household_share_shows_how_much_more_household_lending_reaches_the_minimum(ledger, report, region):
    fund = ledger.fund(yuan=100_000, county=f"{region}0101")
    for n in range(6):
        ledger.disburse(fund, f"H{n}", "2025-02-01", 50_000)
    ledger.disburse(fund, "E1", "2025-02-01", 300_000, product="qiangnong", borrower="ENT-1")
    line = report("leverage", "2025-03-01").views["household"][0]
    assert (line.household_share, line.meets_minimum, line.household_gap_fen) == (0.5, False, 15_000_000)


def test_portfolio_quality_buckets_compensation_recoveries_and_the_loss_rate(ledger, report, region):
    fund = ledger.fund(yuan=100_000, county=f"{region}0101")
    for loan in ("L1", "L2", "L3", "L4"):
        ledger.disburse(fund, loan, "2025-01-02", 10_000)
    ledger.delinquent(fund, "L1", "2025-05-31", 10)
    ledger.delinquent(fund, "L2", "2025-06-20", 5)
    ledger.delinquent(fund, "L3", "2025-04-30", 60)
    ledger.claim(fund, "L3", "2025-05-31")
    ledger.pay(fund, "L3", "2025-06-10")
    ledger.recover(fund, "L3", "2025-06-20", 4_000)
    ledger.write_off(fund, "L3", "2025-06-25")
    line = report("portfolio", "2025-06-30").views["portfolio"][0].as_dict()
    assert {k: line[k] for k in ("current_fen", "overdue_1_30_fen", "overdue_31_60_fen", "overdue_90_plus_fen")} == {
        "current_fen": 1_000_000,
        "overdue_1_30_fen": 1_000_000,
        "overdue_31_60_fen": 1_000_000,
        "overdue_90_plus_fen": 0,
    }
    assert {k: line[k] for k in ("compensation_paid_fen", "recovered_to_fund_fen", "written_off_fen", "loss_rate")} == {
        "compensation_paid_fen": 700_000,
        "recovered_to_fund_fen": 280_000,
        "written_off_fen": 600_000,
        "loss_rate": 0.15,
    }


@pytest.mark.parametrize(
    ("events", "subsidy_fen"),
    [
        pytest.param([], 45_000, id="current all quarter: 36,000 x 5% x 90/360"),
        pytest.param([("delinquent", "2025-03-31", 30)], 30_000, id="none from the day it fell due"),
        pytest.param([("policy", "2025-02-01", 300)], 33_200, id="3% from February"),
    ],
)
def test_the_subsidy_runs_only_on_current_days_at_the_rate_in_force(ledger, report, region, events, subsidy_fen):
    fund = ledger.fund(yuan=100_000, county=f"{region}0101")
    ledger.disburse(fund, "L1", "2025-01-01", 36_000, maturity="2026-01-01")
    for kind, on, value in events:
        if kind == "delinquent":
            ledger.delinquent(fund, "L1", on, value)
        else:
            ledger.policy(fund, on, subsidy_rate_bps=value)
    period = (ledger_day("2025-01-01"), ledger_day("2025-03-31"))
    line = report("subsidy", "2025-03-31", period=period).views["subsidy"][0]
    assert (line.subsidy_fen, line.loans) == (subsidy_fen, 1)


def ledger_day(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(("county", "province"), [("140122", "14"), ("1401", None), (None, "140")])
def test_a_report_scope_is_one_county_or_one_province(county, province):
    with pytest.raises(InvalidInput):
        Scope(county=county, province=province)
