"""The 强农贷 loan size: each of the five limits cuts when it should, with its reason in 中文 and English; the same
function sizes a table and one application."""

import numpy as np
import pandas as pd
import pytest

from credit_engine.enterprise.policy import load_enterprise_policy
from credit_engine.enterprise.sizing import LIMIT_REASONS, loan_sizes
from credit_engine.reasons import reason

POLICY = load_enterprise_policy()
AAA, B = 0, 3

BASE = {
    "requested_amount": 2_000_000.0,
    "term_months": 24,
    "operating_cash_flow": 100_000_000.0,
    "existing_bank_debt": 0.0,
    "households_driven": 10_000,
    "collateral_type": "none",
    "collateral_value": 0.0,
    "guarantor": "none",
}

CASES = {  # name: (changes, grade, size, reasons)
    "nothing cuts": ({}, AAA, 2_000_000, []),
    "the grade's limit": ({"requested_amount": 5_000_000.0, "guarantor": "government"}, B, 3_000_000, ["L01"]),
    # 0.6 × 600,000 − 0.2 × 1,000,000 = 160,000 a year for 1/2 + 0.0435 per yuan: 294,388 → 290,000
    "cash flow": ({"operating_cash_flow": 600_000.0, "existing_bank_debt": 1_000_000.0}, AAA, 290_000, ["L02"]),
    "households driven": ({"households_driven": 50}, AAA, 500_000, ["L03"]),
    # above 3,000,000 without a waiving guarantee: max(3,000,000, 0.5 × 8,000,000)
    "collateral": (
        {"requested_amount": 10_000_000.0, "collateral_type": "land_rights", "collateral_value": 8_000_000.0},
        AAA,
        4_000_000,
        ["L04"],
    ),
    "the product limit": (
        {"requested_amount": 40_000_000.0, "guarantor": "government"},
        AAA,
        30_000_000,
        ["L01", "L05"],
    ),
    "below the product minimum": ({"households_driven": 5}, AAA, 0, ["L03"]),
}


@pytest.fixture(scope="module")
def sized():
    frame = pd.DataFrame([{**BASE, **changes} for changes, *_ in CASES.values()])
    grades = np.array([grade for _, grade, *_ in CASES.values()])
    return loan_sizes(frame, grades, POLICY)


def test_each_limit_cuts_with_its_reason(sized):
    assert sized.amount_yuan.tolist() == [size for _, _, size, _ in CASES.values()]
    assert sized.reason_codes() == [codes for *_, codes in CASES.values()]
    assert sized.amount_yuan.dtype == np.int64


def test_households_needed_at_the_quota(sized):
    assert sized.households_needed[list(CASES).index("households driven")] == 200  # 2,000,000 / 10,000


def test_a_waiving_guarantee_or_a_small_loan_needs_no_collateral():
    big = {**BASE, "requested_amount": 10_000_000.0}
    assert loan_sizes(pd.DataFrame([{**big, "guarantor": "government"}]), np.array([AAA]), POLICY).amount_yuan[0] == (
        10_000_000
    )
    unsecured = loan_sizes(pd.DataFrame([big]), np.array([AAA]), POLICY)
    assert unsecured.amount_yuan[0] == 3_000_000 and unsecured.reason_codes() == [["L04"]]


def test_one_application_is_sized_by_the_same_function(sized):
    for position, (changes, grade, size, _) in enumerate(CASES.values()):
        one = loan_sizes({**BASE, **changes}, np.int64(grade), POLICY)
        assert int(one.amount_yuan) == size == sized.amount_yuan[position]


def test_every_limit_reason_is_bilingual():
    assert reason(LIMIT_REASONS["households"]).text_en == "fewer households driven than the amount needs"
    assert reason(LIMIT_REASONS["households"]).text_zh == "带动建档立卡户数少于申请金额所需"
    for code in LIMIT_REASONS.values():
        assert reason(code).text_zh and reason(code).text_en
