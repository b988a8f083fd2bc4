"""The LightGBM PD model in the terms the domain cares about: monotone, name-blind, calibrated, explained."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from credit_engine.reasons import MAX_REASONS, REASONS
from models import LightGBMPD
from models.lgbm import PD_FLOOR


def _on_grid(rows: pd.DataFrame, column: str, grid: np.ndarray) -> pd.DataFrame:
    """Each row repeated once per grid value, ``column`` set to the grid."""
    repeated = rows.loc[rows.index.repeat(len(grid))].reset_index(drop=True)
    repeated[column] = np.tile(grid, len(rows)).astype(rows[column].dtype)
    return repeated


@pytest.mark.parametrize(
    ("column", "grid", "direction"),
    [
        ("prior_overdue_times", np.arange(0, 13), 1),
        ("annual_net_income", np.geomspace(500.0, 300_000.0, 25), -1),
        ("total_liabilities", np.linspace(0.0, 200_000.0, 21), 1),
    ],
)
def test_pd_moves_only_in_the_direction_the_domain_allows(lightgbm_model, holdout, column, grid, direction):
    rows = holdout.sample(n=300, random_state=1)
    pd_ = lightgbm_model.predict_pd(_on_grid(rows, column, grid)).reshape(len(rows), len(grid))

    steps = np.diff(pd_, axis=1) * direction
    assert steps.min() >= 0.0
    assert ((pd_[:, -1] - pd_[:, 0]) * direction).max() > 0.01  # and the feature does move it


def test_identifiers_do_not_change_the_score(lightgbm_model, holdout):
    renamed = holdout.assign(
        household_id=[f"X{i}" for i in range(len(holdout))],
        application_id=holdout["application_id"].iloc[::-1].to_numpy(),
    )

    np.testing.assert_array_equal(lightgbm_model.predict_pd(renamed), lightgbm_model.predict_pd(holdout))


def test_pd_is_calibrated_on_unseen_households(lightgbm_model, holdout):
    pd_ = lightgbm_model.predict_pd(holdout)
    defaulted = holdout["defaulted"].to_numpy()

    assert abs(pd_.mean() - defaulted.mean()) < 0.015
    riskiest, safest = pd_ >= np.quantile(pd_, 0.8), pd_ <= np.quantile(pd_, 0.2)
    assert abs(pd_[riskiest].mean() - defaulted[riskiest].mean()) < 0.05
    assert defaulted[riskiest].mean() > 3 * defaulted[safest].mean()


def test_it_ranks_better_than_the_manual_sheet(lightgbm_model, manual_sheet_model, holdout):
    defaulted = holdout["defaulted"]
    model_auc = roc_auc_score(defaulted, lightgbm_model.predict_pd(holdout))
    sheet_auc = roc_auc_score(defaulted, manual_sheet_model.predict_pd(holdout))

    assert model_auc > 0.75
    assert model_auc > sheet_auc + 0.05


def test_pds_from_its_raw_margins_are_its_pds(lightgbm_model, holdout):
    margin = lightgbm_model.raw_margin(holdout)
    np.testing.assert_array_equal(lightgbm_model.pd_from_margin(margin), lightgbm_model.predict_pd(holdout))


def test_early_stopping_keeps_only_the_best_trees(lightgbm_model):
    assert 1 <= lightgbm_model.best_iteration_ < 400
    assert lightgbm_model.booster_.current_iteration() == lightgbm_model.best_iteration_


def test_text_enums_score_like_categorical_ones(lightgbm_model, holdout, holdout_as_text):
    np.testing.assert_array_equal(lightgbm_model.predict_pd(holdout_as_text), lightgbm_model.predict_pd(holdout))


def test_contributions_add_up_to_the_raw_margin(lightgbm_model, holdout):
    contributions = lightgbm_model.raw_contributions(holdout.head(50))
    margin = lightgbm_model.booster_.predict(
        lightgbm_model.encoder_.transform(holdout.head(50)),
        raw_score=True,
        num_iteration=lightgbm_model.best_iteration_,
    )

    assert contributions.shape == (50, len(lightgbm_model.feature_names_in_) + 1)
    np.testing.assert_allclose(contributions.sum(axis=1), margin, atol=1e-9)


def test_reasons_are_at_most_four_distinct_known_codes(lightgbm_model, holdout):
    for codes in lightgbm_model.reason_codes(holdout.head(500)):
        assert len(codes) <= MAX_REASONS
        assert len(set(codes)) == len(codes)
        assert all(code in REASONS and code.startswith("R") for code in codes)


def test_many_prior_overdues_is_a_reason(lightgbm_model, holdout):
    troubled = holdout.head(50).assign(prior_loans=3, prior_overdue_times=9)

    assert all("R06" in codes for codes in lightgbm_model.reason_codes(troubled))


def test_one_application_scores_and_explains_as_in_its_batch(lightgbm_model, holdout):
    sample = holdout.head(20)
    pd_batch, reasons_batch = lightgbm_model.pd_and_reasons(sample)

    assert reasons_batch == lightgbm_model.reason_codes(sample)
    np.testing.assert_array_equal(pd_batch, lightgbm_model.predict_pd(sample))
    for i in range(len(sample)):
        pd_one, reasons_one = lightgbm_model.pd_and_reasons(sample.iloc[[i]])
        assert reasons_one == [reasons_batch[i]]
        assert pd_one[0] == pd_batch[i]


@pytest.mark.parametrize("calibration", ["sigmoid", "isotonic", None])
def test_one_record_scores_as_its_one_row_table_without_a_frame(spec, households, holdout, calibration):
    model = LightGBMPD(spec=spec, n_estimators=60, n_jobs=1, calibration=calibration).fit(households)
    sample = holdout.head(40)
    pds, reasons = model.pd_and_reasons(sample)

    for i, record in enumerate(sample.to_dict("records")):
        assert model.score_record(record) == (pds[i], reasons[i])


def test_platt_calibration_is_the_logistic_regressions_own_arithmetic(lightgbm_model):
    margin = np.linspace(-12.0, 12.0, 2001)
    sigmoid = lightgbm_model.calibrator_
    expected = np.clip(sigmoid.predict_proba(margin[:, None])[:, 1], PD_FLOOR, 1.0 - PD_FLOOR)

    assert type(sigmoid).__name__ == "LogisticRegression"
    np.testing.assert_array_equal(lightgbm_model._pd_from_margin(margin), expected)


def test_an_unfitted_model_scores_no_record(holdout):
    with pytest.raises(NotFittedError):
        LightGBMPD().score_record(holdout.head(1).to_dict("records")[0])


def test_top_n_limits_the_reasons(lightgbm_model, holdout):
    assert all(len(codes) <= 2 for codes in lightgbm_model.reason_codes(holdout.head(50), top_n=2))


def test_a_pickled_model_scores_the_same(lightgbm_model, holdout):
    restored = pickle.loads(pickle.dumps(lightgbm_model))

    np.testing.assert_array_equal(restored.predict_pd(holdout), lightgbm_model.predict_pd(holdout))


@pytest.mark.parametrize("calibration", ["sigmoid", None])
def test_other_calibrations_keep_pd_near_the_default_rate(spec, households, holdout, calibration):
    model = LightGBMPD(spec=spec, n_estimators=150, n_jobs=1, calibration=calibration).fit(households)
    pd_ = model.predict_pd(holdout)

    assert (pd_ > 0).all() and (pd_ < 1).all()
    assert abs(pd_.mean() - holdout["defaulted"].mean()) < 0.02


def test_labels_can_be_passed_apart_from_the_frame(spec, households):
    features_only = households.drop(columns=["defaulted"])
    model = LightGBMPD(spec=spec, n_estimators=30, n_jobs=1).fit(features_only, households["defaulted"].to_numpy())

    assert list(model.classes_) == [0, 1]
    assert set(np.unique(model.predict(features_only))) <= {0, 1}


def test_recalibration_by_a_platt_map_fitted_elsewhere(lightgbm_model, holdout):
    import copy

    from models.lgbm import fit_platt

    model = copy.deepcopy(lightgbm_model)
    margin = model.raw_margin(holdout)
    y = model.spec.labels(holdout)
    platt = fit_platt(margin, y)
    model.recalibrate(platt)

    assert model.calibrator_ is platt
    np.testing.assert_allclose(
        model.predict_pd(holdout), np.clip(platt.predict_proba(margin[:, None])[:, 1], PD_FLOOR, 1 - PD_FLOOR)
    )
    assert roc_auc_score(y, model.predict_pd(holdout)) == pytest.approx(
        roc_auc_score(y, lightgbm_model.predict_pd(holdout))
    )
    falling = copy.deepcopy(platt)
    falling.coef_ = -falling.coef_
    with pytest.raises(ValueError, match="increasing"):
        model.recalibrate(falling)


def test_a_model_pickled_before_the_forest_parameters_existed_reads_with_their_defaults(lightgbm_model, holdout):
    import copyreg
    import io
    import pickle

    from sklearn.base import clone

    added = ("boosting", "feature_fraction_bynode", "max_cat_to_onehot")

    class OldPickler(pickle.Pickler):
        def reducer_override(self, value):
            if value is lightgbm_model:
                state = {k: v for k, v in value.__getstate__().items() if k not in added}
                return copyreg.__newobj__, (LightGBMPD,), state
            return NotImplemented

    buffer = io.BytesIO()
    OldPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(lightgbm_model)
    old = pickle.loads(buffer.getvalue())
    assert (old.boosting, old.feature_fraction_bynode, old.max_cat_to_onehot) == ("gbdt", 1.0, 4)
    assert "LightGBMPD(" in repr(old) and clone(old).get_params()["boosting"] == "gbdt"
    np.testing.assert_array_equal(old.predict_pd(holdout), lightgbm_model.predict_pd(holdout))
