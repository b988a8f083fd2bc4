"""Engine errors to HTTP: each way a fund refuses a loan answers 409 with its own code and its own words."""

from __future__ import annotations

import pytest

from api.errors import engine_error_body
from credit_engine.ledger.errors import FundOverCap, FundSuspended, InsufficientFundHeadroom


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InsufficientFundHeadroom("F-1", 100_000, 50_000), "InsufficientFundHeadroom"),
        (FundSuspended("F-1", "suspended by its policy", "政策规定暂停"), "FundSuspended"),
        (FundOverCap("F-1", 100_000, 1_000_000), "FundOverCap"),
    ],
)
def test_each_refusal_of_the_fund_is_409_with_its_own_code(error, code):
    status, body = engine_error_body(error)
    assert (status, body["error"]) == (409, code)
    assert (body["message"], body["message_zh"]) == (error.message_en, error.message_zh)


def test_a_suspended_fund_is_not_answered_as_insufficient_capacity():
    _, body = engine_error_body(FundSuspended("F-1", "suspended by its policy", "政策规定暂停"))
    assert "Capacity" not in body["error"] and "capacity" not in body["message"]
    assert "暂停" in body["message_zh"] and "剩余放款额度" not in body["message_zh"]
