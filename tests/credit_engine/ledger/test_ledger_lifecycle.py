"""A loan's life in the ledger: repayment, delinquency, cure, extension, compensation, recovery, write-off,
reversal — each event fits the loan's state or is refused."""

from __future__ import annotations

import pytest

from credit_engine.ledger.errors import (
    FundWouldGoNegative,
    LoanStateError,
    ReversalRefused,
    UnknownLoan,
)
from credit_engine.ledger.loan import LoanState


@pytest.fixture
def fund(ledger):
    return ledger.fund(yuan=100_000)


@pytest.fixture
def bad_loan(ledger, fund):
    """L1: 50,000 yuan lent on 2025-01-10, reported 95 days past due on 2025-05-01."""
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    return "L1"


def test_a_repayment_reduces_covered_principal(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.repay(fund, "L1", "2025-03-01", 20_000)
    assert ledger.book(fund).covered_principal_fen == 3_000_000


def test_repaying_everything_closes_the_loan(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.repay(fund, "L1", "2025-03-01", 50_000)
    assert ledger.loan(fund, "L1").state is LoanState.REPAID


def test_repaying_more_than_is_outstanding_is_refused(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    with pytest.raises(LoanStateError):
        ledger.repay(fund, "L1", "2025-03-01", "50000.01")


def test_events_for_an_unknown_loan_are_refused(ledger, fund):
    with pytest.raises(UnknownLoan):
        ledger.repay(fund, "nobody", "2025-03-01", 1)


def test_a_loan_not_ninety_days_past_due_cannot_be_compensated(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.delinquent(fund, "L1", "2025-04-01", 60)
    with pytest.raises(LoanStateError):
        ledger.claim(fund, "L1", "2025-04-01")


def test_a_cured_loan_is_current_again(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.delinquent(fund, "L1", "2025-04-01", 10)
    ledger.cure(fund, "L1", "2025-04-05")
    assert ledger.loan(fund, "L1").state is LoanState.ACTIVE


def test_an_extension_sets_the_new_maturity(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000, maturity="2025-06-10")
    ledger.extend(fund, "L1", "2025-06-01", "2026-06-10")
    assert str(ledger.loan(fund, "L1").maturity_date) == "2026-06-10"


def test_the_fund_owes_its_share_of_a_claimed_loan(ledger, fund, bad_loan):
    receipt = ledger.claim(fund, bad_loan, "2025-05-02")
    assert (receipt.details["claimed_fen"], ledger.book(fund).covered_principal_fen) == (3_500_000, 0)


def test_a_paid_claim_leaves_the_fund(ledger, fund, bad_loan):
    ledger.claim(fund, bad_loan, "2025-05-02")
    ledger.pay(fund, bad_loan, "2025-05-20")
    assert ledger.book(fund).fund_balance_fen == 10_000_000 - 3_500_000


def test_a_claim_larger_than_the_fund_is_paid_in_part_and_the_rest_stays_pending(ledger):
    fund = ledger.fund(yuan=20_000)
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    ledger.claim(fund, "L1", "2025-05-02")
    receipt = ledger.pay(fund, "L1", "2025-05-20")
    assert (receipt.details["paid_fen"], receipt.details["pending_fen"], ledger.book(fund).fund_balance_fen) == (
        2_000_000,
        1_500_000,
        0,
    )


def _emptied_by_a_claim(ledger) -> str:
    """A 20,000-yuan fund that paid all it had on a 35,000-yuan share of a bad 50,000-yuan loan "L1"."""
    fund = ledger.fund(yuan=20_000)
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    ledger.claim(fund, "L1", "2025-05-02")
    ledger.pay(fund, "L1", "2025-05-20")
    return fund


def test_an_empty_fund_pays_nothing(ledger):
    fund = _emptied_by_a_claim(ledger)
    with pytest.raises(FundWouldGoNegative):
        ledger.pay(fund, "L1", "2025-05-21")


def test_a_top_up_pays_the_pending_rest(ledger):
    fund = _emptied_by_a_claim(ledger)
    ledger.contribute(fund, "2025-06-01", 100_000)
    assert ledger.pay(fund, "L1", "2025-06-02").details["pending_fen"] == 0


def test_a_recovery_returns_the_funds_share(ledger, fund, bad_loan):
    ledger.claim(fund, bad_loan, "2025-05-02")
    ledger.pay(fund, bad_loan, "2025-05-20")
    ledger.recover(fund, bad_loan, "2025-06-01", 10_000)
    assert ledger.book(fund).fund_balance_fen == 10_000_000 - 3_500_000 + 700_000


def test_recovering_everything_ends_in_recovered(ledger, fund, bad_loan):
    ledger.claim(fund, bad_loan, "2025-05-02")
    ledger.recover(fund, bad_loan, "2025-06-01", 50_000)
    assert ledger.loan(fund, bad_loan).state is LoanState.RECOVERED


def test_writing_off_ends_a_compensated_loan(ledger, fund, bad_loan):
    ledger.claim(fund, bad_loan, "2025-05-02")
    ledger.recover(fund, bad_loan, "2025-06-01", 10_000)
    ledger.write_off(fund, bad_loan, "2025-06-10")
    assert (ledger.loan(fund, bad_loan).state, ledger.loan(fund, bad_loan).written_off_fen) == (
        LoanState.WRITTEN_OFF,
        4_000_000,
    )


def test_a_compensated_loan_cannot_be_repaid(ledger, fund, bad_loan):
    ledger.claim(fund, bad_loan, "2025-05-02")
    with pytest.raises(LoanStateError):
        ledger.repay(fund, bad_loan, "2025-06-01", 1)


def test_a_reversed_repayment_is_outstanding_again(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.repay(fund, "L1", "2025-03-01", 20_000, key="r1")
    ledger.reverse(fund, "r1")
    assert (ledger.loan(fund, "L1").outstanding_fen, ledger.book(fund).covered_principal_fen) == (
        5_000_000,
        5_000_000,
    )


def test_a_transaction_is_reversed_at_most_once(ledger, fund):
    ledger.contribute(fund, "2025-02-01", 1, key="c1")
    ledger.reverse(fund, "c1")
    with pytest.raises(ReversalRefused):
        ledger.reverse(fund, "c1")


def test_a_reversal_cannot_be_reversed(ledger, fund):
    ledger.contribute(fund, "2025-02-01", 1, key="c1")
    ledger.reverse(fund, "c1", key="undo")
    with pytest.raises(ReversalRefused):
        ledger.reverse(fund, "undo")


def test_only_the_latest_event_of_a_loan_can_be_reversed(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000, key="d1")
    ledger.repay(fund, "L1", "2025-03-01", 1_000)
    with pytest.raises(ReversalRefused):
        ledger.reverse(fund, "d1")


def test_a_reversed_disbursement_cancels_the_loan(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 50_000, key="d1")
    ledger.reverse(fund, "d1")
    assert (ledger.loan(fund, "L1").state, ledger.book(fund).covered_principal_fen) == (LoanState.CANCELLED, 0)


def test_a_contribution_already_paid_out_cannot_be_reversed(ledger):
    fund = ledger.fund(yuan=0)
    ledger.contribute(fund, "2025-01-02", 20_000, key="c1")
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    ledger.claim(fund, "L1", "2025-05-02")
    ledger.pay(fund, "L1", "2025-05-20")
    with pytest.raises(FundWouldGoNegative):
        ledger.reverse(fund, "c1")
