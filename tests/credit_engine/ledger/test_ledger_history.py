"""Loan-level history for the subsidy report: principal and the days each loan was current in a period."""

from __future__ import annotations

import datetime as dt

from credit_engine.ledger.history import Segment, loan_periods
from credit_engine.ledger.unit_of_work import UnitOfWork

D = dt.date.fromisoformat


def periods(ledger, fund, first, last, known_at=None):
    with UnitOfWork(ledger.uow.engine, read_only=True) as reader:
        return {p.loan_id: p for p in loan_periods(reader, D(first), D(last), known_at, [fund])}


def test_a_current_loan_is_current_every_day_of_the_period(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 10_000)
    assert periods(ledger, fund, "2025-03-01", "2025-03-31")["L1"].segments == (
        Segment(D("2025-03-01"), D("2025-03-31"), 1_000_000, True),
    )


def test_a_repayment_changes_the_principal_from_its_date(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 10_000)
    ledger.repay(fund, "L1", "2025-03-11", 4_000)
    assert periods(ledger, fund, "2025-03-01", "2025-03-31")["L1"].current_principal_days == (
        1_000_000 * 10 + 600_000 * 21
    )


def test_the_subsidy_stops_the_day_after_the_amount_fell_due_even_if_reported_later(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 10_000)
    ledger.delinquent(fund, "L1", "2025-03-20", 10)  # fell due on 2025-03-10
    assert periods(ledger, fund, "2025-03-01", "2025-03-31")["L1"].current_days == 10


def test_a_cured_loan_is_subsidised_again(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 10_000)
    ledger.delinquent(fund, "L1", "2025-03-20", 10)
    ledger.cure(fund, "L1", "2025-03-25")
    assert periods(ledger, fund, "2025-03-01", "2025-03-31")["L1"].current_days == 10 + 7


def test_a_repaid_loan_has_no_days_after_repayment(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 10_000)
    ledger.repay(fund, "L1", "2025-02-10", 10_000)
    assert "L1" not in periods(ledger, fund, "2025-03-01", "2025-03-31")


def test_a_delinquency_recorded_later_does_not_change_the_period_as_known_before(ledger, clock):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 10_000)
    known = clock.now
    clock.advance(days=3)
    ledger.delinquent(fund, "L1", "2025-03-20", 10)
    assert periods(ledger, fund, "2025-03-01", "2025-03-31", known)["L1"].current_days == 31


def test_a_reversed_repayment_leaves_no_trace(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 10_000)
    ledger.repay(fund, "L1", "2025-03-11", 4_000, key="r1")
    ledger.reverse(fund, "r1")
    assert len(periods(ledger, fund, "2025-03-01", "2025-03-31")["L1"].segments) == 1


def test_the_subsidy_is_principal_times_rate_times_days_over_360(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-01-10", 36_000)
    period = periods(ledger, fund, "2025-03-01", "2025-03-10")["L1"]
    assert period.subsidy_fen(500) == 3_600_000 * 500 * 10 // (10_000 * 360)
