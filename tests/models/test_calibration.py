"""A Platt map of the scorecard's PDs (issue 13): it moves the PDs, keeps the points, the ranks and the reasons, reads
the same on one record as in a table, travels in the card's offset and factor, and is absent from old cards."""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression

from models import BlendPD
from models.calibration import calibrated_scaling, fit_pd_platt, platt_terms


def _platt(slope: float, intercept: float) -> LogisticRegression:
    """A one-feature Platt map with the given terms (as ``fit_pd_platt`` returns one)."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=400)
    calibrator = LogisticRegression().fit(z[:, None], (rng.random(400) < expit(z)).astype(int))
    calibrator.coef_[:] = slope
    calibrator.intercept_[:] = intercept
    return calibrator


@pytest.fixture()
def card(scorecard_model):
    return copy.deepcopy(scorecard_model)  # the session's card stays as fitted


def test_the_map_moves_pds_and_keeps_points_ranks_and_reasons(card, holdout):
    points, raw = card.score_points(holdout), card.predict_pd(holdout)
    reasons = card.reason_codes(holdout)

    card.recalibrate(_platt(0.7, -0.4), rows=640)

    calibrated = card.predict_pd(holdout)
    np.testing.assert_allclose(calibrated, expit(-0.4 + 0.7 * logit(raw)), rtol=1e-10)
    np.testing.assert_array_equal(card.score_points(holdout), points)
    assert card.reason_codes(holdout) == reasons
    order = np.argsort(points, kind="stable")
    assert (np.diff(calibrated[order]) <= 1e-15).all()  # more points, never a higher PD


def test_one_record_reads_the_calibrated_pd_of_its_table(card, holdout):
    card.recalibrate(_platt(0.8, -0.3))
    sample = holdout.head(40)
    pds, reasons = card.pd_and_reasons(sample)

    np.testing.assert_array_equal(pds, card.predict_proba(sample)[:, 1])
    for i, record in enumerate(sample.to_dict("records")):
        assert card.score_record(record) == (pds[i], reasons[i])


def test_the_exported_card_reads_the_calibrated_pd_from_points(card, holdout):
    card.recalibrate(_platt(0.75, -0.5), rows=640)
    document = json.loads(card.card_json())

    from_points = 1 / (1 + np.exp((card.score_points(holdout) - document["offset"]) / document["factor"]))
    np.testing.assert_allclose(from_points, card.predict_pd(holdout), rtol=1e-9)
    assert document["calibration"]["slope"] == 0.75 and document["calibration"]["n_rows"] == 640


def test_a_blend_reads_its_cards_calibrated_pd_and_logit_reasons(card, lightgbm_model, holdout):
    stack = _platt(1.0, 0.0)
    stack.coef_ = np.array([[0.6, 0.5]])
    blend = BlendPD(spec=card.spec).assemble({"scorecard": card, "lightgbm": lightgbm_model}, stack)
    card.recalibrate(_platt(0.7, -0.4))

    np.testing.assert_allclose(blend.base_pds(holdout)[0], card.predict_pd(holdout))
    pds, reasons = blend.pd_and_reasons(holdout.head(20))
    for i, record in enumerate(holdout.head(20).to_dict("records")):
        assert blend.score_record(record) == (pds[i], reasons[i])


def test_a_card_pickled_before_calibration_existed_loads_and_scores_as_fitted(card, holdout):
    raw = card.predict_pd(holdout)
    del card.calibrator_  # a card from before issue 13
    old = pickle.loads(pickle.dumps(card))

    np.testing.assert_array_equal(old.predict_pd(holdout), raw)
    assert json.loads(old.card_json())["calibration"] is None
    assert old.score_record(holdout.head(1).to_dict("records")[0])[0] == raw[0]


def test_refitting_drops_a_map_learnt_for_the_earlier_fit(card, households, holdout):
    card.recalibrate(_platt(0.7, -0.4))
    card.fit(households)

    assert card.calibrator_ is None


def test_a_map_that_would_reverse_the_ranks_is_refused(card):
    with pytest.raises(ValueError, match="increasing"):
        card.recalibrate(_platt(-0.5, 0.0))
    with pytest.raises(ValueError, match="one-feature"):
        card.recalibrate("isotonic")


def test_platt_on_out_of_fold_pds_recovers_an_over_spread_model():
    rng = np.random.default_rng(4)
    true_logit = rng.normal(-2.5, 1.0, size=20_000)
    labels = (rng.random(len(true_logit)) < expit(true_logit)).astype(int)
    over_spread = expit(1.5 * true_logit + 1.0)  # what an over-fitted model says of the same rows

    slope, intercept = platt_terms(fit_pd_platt(over_spread, labels))

    assert slope == pytest.approx(1 / 1.5, abs=0.05) and intercept == pytest.approx(-1.0 / 1.5, abs=0.15)


def test_the_calibrated_scaling_is_the_map_on_the_points_logit():
    offset, factor = calibrated_scaling(487.1, 28.85, _platt(0.7, -0.4))
    points = np.array([420.0, 500.0, 610.0])

    np.testing.assert_allclose((offset - points) / factor, -0.4 + 0.7 * (487.1 - points) / 28.85)
    assert calibrated_scaling(487.1, 28.85, None) == (487.1, 28.85)
