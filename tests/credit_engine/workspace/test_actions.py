"""The action list: each rule with its figure, the most urgent first, funds below the floor by shortfall, and
claims waiting past their payment deadline — from positions as the ledger computes them."""

from __future__ import annotations

import datetime as dt

from credit_engine.ledger.domain import FundPolicy, default_terms
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.queries.claims import PendingClaim
from credit_engine.workspace.actions import URGENCY, action_list

AS_OF = dt.date(2026, 11, 30)
TERMS = default_terms()  # floor 8×, cap 10×, NPL suspension 3 %, claims paid within 30 days
YUAN = 100


def position(fund_id: str, balance_yuan: int, covered_yuan: int, npl_yuan: int = 0, **terms) -> FundPosition:
    overdue = {"1_30": 0, "31_60": 0, "61_89": 0, "90_plus": npl_yuan * YUAN}
    return FundPosition(
        fund_id=fund_id,
        county_code="140121",
        bank_code="RCC",
        as_of=AS_OF,
        known_at=None,
        terms=TERMS.replace(**terms) if terms else TERMS,
        policy_effective_from=dt.date(2025, 1, 2),
        fund_balance_fen=balance_yuan * YUAN,
        covered_by_product_fen={"fumin": covered_yuan * YUAN},
        overdue_fen=overdue,
    )


def test_funds_below_the_floor_come_by_shortfall_with_the_figure_and_the_rule():
    small = position("F-SMALL", 1_000_000, 7_000_000)  # 1,000,000 yuan short of 8×
    large = position("F-LARGE", 3_000_000, 4_000_000)  # 20,000,000 yuan short
    fine = position("F-FINE", 1_000_000, 9_000_000)
    actions = action_list([small, large, fine], [], {})
    assert [(a.rule, a.fund_id) for a in actions] == [("below_floor", "F-LARGE"), ("below_floor", "F-SMALL")]
    assert "20,000,000.00" in actions[0].figure_zh and "下限 8.00×" in actions[0].figure_zh
    assert "shortfall 20,000,000.00 yuan (1.33×, floor 8.00×)" == actions[0].figure_en
    assert actions[0].rule_zh == "放大倍数不得低于下限" and actions[0].rule_en == "the multiple must reach the floor"


def test_rules_are_ordered_by_urgency():
    funds = [
        position("F-FLOOR", 1_000_000, 1_000_000),
        position("F-ATCAP", 1_000_000, 10_000_000),  # headroom 0: no loan fits
        position("F-OVER", 1_000_000, 10_500_000),
        position("F-NPL-NEAR", 1_000_000, 9_000_000, npl_yuan=250_000),  # 2.78 % of covered, threshold 3 %
        position("F-SUSPENDED", 1_000_000, 9_000_000, npl_yuan=300_000),  # 3.33 %
    ]
    actions = action_list(funds, [], {})
    assert [a.rule for a in actions] == ["suspended", "over_cap", "npl_approaching", "below_floor", "at_cap"]
    assert [a.urgency for a in actions] == sorted(a.urgency for a in actions)
    assert actions[0].figure_en == "NPL ratio 3.33%, threshold 3.00%"
    assert actions[1].figure_en == "500,000.00 yuan over the cap (10.50×, cap 10.00×)"
    assert actions[2].figure_en == "NPL ratio 2.78%, suspension threshold 3.00%"


def test_a_fund_suspended_by_policy_is_on_the_list_first():
    actions = action_list([position("F-OFF", 1_000_000, 9_000_000, lending_suspended=True)], [], {})
    assert [a.rule for a in actions] == ["suspended"]
    assert actions[0].figure_en.startswith("lending suspended by the fund's policy (NPL ratio ")
    assert actions[0].figure_zh.startswith("政策暂停放款（不良率 ")


def test_a_claim_waiting_past_its_deadline_is_listed_with_its_days_late():
    fund = position("F-CLAIMS", 1_000_000, 9_000_000)
    policy = FundPolicy("F-CLAIMS", dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, tzinfo=dt.UTC), TERMS)
    late = PendingClaim("F-CLAIMS", "L-LATE", dt.date(2026, 10, 1), 35_000 * YUAN)  # pay by 2026-10-31
    on_time = PendingClaim("F-CLAIMS", "L-NEW", dt.date(2026, 11, 15), 1_000 * YUAN)  # pay by 2026-12-15
    actions = action_list([fund], [late, on_time], {"F-CLAIMS": [policy]})
    assert [(a.rule, a.loan_id) for a in actions] == [("claim_overdue", "L-LATE")]
    assert actions[0].figure_en == "loan L-LATE: 35,000.00 yuan pending, 30 days past the deadline 2026-10-31"
    assert "已逾期 30 天" in actions[0].figure_zh


def test_a_claim_is_held_to_the_deadline_in_force_on_its_day():
    fund = position("F-CLAIMS", 1_000_000, 9_000_000)
    recorded = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    versions = [
        FundPolicy("F-CLAIMS", dt.date(2025, 1, 2), recorded, TERMS.replace(payment_deadline_days=90)),
        FundPolicy("F-CLAIMS", dt.date(2026, 10, 15), recorded, TERMS),  # 30 days only for later claims
    ]
    claim = PendingClaim("F-CLAIMS", "L-1", dt.date(2026, 10, 1), 100 * YUAN)  # pay by 2026-12-30
    assert action_list([fund], [claim], {"F-CLAIMS": versions}) == []


def test_every_rule_has_an_urgency_and_nothing_to_do_is_an_empty_list():
    assert len(set(URGENCY)) == 6
    assert action_list([position("F-FINE", 1_000_000, 9_000_000)], [], {}) == []
