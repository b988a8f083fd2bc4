"""The blend: a logistic stack of the scorecard's and LightGBM's PDs that scores and explains like any family."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit
from sklearn.metrics import roc_auc_score

from credit_engine.reasons import REASONS
from models import BlendPD, LightGBMPD, WOEScorecard
from models.blend import fit_stacker

FAST = {"lightgbm_params": {"n_estimators": 80, "n_jobs": 1}, "scorecard_params": {"C": 0.3}, "cv": 3}


@pytest.fixture(scope="module")
def blend(spec, households) -> BlendPD:
    return BlendPD(spec=spec, **FAST).fit(households)


def test_the_stack_combines_both_families_pds_on_the_logit_scale(blend, holdout):
    pd_card, pd_lgbm = blend.base_pds(holdout)
    w_card, w_lgbm = blend.stacker_.coef_[0]
    expected = 1 / (1 + np.exp(-(blend.stacker_.intercept_[0] + w_card * logit(pd_card) + w_lgbm * logit(pd_lgbm))))

    np.testing.assert_allclose(blend.predict_pd(holdout), np.clip(expected, 0.0003, 0.9997), rtol=1e-9)
    assert w_card > 0 and w_lgbm > 0
    np.testing.assert_allclose(pd_card, blend.scorecard_.predict_pd(holdout))
    np.testing.assert_allclose(pd_lgbm, blend.lightgbm_.predict_pd(holdout))


def test_it_ranks_at_least_as_well_as_its_weaker_family(blend, holdout):
    y = holdout["defaulted"].to_numpy()
    auc = roc_auc_score(y, blend.predict_pd(holdout))
    parts = [roc_auc_score(y, p) for p in blend.base_pds(holdout)]

    assert auc >= min(parts)
    assert abs(blend.predict_pd(holdout).mean() - y.mean()) < 0.02


def test_one_record_scores_and_explains_as_its_one_row_table(blend, holdout):
    sample = holdout.head(25)
    pds, reasons = blend.pd_and_reasons(sample)

    np.testing.assert_array_equal(pds, blend.predict_pd(sample))
    assert reasons == blend.reason_codes(sample)
    for i, record in enumerate(sample.to_dict("records")):
        assert blend.score_record(record) == (pds[i], reasons[i])
    assert all(len(r) <= 4 and set(r) <= set(REASONS) for r in reasons)


def test_many_prior_overdues_is_a_reason(blend, holdout):
    troubled = holdout.head(30).assign(prior_overdue_times=12, prior_loans=3)
    assert all("R06" in codes for codes in blend.reason_codes(troubled))


def test_assembled_from_fitted_parts_it_scores_with_the_given_stack(spec, households, holdout):
    card = WOEScorecard(spec=spec, C=0.3).fit(households)
    lgbm = LightGBMPD(spec=spec, n_estimators=80, n_jobs=1).fit(households)
    stacker = fit_stacker(card.predict_pd(holdout), lgbm.predict_pd(holdout), holdout["defaulted"].to_numpy())
    blend = BlendPD(spec=spec).assemble(card, lgbm, stacker)

    assert blend.scorecard_ is card and blend.lightgbm_ is lgbm
    assert blend.predict_pd(holdout).shape == (len(holdout),)


def test_parts_fitted_on_different_rows_are_refused(spec, households, holdout):
    card = WOEScorecard(spec=spec, C=0.3).fit(households)
    lgbm = LightGBMPD(spec=spec, n_estimators=20, n_jobs=1).fit(holdout.assign(purpose="crops"))
    stacker = fit_stacker(np.full(10, 0.1), np.linspace(0.01, 0.5, 10), np.tile([0, 1], 5))

    with pytest.raises(ValueError, match="same rows"):
        BlendPD(spec=spec).assemble(card, lgbm, stacker)
