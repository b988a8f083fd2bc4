"""The linear family: L2 logistic regression on one-hot categories and clipped, standardised numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.metrics import roc_auc_score

from credit_engine.features import FeatureSpec
from credit_engine.reasons import REASONS
from models import LinearPD


@pytest.fixture(scope="module")
def linear(spec, households) -> LinearPD:
    return LinearPD(spec=spec).fit(households)


def test_it_ranks_the_holdout_and_its_mean_pd_matches_the_default_rate(linear, holdout):
    y = holdout["defaulted"].to_numpy()
    pd_ = linear.predict_pd(holdout)

    assert roc_auc_score(y, pd_) > 0.65
    assert abs(pd_.mean() - y.mean()) < 0.03
    assert linear.C_ in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # chosen by cross-validation


def test_the_logit_is_the_intercept_plus_every_features_contribution(linear, holdout):
    contributions = linear.logit_contributions(holdout)

    assert contributions.shape == (len(holdout), len(linear.encoder_.feature_names_))
    np.testing.assert_allclose(
        linear.predict_pd(holdout), np.clip(expit(linear.intercept_ + contributions.sum(axis=1)), 3e-4, 1 - 3e-4)
    )
    assert (contributions >= linear.best_contribution_[None, :] - 1e-12).all()


def test_one_record_scores_and_explains_as_its_one_row_table(linear, holdout):
    sample = holdout.head(20)
    pds, reasons = linear.pd_and_reasons(sample)

    assert reasons == linear.reason_codes(sample)
    for i, record in enumerate(sample.to_dict("records")):
        assert linear.score_record(record) == (pds[i], reasons[i])
    assert all(len(r) <= 4 and set(r) <= set(REASONS) for r in reasons)


def test_many_prior_overdues_is_a_reason(linear, holdout):
    troubled = holdout.head(30).assign(prior_overdue_times=12, prior_loans=3)
    assert all("R06" in codes for codes in linear.reason_codes(troubled))


def test_an_unseen_category_and_a_missing_number_still_score(linear, holdout):
    odd = holdout.head(5).copy()
    odd["purpose"] = "spaceflight"
    odd["arable_land_mu"] = np.nan
    pd_ = linear.predict_pd(odd)

    assert np.isfinite(pd_).all() and ((pd_ > 0) & (pd_ < 1)).all()


def test_a_monotone_feature_with_the_wrong_sign_is_dropped():
    rng = np.random.default_rng(1)
    n = 3000
    risk = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "risk": risk,
            # declared increasing, but in the data the PD falls with it
            "duration": -risk + rng.normal(0, 0.5, n),
            "region": rng.choice(["a", "b", "c"], n),
        }
    )
    frame["bad"] = rng.random(n) < expit(-1 + 1.5 * risk)
    spec = FeatureSpec.from_dict({
        "name": "toy", "target": "bad", "positive": True,
        "features": {"risk": {"type": "numeric"}, "duration": {"type": "numeric", "monotone": "increasing"},
                     "region": {"type": "categorical"}},
    })  # fmt: skip
    model = LinearPD(spec=spec, C=1.0).fit(frame)
    unconstrained = LinearPD(spec=spec.__class__.from_dict({**spec.to_dict(), "features": {
        **spec.to_dict()["features"], "duration": {"type": "numeric"}}}), C=1.0).fit(frame)  # fmt: skip

    duration_column = 1  # risk (1 column), duration (1 column), region (3 columns)
    assert unconstrained.coef_[duration_column] < 0
    assert model.coef_[duration_column] == 0
    assert model.coef_[0] > 0


def test_a_bare_numeric_matrix_fits_without_a_spec():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 3))
    y = (rng.random(500) < expit(2 * X[:, 0])).astype(int)
    model = LinearPD(C=1.0).fit(X, y)

    assert roc_auc_score(y, model.predict_pd(X)) > 0.75
    assert model.predict(X).shape == (500,)
