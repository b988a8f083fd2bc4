"""Knock-out rules: each fires alone with its own code, at the policy's inclusive boundaries, for str or Categorical."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.policy import KNOCKOUT_CODES, KNOCKOUT_RULES, knockout_codes, knockout_matrix, load_policy
from credit_engine.reasons import REASONS

POLICY = load_policy()

ELIGIBLE = {
    "registry_status": "registered",
    "head_age": 40,
    "credit_record": "normal",
    "purpose": "crops",
    "requested_amount": 30_000,
    "term_months": 36,
}


def applications(*changes: dict) -> pd.DataFrame:
    """One eligible application per entry of ``changes``, each with those fields changed."""
    return pd.DataFrame([{**ELIGIBLE, **change} for change in changes])


def codes_of(change: dict) -> list[str]:
    return knockout_codes(applications(change), POLICY)[0]


def test_rules_are_registered_once_in_code_order_with_known_reasons():
    assert KNOCKOUT_CODES == ("K01", "K02", "K03", "K04", "K05", "K06")
    assert all(code in REASONS for code, _ in KNOCKOUT_RULES)


def test_an_eligible_application_passes_every_rule():
    assert codes_of({}) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"registry_status": "none"}, "K01"),
        ({"head_age": 70}, "K02"),
        ({"credit_record": "adverse"}, "K03"),
        ({"purpose": "wedding"}, "K04"),
        ({"requested_amount": 60_000}, "K05"),
        ({"term_months": 48}, "K06"),
    ],
)
def test_each_rule_fires_alone_with_its_own_code(change, code):
    assert codes_of(change) == [code]


@pytest.mark.parametrize("status", ["registered", "exited", "monitored"])
def test_registered_exited_and_monitored_households_are_eligible(status):
    assert codes_of({"registry_status": status}) == []


@pytest.mark.parametrize(("age", "fails"), [(17, True), (18, False), (65, False), (66, True)])
def test_age_limits_are_inclusive(age, fails):
    assert codes_of({"head_age": age}) == (["K02"] if fails else [])


@pytest.mark.parametrize(
    ("amount", "fails"), [(999, True), (1_000, False), (50_000, False), (50_001, True), (50_000.5, True)]
)
def test_amount_limits_are_inclusive(amount, fails):
    assert codes_of({"requested_amount": amount}) == (["K05"] if fails else [])


@pytest.mark.parametrize(
    ("purpose", "term", "fails"),
    [
        ("crops", 0, True),
        ("crops", 1, False),
        ("crops", 36, False),
        ("crops", 37, True),
        ("crops", 48, True),
        ("forestry", 48, False),
        ("forestry", 60, False),
        ("forestry", 61, True),
    ],
)
def test_term_limit_is_longer_for_forestry(purpose, term, fails):
    assert codes_of({"purpose": purpose, "term_months": term}) == (["K06"] if fails else [])


@pytest.mark.parametrize("purpose", ["housing", "wedding", "consumption", "other"])
def test_non_productive_purposes_are_knocked_out(purpose):
    assert codes_of({"purpose": purpose}) == ["K04"]


def test_several_failures_come_in_registered_order():
    assert codes_of({"term_months": 48, "registry_status": "none", "credit_record": "adverse"}) == [
        "K01",
        "K03",
        "K06",
    ]


def test_missing_values_fail_the_rule_that_reads_them():
    frame = applications({"head_age": np.nan}, {"registry_status": None}, {"requested_amount": np.nan})

    assert knockout_codes(frame, POLICY) == [["K02"], ["K01"], ["K05"]]


def test_categorical_and_string_columns_give_the_same_masks():
    frame = applications(
        {}, {"registry_status": "none"}, {"credit_record": "adverse"}, {"purpose": "forestry", "term_months": 60}
    )
    categorical = frame.astype({c: "category" for c in ("registry_status", "credit_record", "purpose")})
    categorical.loc[4] = {**ELIGIBLE, "registry_status": np.nan}  # a missing category code
    frame.loc[4] = {**ELIGIBLE, "registry_status": None}

    matrix = knockout_matrix(categorical, POLICY)

    assert matrix.dtype == bool and matrix.shape == (5, 6)
    np.testing.assert_array_equal(matrix, knockout_matrix(frame, POLICY))
    assert knockout_codes(categorical, POLICY) == [[], ["K01"], ["K03"], [], ["K01"]]


def test_one_application_fails_the_rules_its_row_of_a_frame_fails():
    changes = [{}, {"registry_status": "none", "term_months": 48}, {"purpose": "forestry", "term_months": 61}]
    changes += [{"head_age": None, "requested_amount": 50_000.5}, {"credit_record": "adverse", "purpose": None}]
    matrix = knockout_matrix(applications(*changes), POLICY)

    for row, change in zip(matrix, changes, strict=True):
        one = knockout_matrix({**ELIGIBLE, **change}, POLICY)
        assert one.shape == (len(KNOCKOUT_CODES),)
        np.testing.assert_array_equal(one, row)


def test_rules_read_their_limits_from_the_policy():
    younger = POLICY.model_copy(update={"eligibility": POLICY.eligibility.model_copy(update={"max_age": 60})})

    assert knockout_codes(applications({"head_age": 62}), younger) == [["K02"]]
