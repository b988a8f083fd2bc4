"""Disbursements: the cap, the suspension, the product limit and idempotency, enforced when written."""

from __future__ import annotations

import pytest

from credit_engine.errors import InvalidInput
from credit_engine.ledger.errors import (
    FundSuspended,
    IdempotencyConflict,
    InsufficientFundHeadroom,
    LoanStateError,
    ProductLimitExceeded,
)


def test_a_disbursement_adds_covered_principal(ledger):
    fund = ledger.fund(yuan=10_000)
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    assert ledger.book(fund).covered_fen == {"fumin": 5_000_000, "qiangnong": 0}


def test_a_disbursement_beyond_the_cap_is_refused(ledger):
    fund = ledger.fund(yuan=10_000)  # 10x cap: 100,000 yuan of loans
    ledger.disburse(fund, "L1", "2025-02-01", 50_000)
    ledger.disburse(fund, "L2", "2025-02-01", 50_000)
    with pytest.raises(InsufficientFundHeadroom):
        ledger.disburse(fund, "L3", "2025-02-01", "0.01")


def test_a_fund_without_cap_lends_beyond_ten_times(ledger):
    fund = ledger.fund(yuan=1_000, cap_multiple_bps=None)
    receipt = ledger.disburse(fund, "L1", "2025-02-01", 3_000_000, product="qiangnong")
    assert receipt.details["headroom_fen"] is None


def test_a_household_loan_above_fifty_thousand_yuan_is_refused(ledger):
    fund = ledger.fund()
    with pytest.raises(ProductLimitExceeded):
        ledger.disburse(fund, "L1", "2025-02-01", "50000.01")


def test_no_lending_while_the_policy_suspends_the_fund(ledger):
    fund = ledger.fund()
    ledger.policy(fund, "2025-02-01", lending_suspended=True)
    with pytest.raises(FundSuspended):
        ledger.disburse(fund, "L1", "2025-02-01", 1_000)


def test_no_lending_while_the_npl_ratio_is_above_three_percent(ledger):
    fund = ledger.fund(yuan=100_000)
    for n in range(3):
        ledger.disburse(fund, f"L{n}", "2025-01-10", 10_000)
    ledger.delinquent(fund, "L0", "2025-05-01", 95)
    with pytest.raises(FundSuspended):
        ledger.disburse(fund, "L9", "2025-06-01", 1_000)


def test_the_same_key_and_body_returns_the_first_receipt_and_posts_nothing(ledger):
    fund = ledger.fund(yuan=10_000)
    first = ledger.disburse(fund, "L1", "2025-02-01", 50_000, key="ev-1")
    again = ledger.disburse(fund, "L1", "2025-02-01", 50_000, key="ev-1")
    assert (again.duplicate, again.transaction_id, ledger.book(fund).covered_principal_fen) == (
        True,
        first.transaction_id,
        5_000_000,
    )


def test_the_same_key_with_another_body_is_a_conflict(ledger):
    fund = ledger.fund(yuan=10_000)
    ledger.disburse(fund, "L1", "2025-02-01", 50_000, key="ev-1")
    with pytest.raises(IdempotencyConflict):
        ledger.disburse(fund, "L1", "2025-02-01", 40_000, key="ev-1")


def test_keys_are_unique_per_fund_not_globally(ledger):
    one, two = ledger.fund(), ledger.fund()
    ledger.disburse(one, "L1", "2025-02-01", 1_000, key="ev-1")
    assert not ledger.disburse(two, "L1", "2025-02-01", 1_000, key="ev-1").duplicate


def test_a_loan_id_is_disbursed_once(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "L1", "2025-02-01", 1_000)
    with pytest.raises(LoanStateError):
        ledger.disburse(fund, "L1", "2025-02-02", 1_000)


def test_a_raw_id_number_is_never_stored_as_borrower(ledger):
    fund = ledger.fund()
    with pytest.raises(InvalidInput):
        ledger.disburse(fund, "L1", "2025-02-01", 1_000, borrower="11010519491231002X")
