"""The random forest family: LightGBM's ``rf`` boosting read as log-odds — its PD the forest's own probability, its
reasons TreeSHAP on the same scale, one record scored as its row, no monotone direction imposed (said in its
docstring: the constraints cost a forest more than they cost boosting), and a part of the blend like any family."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.metrics import roc_auc_score

from credit_engine.reasons import REASONS
from models import BlendPD, ForestPD

FAST = {"n_estimators": 60, "n_jobs": 1}


@pytest.fixture(scope="module")
def forest(spec, households) -> ForestPD:
    return ForestPD(spec=spec, **FAST).fit(households)


def test_its_pd_is_the_forests_own_probability_and_it_ranks(forest, holdout):
    pd_ = forest.predict_pd(holdout)
    np.testing.assert_allclose(pd_, np.clip(forest.booster_.predict(forest.encoder_.transform(holdout)), 3e-4, 1))
    assert forest.booster_.params["boosting"] == "rf" and forest.best_iteration_ == 60
    assert roc_auc_score(holdout["defaulted"], pd_) > 0.70


def test_contributions_add_up_to_its_log_odds(forest, holdout):
    contributions = forest.raw_contributions(holdout.head(50))
    np.testing.assert_allclose(contributions.sum(axis=1), forest.raw_margin(holdout.head(50)), atol=1e-9)
    np.testing.assert_allclose(expit(forest.raw_margin(holdout.head(50))), forest.predict_pd(holdout.head(50)))


def test_one_record_scores_and_explains_as_its_row(forest, holdout):
    sample = holdout.head(20)
    pds, reasons = forest.pd_and_reasons(sample)
    for i, record in enumerate(sample.to_dict("records")):
        assert forest.score_record(record) == (pds[i], reasons[i])
    assert all(code in REASONS for row in reasons for code in row)


def test_it_imposes_no_monotone_direction_and_says_so(forest, spec):
    assert any(feature.monotone_sign for feature in spec.features)
    params = forest._lgb_params(0, len(forest.encoder_.feature_names_))
    assert "monotone_constraints" not in params and params["boosting"] == "rf"


def test_a_blend_stacks_the_forest_as_a_part_and_explains_on_one_scale(spec, households, holdout):
    blend = BlendPD(spec=spec, parts=("scorecard", "forest"), cv=3, forest_params=FAST).fit(households)
    card_pd, forest_pd = blend.base_pds(holdout)
    weights, intercept = blend.stacker_.coef_[0], blend.stacker_.intercept_[0]
    expected = expit(intercept + weights[0] * logit(card_pd) + weights[1] * logit(forest_pd))
    np.testing.assert_allclose(blend.predict_pd(holdout), np.clip(expected, 3e-4, 1 - 3e-4), rtol=1e-9)
    sample = holdout.head(10)
    pds, reasons = blend.pd_and_reasons(sample)
    for i, record in enumerate(sample.to_dict("records")):
        assert blend.score_record(record) == (pds[i], reasons[i])
    assert all("R06" in codes for codes in blend.reason_codes(sample.assign(prior_overdue_times=12, prior_loans=3)))
