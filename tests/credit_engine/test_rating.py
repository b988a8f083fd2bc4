"""The rating service: knock-outs, PD bands, grades, credit lines and reasons, with a fake scorer and tiny frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.credit_line import repayment_capacity_yuan
from credit_engine.errors import InvalidInput
from credit_engine.policy import load_policy
from credit_engine.rating import (
    OUTPUT_COLUMNS,
    InvalidScorerOutput,
    grade_for_pd,
    rate_applications,
    rating_summary,
)

POLICY = load_policy()

# Eligible, and rich enough that repayment capacity (0.5 × 44,000 / (1/3 + 0.0435) ≈ 58,381) never binds.
GOOD = {
    "application_id": "APP-1",
    "household_id": "HH-1",
    "county_code": "140121",
    "registry_status": "registered",
    "head_age": 40,
    "credit_record": "normal",
    "purpose": "crops",
    "requested_amount": 50_000,
    "term_months": 36,
    "annual_net_income": 40_000,
    "transfer_income": 4_000,
}


class FakeScorer:
    """Returns the PDs and reasons it was given; can refuse to explain (to prove reasons were not asked for)."""

    model_version = "fake-7"

    def __init__(self, pds, reasons=None, *, explains: bool = True):
        self.pds = np.asarray(pds, dtype=float)
        self.reasons = reasons if reasons is not None else [["R01", "R06", "R07", "R09"]] * len(self.pds)
        self.explains = explains

    def predict_pd(self, frame):
        return self.pds

    def pd_and_reasons(self, frame, top_n=4):
        if not self.explains:
            raise AssertionError("reasons must not be asked for")
        return self.pds, self.reasons


def applications(*changes: dict) -> pd.DataFrame:
    return pd.DataFrame([{**GOOD, **change} for change in changes])


def rate_one(pd_value: float, policy=POLICY, **change) -> pd.Series:
    return rate_applications(applications(change), FakeScorer([pd_value]), policy).iloc[0]


def reasons(row: pd.Series) -> list[str]:
    return [row[f"reason_{n}"] for n in range(1, 5) if row[f"reason_{n}"]]


def with_lines(**lines: int):
    return POLICY.model_copy(update={"grade_lines_yuan": {**POLICY.grade_lines_yuan, **lines}})


@pytest.mark.parametrize(
    ("pd_value", "grade"),
    [(0.0, "AAA"), (0.0099, "AAA"), (0.01, "AA"), (0.0249, "AA"), (0.025, "A"), (0.05, "B"), (0.10, "C"), (1.0, "C")],
)
def test_master_scale_grades_below_each_bound(pd_value, grade):
    assert grade_for_pd(np.array([pd_value]), POLICY).tolist() == [grade]


@pytest.mark.parametrize(
    ("pd_value", "decision", "code"),
    [(0.049, "approve", ""), (0.05, "refer", "D02"), (0.1499, "refer", "D02"), (0.15, "decline", "D01")],
)
def test_pd_bands_decide(pd_value, decision, code):
    row = rate_one(pd_value)

    assert row["decision"] == decision
    assert row["reason_1"] == (code or "R01")


def test_an_approval_carries_grade_labels_line_and_versions():
    row = rate_one(0.005)

    assert (row["grade"], row["grade_zh"], row["decision"], row["decision_zh"]) == ("AAA", "优秀", "approve", "批准")
    assert row["credit_line_yuan"] == 50_000
    assert row["policy_version"] == "fumin-2026.1"
    assert row["model_version"] == "fake-7"
    assert row["knockouts"] == ""
    assert (row["application_id"], row["household_id"], row["county_code"]) == ("APP-1", "HH-1", "140121")


def test_declines_in_chinese():
    assert rate_one(0.5)["decision_zh"] == "拒绝"
    assert rate_one(0.07)["decision_zh"] == "转人工复核"


def test_a_knock_out_declines_with_k_codes_first_and_keeps_its_pd():
    row = rate_one(0.005, registry_status="none", term_months=48)

    assert row["decision"] == "decline"
    assert row["pd"] == pytest.approx(0.005)
    assert row["grade"] == "AAA"
    assert row["credit_line_yuan"] == 0
    assert row["knockouts"] == "K01;K06"
    assert reasons(row) == ["K01", "K06", "R01", "R06"]


def test_reasons_are_at_most_four_without_repeats():
    frame = applications({"registry_status": "none", "head_age": 70, "credit_record": "adverse"}, {}, {})
    scorer = FakeScorer(
        [0.3, 0.2, 0.01],
        [["R07", "K03", "R01", "R02"], ["R01", "R01", "R06", "R09"], ["R03"]],
    )

    rated = rate_applications(frame, scorer, POLICY)

    assert reasons(rated.iloc[0]) == ["K01", "K02", "K03", "R07"]
    assert rated.iloc[0]["knockouts"] == "K01;K02;K03"
    assert reasons(rated.iloc[1]) == ["D01", "R01", "R06", "R09"]
    assert reasons(rated.iloc[2]) == ["R03"]


def test_without_reasons_the_scorer_is_not_asked_and_only_policy_codes_remain():
    frame = applications({"purpose": "wedding"}, {}, {}, {})
    scorer = FakeScorer([0.01, 0.5, 0.07, 0.001], explains=False)

    rated = rate_applications(frame, scorer, POLICY, with_reasons=False)

    assert [reasons(row) for _, row in rated.iterrows()] == [["K04"], ["D01"], ["D02"], []]


@pytest.mark.parametrize(
    ("policy", "change", "line"),
    [
        (POLICY, {}, 30_000),  # AA grade line binds
        (with_lines(AA=80_000, AAA=80_000), {}, 50_000),  # product maximum binds
        (POLICY, {"annual_net_income": 16_000, "transfer_income": 0}, 21_000),  # capacity 21,229.6 binds
        (POLICY, {"requested_amount": 12_345}, 12_000),  # requested amount binds, rounded down
    ],
)
def test_line_is_the_smallest_limit_rounded_down(policy, change, line):
    assert rate_one(0.015, policy, **change)["credit_line_yuan"] == line


def test_capacity_worked_example():
    # 0.5 × (20,000 + 4,000) = 12,000 a year for principal/3 + principal × 4.35% → 12,000 / 0.376833 = 31,844.32
    frame = applications(
        {"annual_net_income": 20_000, "transfer_income": 4_000, "term_months": 36},
        {"annual_net_income": 20_000, "transfer_income": 4_000, "term_months": 6},  # counted as one year
    )

    assert repayment_capacity_yuan(frame, POLICY) == pytest.approx([31_844.32, 11_499.76], abs=0.01)
    rated = rate_applications(frame, FakeScorer([0.005, 0.005]), POLICY)
    assert rated["credit_line_yuan"].tolist() == [31_000, 11_000]


def test_line_on_an_exact_multiple_is_not_rounded_away():
    # an income whose capacity is 30,000 by the formula; float noise must not round it down to 29,000
    income = 30_000 * (1 / 3 + 0.0435) / 0.5
    row = rate_one(0.005, annual_net_income=income, transfer_income=0)

    assert row["credit_line_yuan"] == 30_000


def test_no_capacity_refers_with_d03():
    row = rate_one(0.005, annual_net_income=1_000, transfer_income=0)  # capacity ≈ 1,327 → 1,000: still a line
    assert (row["credit_line_yuan"], row["decision"]) == (1_000, "approve")

    row = rate_one(0.005, annual_net_income=700, transfer_income=0)  # capacity ≈ 929 → below the 1,000 minimum

    assert (row["credit_line_yuan"], row["decision"], row["reason_1"]) == (0, "refer", "D03")


def test_a_grade_without_a_line_refers_with_d04():
    row = rate_one(0.03, with_lines(A=0))

    assert (row["grade"], row["credit_line_yuan"], row["decision"], row["reason_1"]) == ("A", 0, "refer", "D04")


def test_a_referral_carries_the_line_it_would_get():
    stricter = POLICY.model_copy(update={"decision": POLICY.decision.model_copy(update={"approve_max_pd": 0.02})})

    row = rate_one(0.03, stricter)

    assert (row["grade"], row["decision"], row["reason_1"], row["credit_line_yuan"]) == ("A", "refer", "D02", 10_000)


def test_output_keeps_the_index_and_the_column_order():
    frame = applications({}, {"household_id": "HH-2"}, {"household_id": "HH-3"})
    frame.index = pd.Index([10, 3, 7])

    rated = rate_applications(frame, FakeScorer([0.01, 0.02, 0.3]), POLICY)

    assert tuple(rated.columns) == OUTPUT_COLUMNS
    assert rated.index.tolist() == [10, 3, 7]
    assert rated["household_id"].tolist() == ["HH-1", "HH-2", "HH-3"]
    assert rated["credit_line_yuan"].dtype == np.int64


def test_categorical_enums_rate_like_strings():
    frame = applications({}, {"purpose": "forestry", "term_months": 60}, {"credit_record": "adverse"})
    categorical = frame.astype({c: "category" for c in ("registry_status", "credit_record", "purpose")})
    scorer = FakeScorer([0.01, 0.02, 0.01])

    pd.testing.assert_frame_equal(
        rate_applications(categorical, scorer, POLICY).astype(str),
        rate_applications(frame, scorer, POLICY).astype(str),
    )


def test_model_version_defaults_to_the_scorer_and_can_be_named():
    frame = applications({})

    assert rate_applications(frame, FakeScorer([0.01]), POLICY, model_version="pd-9")["model_version"][0] == "pd-9"

    class Anonymous(FakeScorer):
        model_version = None

    assert rate_applications(frame, Anonymous([0.01]), POLICY)["model_version"][0] == "unknown"


def test_missing_application_id_is_allowed():
    rated = rate_applications(applications({}).drop(columns="application_id"), FakeScorer([0.01]), POLICY)

    assert rated["application_id"].isna().all()


def test_a_missing_column_is_named():
    with pytest.raises(InvalidInput) as caught:
        rate_applications(applications({}).drop(columns="transfer_income"), FakeScorer([0.01]), POLICY)

    assert [error.field for error in caught.value.errors] == ["transfer_income"]


@pytest.mark.parametrize("pds", [[np.nan], [1.2], [-0.1], [0.1, 0.2]])
def test_a_scorer_breaking_its_contract_is_refused(pds):
    with pytest.raises(InvalidScorerOutput):
        rate_applications(applications({}), FakeScorer(pds), POLICY)


def test_summary_counts_by_county_and_grade():
    frame = applications({}, {}, {"county_code": "140122"}, {"purpose": "wedding"})
    rated = rate_applications(frame, FakeScorer([0.005, 0.005, 0.07, 0.006]), POLICY, with_reasons=False)

    summary = rating_summary(rated)

    assert summary[["county_code", "grade"]].astype(str).values.tolist() == [["140121", "AAA"], ["140122", "B"]]
    first = summary.iloc[0]
    assert (first["applications"], first["approve"], first["refer"], first["decline"]) == (3, 2, 0, 1)
    assert first["total_credit_line_yuan"] == 100_000
    assert first["mean_pd"] == pytest.approx((0.005 + 0.005 + 0.006) / 3)
    assert summary.iloc[1][["applications", "refer"]].tolist() == [1, 1]
