"""The blend: a logistic stack of two or three families' PDs that scores and explains like any family."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logit
from sklearn.metrics import roc_auc_score

from credit_engine.reasons import REASONS
from models import BlendPD, LightGBMPD, LinearPD, WOEScorecard
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
    blend = BlendPD(spec=spec).assemble({"scorecard": card, "lightgbm": lgbm}, stacker)

    assert blend.scorecard_ is card and blend.lightgbm_ is lgbm
    assert blend.predict_pd(holdout).shape == (len(holdout),)


def test_its_pds_from_its_parts_pds_are_what_predicting_it_gives(blend, holdout):
    parts = [blend.scorecard_.predict_pd(holdout), blend.lightgbm_.predict_pd(holdout)]

    np.testing.assert_array_equal(blend.stacked_pd(parts), blend.predict_pd(holdout))  # the same bits
    with pytest.raises(ValueError, match="1 parts"):
        blend.stacked_pd(parts[:1])


def test_parts_fitted_on_different_rows_are_refused(spec, households, holdout):
    card = WOEScorecard(spec=spec, C=0.3).fit(households)
    lgbm = LightGBMPD(spec=spec, n_estimators=20, n_jobs=1).fit(holdout.assign(purpose="crops"))
    stacker = fit_stacker(np.full(10, 0.1), np.linspace(0.01, 0.5, 10), np.tile([0, 1], 5))

    with pytest.raises(ValueError, match="same rows"):
        BlendPD(spec=spec).assemble({"scorecard": card, "lightgbm": lgbm}, stacker)


@pytest.fixture(scope="module")
def blend3(spec, households) -> BlendPD:
    return BlendPD(spec=spec, parts=("scorecard", "lightgbm", "linear"), **FAST).fit(households)


def test_a_three_part_stack_sums_every_parts_weighted_logit(blend3, holdout):
    pds = blend3.base_pds(holdout)
    weights, intercept = blend3.stacker_.coef_[0], blend3.stacker_.intercept_[0]
    expected = 1 / (1 + np.exp(-(intercept + sum(w * logit(p) for w, p in zip(weights, pds, strict=True)))))

    assert len(pds) == 3 and (weights >= 0).all()
    np.testing.assert_allclose(blend3.predict_pd(holdout), np.clip(expected, 0.0003, 0.9997), rtol=1e-9)
    np.testing.assert_allclose(pds[2], blend3.linear_.predict_pd(holdout))
    y = holdout["defaulted"].to_numpy()
    assert roc_auc_score(y, blend3.predict_pd(holdout)) >= min(roc_auc_score(y, p) for p in pds)


def test_a_three_part_blend_scores_one_record_as_its_row(blend3, holdout):
    sample = holdout.head(15)
    pds, reasons = blend3.pd_and_reasons(sample)
    for i, record in enumerate(sample.to_dict("records")):
        assert blend3.score_record(record) == (pds[i], reasons[i])
    assert all("R06" in codes for codes in blend3.reason_codes(sample.assign(prior_overdue_times=12, prior_loans=3)))


def test_a_part_with_a_negative_weight_is_left_out_of_the_stack():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 4000)
    good = np.clip(0.3 + 0.4 * y + rng.normal(0, 0.2, 4000), 0.01, 0.99)
    # a part that is the good one's mirror image plus noise: alone it ranks backwards given the good one
    contrary = np.clip(1 - good + rng.normal(0, 0.05, 4000), 0.01, 0.99)
    stacker = fit_stacker(good, contrary, y)

    weights = stacker.coef_[0]
    assert weights[0] > 0 and weights[1] == 0
    assert stacker.decision_function(np.column_stack([logit(good), logit(contrary)])).shape == (4000,)


def test_unknown_or_single_parts_are_refused(spec, households):
    with pytest.raises(ValueError, match="two or more different families"):
        BlendPD(spec=spec, parts=("scorecard",)).fit(households)
    with pytest.raises(ValueError, match="two or more different families"):
        BlendPD(spec=spec, parts=("scorecard", "grove")).fit(households)


def test_a_stack_with_the_wrong_number_of_weights_is_refused(spec, households, holdout):
    card = WOEScorecard(spec=spec, C=0.3).fit(households)
    linear = LinearPD(spec=spec, C=0.3).fit(households)
    stacker = fit_stacker(card.predict_pd(holdout), linear.predict_pd(holdout), holdout["defaulted"].to_numpy())

    with pytest.raises(ValueError, match="2 weights for 3 parts"):
        BlendPD(spec=spec, parts=("scorecard", "linear", "lightgbm")).assemble(
            {"scorecard": card, "linear": linear, "lightgbm": LightGBMPD(spec=spec, n_estimators=20).fit(households)},
            stacker,
        )
