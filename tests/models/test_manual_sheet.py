"""The incumbent 100-point sheet: each item's worked example, county medians, and a PD for comparisons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.reasons import REASONS
from models import ManualSheet

# County 430121: median total assets 20,000, net assets 20,000, net income 10,000 yuan.
# County 522423: everything ten times smaller.
TRAINING = pd.DataFrame(
    {
        "county_code": ["430121"] * 3 + ["522423"] * 3,
        "household_size": [3] * 6,
        "labor_count": [2] * 6,
        "total_assets": [10_000.0, 20_000.0, 30_000.0, 1_000.0, 2_000.0, 3_000.0],
        "total_liabilities": [0.0] * 6,
        "coop_share_capital": [0.0] * 6,
        "annual_net_income": [5_000.0, 10_000.0, 15_000.0, 500.0, 1_000.0, 1_500.0],
        "village_evaluation": ["good"] * 6,
        "prior_overdue_times": [0] * 6,
        "credit_record": ["normal"] * 6,
        "defaulted": [0, 1, 0, 1, 0, 1],
    }
)
BEST = {
    "county_code": "430121",
    "household_size": 3,
    "labor_count": 3,
    "total_assets": 30_000.0,
    "total_liabilities": 0.0,
    "coop_share_capital": 10_000.0,
    "annual_net_income": 15_000.0,
    "village_evaluation": "excellent",
    "prior_overdue_times": 0,
    "credit_record": "normal",
}


@pytest.fixture(scope="module")
def sheet() -> ManualSheet:
    return ManualSheet().fit(TRAINING.drop(columns="defaulted"), TRAINING["defaulted"])


def _item(sheet: ManualSheet, item: str, **household) -> float:
    return float(sheet.sheet(pd.DataFrame([{**BEST, **household}]))[item].iloc[0])


def test_the_best_household_scores_100(sheet):
    assert sheet.score_points(pd.DataFrame([BEST]))[0] == pytest.approx(100.0)
    assert sheet.reason_codes(pd.DataFrame([BEST])) == [[]]


@pytest.mark.parametrize(("size", "points"), [(1, 5), (2, 7), (3, 8), (7, 8)])
def test_household_size(sheet, size, points):
    assert _item(sheet, "household_size", household_size=size) == points


@pytest.mark.parametrize(("workers", "points"), [(0, 0), (1, 3), (2, 7), (3, 8), (5, 8)])
def test_workers(sheet, workers, points):
    assert _item(sheet, "workers", labor_count=workers) == points


@pytest.mark.parametrize(
    ("assets", "points"), [(30_000.0, 13.0), (20_000.0, 9.75), (10_000.0, 5.2), (9_999.0, 1.3), (0.0, 1.3)]
)
def test_total_assets_against_the_county_median(sheet, assets, points):
    assert _item(sheet, "total_assets", total_assets=assets) == pytest.approx(points)


@pytest.mark.parametrize(
    ("assets", "debts", "points"), [(30_000.0, 0.0, 13.0), (30_000.0, 10_000.0, 9.75), (30_000.0, 40_000.0, 0.0)]
)
def test_net_assets_against_the_county_median(sheet, assets, debts, points):
    assert _item(sheet, "net_assets", total_assets=assets, total_liabilities=debts) == pytest.approx(points)


@pytest.mark.parametrize(
    ("capital", "points"), [(0.0, 0), (500.0, 1), (2_000.0, 2), (5_000.0, 3), (9_999.0, 3), (10_000.0, 4)]
)
def test_share_capital(sheet, capital, points):
    assert _item(sheet, "share_capital", coop_share_capital=capital) == points


@pytest.mark.parametrize(("income", "points"), [(15_000.0, 14.0), (10_000.0, 10.5), (5_000.0, 5.6), (0.0, 1.4)])
def test_net_income_against_the_county_median(sheet, income, points):
    assert _item(sheet, "net_income", annual_net_income=income) == pytest.approx(points)


@pytest.mark.parametrize(("evaluation", "points"), [("excellent", 30), ("good", 25), ("fair", 15), ("poor", 0)])
def test_village_evaluation(sheet, evaluation, points):
    assert _item(sheet, "village_evaluation", village_evaluation=evaluation) == points


@pytest.mark.parametrize(
    ("overdue", "record", "points"),
    [(0, "normal", 10), (0, "none", 10), (1, "normal", 7), (2, "normal", 4), (3, "normal", 0), (0, "watch", 5),
     (1, "watch", 5), (2, "watch", 4), (0, "adverse", 0)],
)  # fmt: skip
def test_repayment_record(sheet, overdue, record, points):
    assert _item(sheet, "repayment_record", prior_overdue_times=overdue, credit_record=record) == points


def test_county_medians_are_learned(sheet):
    assert sheet.county_medians_.loc["430121"].tolist() == [20_000.0, 20_000.0, 10_000.0]
    assert sheet.county_medians_.loc["522423"].tolist() == [2_000.0, 2_000.0, 1_000.0]


def test_the_same_income_counts_more_in_a_poorer_county(sheet):
    assert _item(sheet, "net_income", county_code="522423", annual_net_income=1_500.0) == 14.0
    assert _item(sheet, "net_income", county_code="430121", annual_net_income=1_500.0) == pytest.approx(1.4)


def test_an_unseen_county_is_compared_with_the_overall_median(sheet):
    overall = sheet.overall_medians_["annual_net_income"]  # between 1,500 and 5,000 yuan: six households

    assert overall == 3_250.0
    assert _item(sheet, "net_income", county_code="999999", annual_net_income=4_875.0) == 14.0
    assert _item(sheet, "net_income", county_code="999999", annual_net_income=4_874.0) == pytest.approx(10.5)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="village_evaluation, prior_overdue_times"):
        ManualSheet().fit(TRAINING.drop(columns=["village_evaluation", "prior_overdue_times"]), TRAINING["defaulted"])


def test_points_stay_within_0_and_100_and_rank_like_the_pd(manual_sheet_model, holdout):
    points = manual_sheet_model.score_points(holdout)
    pd_ = manual_sheet_model.predict_pd(holdout)

    assert points.min() >= 0 and points.max() <= 100
    assert (np.diff(pd_[np.argsort(points)]) <= 1e-15).all()
    assert abs(pd_.mean() - holdout["defaulted"].mean()) < 0.02


def test_reasons_name_the_items_that_lost_points(sheet, manual_sheet_model, holdout):
    overdue = pd.DataFrame([{**BEST, "prior_overdue_times": 2}])
    watched = pd.DataFrame([{**BEST, "credit_record": "watch"}])
    indebted = pd.DataFrame([{**BEST, "total_liabilities": 25_000.0}])
    poor = pd.DataFrame([{**BEST, "total_assets": 5_000.0}])

    assert sheet.reason_codes(overdue) == [["R06"]]
    assert sheet.reason_codes(watched) == [["R07"]]
    assert sheet.reason_codes(indebted) == [["R02"]]
    assert sheet.reason_codes(poor) == [["R03"]]  # few assets, and no debts: net assets also read as R03
    for codes in manual_sheet_model.reason_codes(holdout.head(200)):
        assert len(codes) <= 4 and len(set(codes)) == len(codes) and set(codes) <= set(REASONS)


def test_one_record_scores_as_its_one_row_table(sheet):
    households = pd.DataFrame([BEST, {**BEST, "labor_count": 1, "prior_overdue_times": 2, "county_code": "999999"}])
    pds, reasons = sheet.pd_and_reasons(households)

    for i, record in enumerate(households.to_dict("records")):
        assert sheet.score_record(record) == (pds[i], reasons[i])
