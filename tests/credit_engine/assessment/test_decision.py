"""The decision once the county fund's headroom is known: each fund status refers with its own reason."""

from __future__ import annotations

import pytest

from credit_engine.assessment.decision import FUND_REASONS, fund_finding, reason, with_fund
from credit_engine.assessment.headroom import FundHeadroom
from credit_engine.assessment.rating import RecordRating


def approval(line_yuan: int = 30_000) -> RecordRating:
    return RecordRating(
        pd=0.004,
        grade="AAA",
        grade_zh="AAA",
        credit_line_yuan=line_yuan,
        decision="approve",
        decision_zh="批准",
        reasons=("R06",),
        knockouts=(),
        decision_code="",
        policy_version="fumin-test",
        model_reasons=("R06", "R01"),
    )


@pytest.mark.parametrize(
    ("headroom", "code"),
    [
        (FundHeadroom("F-1", "ok", 10_000_000), None),
        (FundHeadroom("F-1", "below_floor", None), None),
        (FundHeadroom("F-1", "ok", 100_000), "F01"),
        (FundHeadroom("F-1", "at_cap", 0), "F01"),
        (FundHeadroom("F-1", "over_cap", 0), "F01"),
        (FundHeadroom("F-1", "suspended", 10_000_000), "F02"),
        (FundHeadroom(None, "unknown", None), "F03"),
        (FundHeadroom(None, "no_fund", None), "F04"),
    ],
)
def test_each_fund_status_has_its_own_finding(headroom, code):
    assert fund_finding(headroom, 30_000) == code


def test_a_suspended_fund_refers_as_suspended_never_as_too_little_room():
    decision, codes = with_fund(approval(), FundHeadroom("F-1", "suspended", 10_000_000))
    assert decision == "refer" and codes[0] == "F02" and "F01" not in codes
    assert "暂停" in reason("F02").text_zh and "headroom" not in reason("F02").text_en


def test_an_approval_the_fund_can_take_keeps_its_reasons_and_fund_reasons_have_both_languages():
    assert with_fund(approval(), FundHeadroom("F-1", "ok", None)) == ("approve", ("R06",))
    assert all(r.text_zh and r.text_en for r in FUND_REASONS.values())
