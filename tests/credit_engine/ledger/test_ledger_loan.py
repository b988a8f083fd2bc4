"""The loan's state machine on its own (no database): each event gives the next loan or refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_engine.ledger.errors import LoanStateError
from credit_engine.ledger.loan import LoanEvent, LoanState, open_loan, replay

D = dt.date


def loan(amount_fen: int = 5_000_000, on: dt.date = D(2025, 1, 10)):
    event = LoanEvent(
        event_type="disbursement",
        value_date=on,
        amount_fen=amount_fen,
        product="fumin",
        borrower_ref="hh",
        maturity_date=D(2026, 1, 10),
    )
    return open_loan("F", "L", event)[0]


def test_a_loan_is_non_performing_from_ninety_days_past_due():
    overdue, _ = loan().report_delinquency(D(2025, 4, 1), 30)
    assert (overdue.state_on(D(2025, 5, 30)), overdue.state_on(D(2025, 5, 31))) == (
        LoanState.OVERDUE,
        LoanState.NON_PERFORMING,
    )


def test_repaying_more_than_is_outstanding_is_refused():
    with pytest.raises(LoanStateError):
        loan(100).repay(D(2025, 2, 1), 101)


def test_repaying_everything_ends_the_loan():
    assert loan(100).repay(D(2025, 2, 1), 100)[0].state is LoanState.REPAID


def test_a_loan_not_ninety_days_past_due_cannot_be_claimed():
    overdue, _ = loan().report_delinquency(D(2025, 4, 1), 30)
    assert overdue.claimable(D(2025, 4, 1), 90) is not None


def test_events_of_one_loan_come_in_value_date_order():
    later, _ = loan().repay(D(2025, 3, 1), 100)
    with pytest.raises(LoanStateError):
        later.repay(D(2025, 2, 1), 100)


def test_recoveries_return_the_funds_share_pro_rata():
    claimed, _ = loan(1000).report_delinquency(D(2025, 5, 1), 100)[0].claim(D(2025, 5, 2), 7000)
    _, postings = claimed.recover(D(2025, 6, 1), 500)
    assert {p.account: p.amount_fen for p in postings}["fund_cash"] == 350


def test_extension_returns_an_overdue_loan_to_current():
    overdue, _ = loan().report_delinquency(D(2025, 3, 1), 10)
    assert overdue.extend(D(2025, 3, 2), D(2026, 6, 1))[0].state is LoanState.ACTIVE


def test_a_non_performing_loan_cannot_be_extended():
    bad, _ = loan().report_delinquency(D(2025, 6, 1), 95)
    with pytest.raises(LoanStateError):
        bad.extend(D(2025, 6, 2), D(2026, 6, 1))


def test_replay_folds_the_recorded_events_into_the_same_loan():
    events = [
        LoanEvent(
            event_type="disbursement",
            value_date=D(2025, 1, 10),
            amount_fen=1000,
            product="fumin",
            borrower_ref="hh",
            maturity_date=D(2026, 1, 10),
        ),
        LoanEvent(event_type="repayment", value_date=D(2025, 2, 1), amount_fen=400),
        LoanEvent(event_type="delinquency", value_date=D(2025, 6, 1), days_past_due=100),
        LoanEvent(event_type="compensation_claim", value_date=D(2025, 6, 2), share_bps=7000),
    ]
    replayed, postings = replay("F", "L", events)
    assert (replayed.state, replayed.compensated_fen, replayed.claimed_fen, len(postings)) == (
        LoanState.COMPENSATED,
        600,
        420,
        4,
    )
