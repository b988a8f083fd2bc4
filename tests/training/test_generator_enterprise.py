"""The synthetic 强农贷 book keeps the enterprise contract, has a known true PD, and shares its counties' bad years
with the household registry of the same seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from credit_engine.enterprise.fields import ENTERPRISE_FIELDS
from credit_engine.enterprise.ratios import altman_z
from credit_engine.enterprise.validation import validate_enterprises
from training.generator import generate_registry
from training.generator_enterprise import LABEL_COLUMN, generate_enterprises

N = 20_000
FARMING_PURPOSES = ["crops", "livestock"]
FARMING_INDUSTRIES = ["planting", "breeding", "forestry"]


@pytest.fixture(scope="module")
def book() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_enterprises(N, seed=3)


def test_same_seed_same_book_and_another_seed_another(book) -> None:
    first, second = generate_enterprises(2000, seed=5), generate_enterprises(2000, seed=5)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])
    other, _ = generate_enterprises(2000, seed=6)
    assert not np.allclose(first[0]["total_assets"], other["total_assets"])


def test_every_row_keeps_the_contract(book) -> None:
    applications, truth = book
    assert list(applications.columns) == [*(f.name for f in ENTERPRISE_FIELDS), LABEL_COLUMN]
    result = validate_enterprises(applications, require_label=True)
    assert result.errors == [] and len(result.frame) == N
    assert applications["application_id"].is_unique and applications["credit_code"].is_unique
    assert applications["application_date"].is_monotonic_increasing
    assert truth["application_id"].equals(applications["application_id"])


def test_defaults_follow_the_true_pd(book) -> None:
    applications, truth = book
    y, true_pd = applications[LABEL_COLUMN].to_numpy(), truth["true_pd"].to_numpy()
    assert 0.03 < y.mean() < 0.15
    assert abs(y.mean() - true_pd.mean()) < 0.01
    bayes = roc_auc_score(y, true_pd)
    assert 0.8 < bayes < 0.92
    assert roc_auc_score(y, -altman_z(applications)) < bayes - 0.05  # Z'' sees only part of the risk


def test_the_book_has_the_product_spread(book) -> None:
    applications, _ = book
    assert set(applications["entity_type"]) == {"leading", "cooperative", "family_farm", "workshop", "project"}
    assert (applications["owner_equity"] < 0).any() and (applications["net_profit"] < 0).any()
    assert (applications["requested_amount"] > 30_000_000).any()  # the product limit has something to do
    assert applications["households_driven"].median() >= 10


def _farming_pd_by_county_year(frame: pd.DataFrame, truth: pd.DataFrame, farming: np.ndarray) -> pd.Series:
    cells = frame.assign(true_pd=truth["true_pd"].to_numpy(), year=frame["application_date"].dt.year)[farming]
    return cells.groupby(["county_code", "year"])["true_pd"].mean()


def _correlation(households: tuple, enterprises: tuple) -> float:
    (h, h_truth), (e, e_truth) = households, enterprises
    a = _farming_pd_by_county_year(h, h_truth, h["purpose"].isin(FARMING_PURPOSES).to_numpy())
    b = _farming_pd_by_county_year(e, e_truth, e["industry"].isin(FARMING_INDUSTRIES).to_numpy())
    both = pd.concat([a, b], axis=1, keys=["households", "enterprises"]).dropna()
    return float(both.corr().iloc[0, 1])


def test_a_county_bad_year_raises_both_products_defaults(book) -> None:
    households = generate_registry(N, seed=3)
    assert _correlation(households, book) > 0.3  # same seed: the same drought years
    assert abs(_correlation(households, generate_enterprises(N, seed=4))) < 0.2  # other years: no link
