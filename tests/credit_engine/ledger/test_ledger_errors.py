"""The ways a fund refuses a new loan are siblings: a suspended fund or one over its cap is never reported as one with
too little capacity, in its type, its code or its words."""

from __future__ import annotations

import pytest

from credit_engine.ledger.errors import (
    FundOverCap,
    FundSuspended,
    InsufficientFundHeadroom,
    LedgerError,
    LoanRefusedByFund,
)

REFUSALS = [
    InsufficientFundHeadroom("F-1", 100_000, 50_000),
    FundSuspended("F-1", "NPL ratio 4.00% above 3%", "不良率 4.00% 超过 3%"),
    FundOverCap("F-1", 100_000, 1_000_000),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda e: e.code)
def test_each_refusal_is_a_loan_refused_by_the_fund_and_no_kind_of_another(refusal):
    assert isinstance(refusal, LoanRefusedByFund) and isinstance(refusal, LedgerError)
    others = [type(other) for other in REFUSALS if type(other) is not type(refusal)]
    assert not any(isinstance(refusal, other) for other in others)


@pytest.mark.parametrize("refusal", REFUSALS[1:], ids=lambda e: e.code)
def test_a_suspended_or_over_cap_fund_does_not_speak_of_capacity_left(refusal):
    assert refusal.code != "insufficient_headroom"
    assert "capacity" not in refusal.message_en and "剩余放款额度" not in refusal.message_zh


def test_the_messages_give_yuan_with_thousands_and_two_decimals():
    assert InsufficientFundHeadroom("F-1", 123_456_789, 5).message_en == (
        "fund F-1 has 0.05 yuan of headroom left, the disbursement needs 1,234,567.89"
    )
