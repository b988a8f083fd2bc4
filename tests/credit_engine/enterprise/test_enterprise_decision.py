"""The 强农贷 rating rules at their edges: each knock-out, the PD bands, the loan size and its reasons, the fund's
household-share rule, and one application rated as a table row is rated the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.assessment import FundHeadroom
from credit_engine.enterprise.decision import rate_enterprise, rate_enterprises, ratings
from credit_engine.enterprise.fields import FIELD_BY_NAME, example_enterprise
from credit_engine.enterprise.policy import load_enterprise_policy
from credit_engine.enterprise.validation import validate_enterprise, validate_enterprises
from training.generator_enterprise import generate_enterprises

POLICY = load_enterprise_policy()


def application(**changes) -> dict:
    """A valid application that the policy approves in full at a low PD: 2,000,000 yuan requested, enough cash
    flow, households and no existing debt."""
    base = {"existing_bank_debt": 0.0, "operating_cash_flow": 2_000_000.0, "households_driven": 200,
            "poor_employees": 220}  # fmt: skip
    return example_enterprise(**(base | changes))


def rate(pd_value: float = 0.005, model=("R17",), **changes):
    return rate_enterprise(application(**changes), pd_value, list(model), POLICY)


def test_the_base_application_is_valid_and_approved_in_full():
    record, errors = validate_enterprise(application())
    assert errors == []
    rating = rate_enterprise(record, 0.005, ["R17"], POLICY)
    assert (rating.decision, rating.grade, rating.credit_line_yuan) == ("approve", "AAA", 2_000_000)
    assert rating.reasons == ("R17",) and rating.knockouts == () and rating.policy_version == "qiangnong-2026.1"


@pytest.mark.parametrize(
    ("changes_pass", "changes_fail", "code"),
    [
        ({"credit_record": "watch"}, {"credit_record": "adverse"}, "K11"),
        ({"prior_overdue_times": 3}, {"prior_overdue_times": 4}, "K12"),
        ({"households_driven": 10, "requested_amount": 100_000.0}, {"households_driven": 9}, "K13"),
        ({"owner_equity": 0.01}, {"owner_equity": 0.0}, "K14"),
        ({"years_operating": 1}, {"years_operating": 0}, "K15"),
        ({"requested_amount": 100_000.0}, {"requested_amount": 99_999.0}, "K16"),
        ({"term_months": 36}, {"term_months": 37}, "K17"),
        ({"term_months": 6}, {"term_months": 5}, "K17"),
        ({"industry": "forestry", "term_months": 96}, {"industry": "forestry", "term_months": 97}, "K17"),
    ],
)
def test_each_knock_out_declines_just_past_its_edge(changes_pass, changes_fail, code):
    passing = rate(**changes_pass)
    failing = rate(**changes_fail)
    assert passing.decision == "approve" and passing.knockouts == ()
    assert failing.decision == "decline" and failing.knockouts == (code,) and failing.credit_line_yuan == 0
    assert failing.reasons[0] == code


def test_pd_bands_approve_refer_and_decline_at_the_policys_bounds():
    assert rate(0.0499).decision == "approve"
    referred = rate(0.05)
    assert (referred.decision, referred.decision_code, referred.credit_line_yuan) == ("refer", "D02", 2_000_000)
    assert referred.reasons[:2] == ("D02", "R17") and referred.grade == "B"
    declined = rate(0.15)
    assert (declined.decision, declined.reasons[0], declined.credit_line_yuan) == ("decline", "D01", 0)


def test_fewer_households_than_the_amount_needs_cuts_the_loan_and_says_so():
    rating = rate(households_driven=50)
    assert (rating.decision, rating.credit_line_yuan) == ("approve", 500_000)
    assert rating.reasons == ("L03", "R17")


def test_no_cash_flow_to_service_the_loan_refers_it_with_the_limit_that_cuts():
    rating = rate(operating_cash_flow=0.0)
    assert (rating.decision, rating.credit_line_yuan) == ("refer", 0)
    assert rating.reasons == ("D05", "L02", "R17")


def test_one_application_is_rated_as_its_row_of_a_table():
    records = [application(), application(households_driven=50), application(credit_record="adverse"),
               application(operating_cash_flow=0.0)]  # fmt: skip
    frame = pd.DataFrame(records)
    pds = [0.005, 0.02, 0.004, 0.09]
    table = ratings(rate_enterprises(frame, pds, POLICY), pds, [["R17"]] * 4, POLICY)
    assert table == [rate_enterprise(r, p, ["R17"], POLICY) for r, p in zip(records, pds, strict=True)]


@pytest.mark.parametrize(("amount_fen", "keeps"), [(1_000_000, True), (1_000_001, False)])
def test_the_household_share_rule_at_its_edge(amount_fen, keeps):
    # 60,000 of 90,000 yuan covered is household lending; the minimum is 60 %: 10,000 yuan more of 强农贷 is the most
    headroom = FundHeadroom("F-1", "ok", None, household_fen=6_000_000, covered_fen=9_000_000,
                            household_min_share_bps=6000)  # fmt: skip
    assert headroom.keeps_household_share(amount_fen) is keeps


def test_a_fund_without_a_minimum_share_takes_any_enterprise_loan():
    assert FundHeadroom("F-1", "ok", None).keeps_household_share(10**12)


def test_generated_applications_are_rated_one_by_one_as_their_rows_of_a_table():
    # one application's rules run on numpy scalars (its own collateral type's advance rate, a one-row knock-out
    # matrix, the limits' reasons): the same rating as its row of the table, over every collateral type, guarantor,
    # industry and PD band of a generated book
    frame, _ = generate_enterprises(300, seed=11)
    valid = validate_enterprises(frame.drop(columns="defaulted")).frame
    assert set(valid["collateral_type"].astype(str)) == set(FIELD_BY_NAME["collateral_type"].codes)
    pds = np.random.default_rng(2).choice([0.001, 0.01, 0.03, 0.06, 0.2, 0.5], len(valid)).tolist()
    model = [["R17"]] * len(valid)
    table = ratings(rate_enterprises(valid, pds, POLICY), pds, model, POLICY)
    records = [validate_enterprise(row)[0] for row in frame.drop(columns="defaulted").to_dict("records")]
    one_by_one = [rate_enterprise(r, p, ["R17"], POLICY) for r, p in zip(records, pds, strict=True)]
    assert one_by_one == table
    assert {r.decision for r in table} == {"approve", "refer", "decline"}
    assert {code for r in table for code in r.reasons if code.startswith("L")} >= {"L01", "L02", "L03"}
