"""Positions as of a value date, as known at a recording time: what leverage, portfolio and subsidy reports read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.money import multiple_of
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.products import Product


def test_a_loan_lent_after_the_as_of_date_is_not_covered_yet(ledger):
    fund = ledger.fund(yuan=100_000)
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    assert ledger.position(fund, "2025-01-31").covered_principal_fen == 0


def test_an_event_recorded_after_the_known_at_time_is_invisible(ledger, clock):
    fund = ledger.fund(yuan=100_000)
    known = clock.now
    clock.advance(hours=1)
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    assert ledger.position(fund, "2025-06-01", known_at=known).covered_principal_fen == 0


def test_leverage_is_covered_principal_over_the_fund_balance(ledger):
    fund = ledger.fund(yuan=10_000)
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    ledger.disburse(fund, "L2", "2025-02-01", 30_000)
    position = ledger.position(fund, "2025-03-01")
    assert (position.multiple, position.floor_shortfall_fen, position.headroom_fen, position.status) == (
        8.0,
        0,
        2_000_000,
        "ok",
    )


def test_a_fund_lending_less_than_eight_times_is_below_the_floor(ledger):
    fund = ledger.fund(yuan=10_000)
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    position = ledger.position(fund, "2025-03-01")
    assert (position.floor_shortfall_fen, position.status) == (3_000_000, "below_floor")


def test_a_full_fund_is_at_cap(ledger):
    fund = ledger.fund(yuan=10_000)
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    ledger.disburse(fund, "L2", "2025-02-01", 50_000)
    assert ledger.position(fund, "2025-03-01").status == "at_cap"


def _headroom_position(headroom_fen: int, products) -> FundPosition:
    terms = default_terms()
    balance_fen = 1_000_000
    cap_fen = multiple_of(balance_fen, terms.cap_multiple_bps)
    return FundPosition(
        fund_id="F",
        county_code="140121",
        bank_code="RCC",
        as_of=dt.date(2025, 3, 1),
        known_at=None,
        terms=terms,
        policy_effective_from=dt.date(2025, 1, 1),
        fund_balance_fen=balance_fen,
        products=tuple(products),
        covered_by_product_fen={"fumin": cap_fen - headroom_fen},
    )


def test_a_fund_is_at_cap_when_its_headroom_is_below_the_smallest_loan_of_the_products(shipped_products):
    village = Product("xingcun", "兴村贷", "Village loans", limit_fen=10_000_000, min_fen=50_000, household=True)
    statuses = [
        _headroom_position(headroom, products).status
        for headroom, products in [
            (99_999, shipped_products),  # under 1,000 yuan, the smallest 富民贷
            (100_000, shipped_products),
            (99_999, (*shipped_products, village)),  # a 500-yuan product can still be lent
            (49_999, (*shipped_products, village)),
        ]
    ]
    assert statuses == ["at_cap", "ok", "ok", "at_cap"]


def test_overdue_principal_falls_into_buckets_by_days_past_due_on_the_as_of_date(ledger):
    fund = ledger.fund(yuan=100_000)
    for loan in "ABCDE":
        ledger.disburse(fund, loan, "2025-01-02", 10_000)
    for loan, days in (("A", 10), ("B", 45), ("C", 75), ("D", 100)):
        ledger.delinquent(fund, loan, "2025-05-31", days)
    position = ledger.position(fund, "2025-05-31")
    assert (position.current_fen, position.overdue_fen) == (
        1_000_000,
        {"1_30": 1_000_000, "31_60": 1_000_000, "61_89": 1_000_000, "90_plus": 1_000_000},
    )


def test_an_overdue_loan_ages_into_the_npl_bucket_without_a_new_report(ledger):
    fund = ledger.fund(yuan=100_000)
    ledger.disburse(fund, "L1", "2025-01-02", 10_000)
    ledger.delinquent(fund, "L1", "2025-03-01", 30)
    assert ledger.position(fund, "2025-06-01").npl_ratio == 1.0


def test_a_high_npl_ratio_shows_the_fund_suspended(ledger):
    fund = ledger.fund(yuan=100_000)
    ledger.disburse(fund, "L1", "2025-01-02", 10_000)
    ledger.disburse(fund, "L2", "2025-01-02", 10_000)
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    assert ledger.position(fund, "2025-05-31").status == "suspended"


def test_compensation_and_recoveries_are_reported(ledger):
    fund = ledger.fund(yuan=20_000)
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    ledger.claim(fund, "L1", "2025-05-02")
    ledger.pay(fund, "L1", "2025-05-20")
    ledger.recover(fund, "L1", "2025-06-01", 10_000)
    ledger.write_off(fund, "L1", "2025-06-02")
    p = ledger.position(fund, "2025-06-30")
    assert (
        p.compensation_claimed_fen,
        p.compensation_paid_fen,
        p.compensation_pending_fen,
        p.recovered_fen,
        p.recovered_to_fund_fen,
        p.written_off_fen,
        p.fund_balance_fen,
        p.covered_principal_fen,
    ) == (3_500_000, 2_000_000, 1_500_000, 1_000_000, 700_000, 4_000_000, 700_000, 0)


def test_household_share_is_the_fumin_part_of_covered_principal(ledger):
    fund = ledger.fund(yuan=1_000_000)
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.disburse(fund, "L2", "2025-01-10", 50_000, product="qiangnong")
    assert ledger.position(fund, "2025-02-01").household_share == 0.5


def test_a_report_uses_the_policy_in_force_on_its_as_of_date(ledger):
    fund = ledger.fund(yuan=10_000)
    ledger.policy(fund, "2025-04-01", cap_multiple_bps=120_000)
    caps = [ledger.position(fund, on).headroom_fen for on in ("2025-03-31", "2025-04-01")]
    assert caps == [10_000_000, 12_000_000]


def test_a_policy_change_recorded_later_does_not_change_an_old_report(ledger, clock):
    fund = ledger.fund(yuan=10_000)
    known = clock.now
    clock.advance(days=1)
    ledger.policy(fund, "2025-04-01", cap_multiple_bps=120_000)
    assert ledger.position(fund, "2025-05-01", known_at=known).headroom_fen == 10_000_000


def test_a_month_end_report_is_the_same_when_rerun_as_known_at_its_time(ledger, clock):
    fund = ledger.fund(yuan=100_000)
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.disburse(fund, "L2", "2025-02-10", 50_000)
    ledger.delinquent(fund, "L2", "2025-05-15", 40)
    month_end = ledger.position(fund, "2025-05-31")
    known = clock.now
    clock.advance(days=30)
    ledger.repay(fund, "L1", "2025-05-20", 10_000)  # late-arriving, back-dated events
    ledger.contribute(fund, "2025-05-25", 1_000)
    ledger.delinquent(fund, "L2", "2025-05-30", 105)
    ledger.interest(fund, "2025-05-31", "12.34")
    ledger.extend(fund, "L1", "2025-05-31", "2026-12-31")
    ledger.policy(fund, "2025-05-01", cap_multiple_bps=80_000)
    rerun = ledger.position(fund, "2025-05-31", known_at=known)
    assert rerun == dataclasses.replace(month_end, known_at=known)


def test_the_late_events_do_show_in_the_month_end_as_known_now(ledger, clock):
    fund = ledger.fund(yuan=100_000)
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    clock.advance(days=30)
    ledger.repay(fund, "L1", "2025-05-20", 10_000)
    assert ledger.position(fund, "2025-05-31").covered_principal_fen == 4_000_000


def test_reports_filter_by_county_code_prefix(ledger, uow):
    from credit_engine.ledger.position import fund_positions

    shanxi = ledger.fund(county="149901")
    ledger.fund(county="459901")
    with uow:
        found = {
            p.fund_id for p in fund_positions(uow, ledger.position(shanxi, "2025-02-01").as_of, None, None, "1499")
        }
    assert shanxi in found and all(f.startswith("F-") for f in found)


@pytest.mark.parametrize("as_of", ["2024-12-31"])
def test_a_fund_is_not_reported_before_it_opened(ledger, uow, as_of):
    import datetime as dt

    from credit_engine.ledger.position import fund_positions

    fund = ledger.fund(opened="2025-01-01")
    with uow:
        assert fund_positions(uow, dt.date.fromisoformat(as_of), fund_ids=[fund]) == []
