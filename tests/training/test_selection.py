"""Choosing the family by cross-validation: out-of-time folds where the spec has a split, stratified ones otherwise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from credit_engine.features import FeatureSpec
from training.selection import CALIBRATION_FOLDS, cross_validate, selection_folds

DATED = FeatureSpec.from_dict(
    {
        "target": "y",
        "features": {"x": {"type": "numeric"}},
        "split": {"date_column": "d", "stratify_column": "county"},
        "calibration_folds": CALIBRATION_FOLDS,
    }
)
UNDATED = FeatureSpec.from_dict(
    {"target": "y", "features": {"x": {"type": "numeric"}, "z": {"type": "categorical"}}}, name="undated"
)


def _frame(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "county": rng.choice(["140123", "140221", "140222"], size=n),
            "d": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "x": x,
            "z": rng.choice(["a", "b", "c"], size=n),
            "y": (rng.random(n) < 1 / (1 + np.exp(-(1.5 * x - 1)))).astype(int),
        }
    )


def test_dated_folds_train_on_each_countys_past_and_score_its_future():
    frame = _frame()
    folds, method = selection_folds(frame, frame["y"].to_numpy(), DATED, n_folds=4)

    assert method == "forward_chaining_by_county" and len(folds) == 4
    for train, valid in folds:
        assert not set(train) & set(valid)
        for county, rows in frame.iloc[valid].groupby("county"):
            past = frame.iloc[train]
            assert past.loc[past["county"] == county, "d"].max() <= rows["d"].min()
    sizes = [len(train) for train, _ in folds]
    assert sizes == sorted(sizes)  # an expanding window


def test_undated_folds_are_stratified_seeded_and_cover_every_row_once():
    frame = _frame()
    y = frame["y"].to_numpy()
    folds, method = selection_folds(frame, y, UNDATED, n_folds=5, seed=3)
    again, _ = selection_folds(frame, y, UNDATED, n_folds=5, seed=3)

    assert method == "stratified_kfold"
    assert sorted(np.concatenate([valid for _, valid in folds]).tolist()) == list(range(len(frame)))
    assert all(abs(y[valid].mean() - y.mean()) < 0.02 for _, valid in folds)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))


def test_every_family_gets_a_score_per_fold_and_the_blend_a_stack():
    frame = _frame(800)
    params = {"lightgbm": {"n_estimators": 40, "min_child_samples": 10, "n_jobs": 1}, "scorecard": {"C": 1.0}}
    cv = cross_validate(frame, frame["y"].to_numpy(), UNDATED, ("lightgbm", "scorecard", "blend"), params, n_folds=3)

    assert set(cv.auc) == {"lightgbm", "scorecard", "blend"}
    assert all(len(values) == 3 and all(0.5 < v <= 1 for v in values) for values in cv.auc.values())
    assert cv.selected in cv.auc
    assert cv.stacker is not None and cv.stacker.coef_.shape == (1, 2)
    assert cv.lightgbm_calibrator is not None and cv.lightgbm_calibrator.coef_[0, 0] > 0  # Platt on OOF margins
    summary = cv.summary()["scorecard"]
    assert summary["min_auc"] <= summary["mean_auc"] <= summary["max_auc"] and summary["std_auc"] >= 0
    assert cv.describe() == {"method": "stratified_kfold", "n_folds": 3, "n_rows": 800, "scorecard_bins": "per_fold"}


def test_above_max_rows_the_folds_come_from_a_subsample():
    frame = _frame(900)
    params = {"scorecard": {"C": 1.0}}
    cv = cross_validate(frame, frame["y"].to_numpy(), UNDATED, ("scorecard",), params, n_folds=3, max_rows=300)

    assert cv.n_rows == 300 and cv.selected == "scorecard" and cv.stacker is None
    assert len(np.unique(cv.rows)) == 300 and cv.rows.min() >= 0 and cv.rows.max() < 900  # positions in the frame
    assert set(cv.seconds) == {"scorecard"} and cv.seconds["scorecard"] > 0


def test_fewer_than_two_folds_is_refused():
    frame = _frame()
    with pytest.raises(ValueError, match="at least 2 folds"):
        selection_folds(frame, frame["y"].to_numpy(), UNDATED, n_folds=1)


def test_large_samples_rank_with_a_shorter_patience_unless_told_otherwise():
    from training.selection import CV_PATIENCE, LARGE_SAMPLE_ROWS, fold_params

    given = {"lightgbm": {"early_stopping_rounds": 77}, "scorecard": {"C": 1.0}}

    assert fold_params(given, LARGE_SAMPLE_ROWS - 1) == given  # small portfolios: the families' own defaults
    assert fold_params(given, LARGE_SAMPLE_ROWS) == given  # a parameter given wins
    large = fold_params({"scorecard": {"C": 1.0}}, LARGE_SAMPLE_ROWS)
    assert large == {"lightgbm": {"early_stopping_rounds": CV_PATIENCE}, "scorecard": {"C": 1.0}}
    assert given == {"lightgbm": {"early_stopping_rounds": 77}, "scorecard": {"C": 1.0}}  # not changed in place


def test_refit_rounds_scale_the_folds_median_optimum_by_the_rows_and_need_a_calibration_and_a_sample_not_small():
    from sklearn.linear_model import LogisticRegression

    from training.selection import LARGE_SAMPLE_ROWS, ROUNDS_GROWTH, SMALL_SAMPLE_ROWS, CrossValidation

    platt = LogisticRegression().fit(np.array([[-1.0], [0.0], [1.0], [2.0]]), [0, 0, 1, 1])
    folds = [(90, 20_000), (150, 60_000), (120, 40_000)]
    cv = CrossValidation("forward", LARGE_SAMPLE_ROWS, {}, {}, lightgbm_calibrator=platt, lightgbm_rounds=folds)

    assert ROUNDS_GROWTH > 0
    assert cv.refit_rounds(40_000) == 120  # the median optimum on the median fold's rows
    assert cv.refit_rounds(320_000) == round(120 * 8**ROUNDS_GROWTH)  # more rows carry more trees
    report = cv.rounds_report({"registered_model": 320_000})
    assert report["registered_model"] == {"n_rows": 320_000, "rounds": cv.refit_rounds(320_000)}
    assert [f["best_iteration"] for f in report["folds"]] == [90, 150, 120]
    medium = CrossValidation("stratified", 19_200, {}, {}, lightgbm_calibrator=platt, lightgbm_rounds=[(80, 10_752)])
    assert medium.refit_rounds(24_000) == round(80 * (24_000 / 10_752) ** ROUNDS_GROWTH)  # below 50,000 rows too
    small = CrossValidation("stratified", SMALL_SAMPLE_ROWS - 1, {}, {}, lightgbm_calibrator=platt)
    small.lightgbm_rounds = folds
    assert small.refit_rounds(2_000) is None  # a book of a few hundred loans: LightGBM keeps its own slice
    uncalibrated = CrossValidation("forward", LARGE_SAMPLE_ROWS, {}, {}, lightgbm_rounds=folds)
    unstopped = CrossValidation("forward", LARGE_SAMPLE_ROWS, {}, {}, lightgbm_calibrator=platt)
    assert uncalibrated.refit_rounds(40_000) is None and unstopped.refit_rounds(40_000) is None
    assert uncalibrated.rounds_report({"registered_model": 1}) is None


def test_the_folds_record_lightgbms_early_stopping_optimum_and_its_rows():
    frame = _frame(900)
    params = {"lightgbm": {"n_estimators": 60, "min_child_samples": 10, "n_jobs": 1, "early_stopping_rounds": 5}}
    cv = cross_validate(frame, frame["y"].to_numpy(), UNDATED, ("lightgbm",), params, n_folds=3)

    assert len(cv.lightgbm_rounds) == 3
    for best, rows in cv.lightgbm_rounds:
        assert 1 <= best <= 60
        assert rows == 600 - int(np.ceil(0.3 * 600))  # the fold's 600 training rows without the 30 % slice


def test_folds_too_small_to_stop_early_choose_no_rounds_and_the_model_keeps_its_own_slice():
    frame = _frame(2_100)  # not a small sample: LightGBM would train the folds' rounds on every row
    params = {"lightgbm": {"n_estimators": 60, "min_child_samples": 10, "n_jobs": 1, "validation_fraction": 0.0}}
    cv = cross_validate(frame, frame["y"].to_numpy(), UNDATED, ("lightgbm",), params, n_folds=3)

    assert cv.lightgbm_rounds == [] and cv.refit_rounds(2_100) is None  # 60 rounds were a cap, not an optimum


def test_with_the_linear_family_the_blend_stacks_three_parts_and_is_scored_like_the_others():
    frame = _frame(900, seed=4)
    y = frame["y"].to_numpy()
    families = ("lightgbm", "scorecard", "linear", "blend")
    params = {"lightgbm": {"n_estimators": 60, "n_jobs": 1}, "scorecard": {"C": 0.3}}
    cv = cross_validate(frame, y, UNDATED, families, params, n_folds=3)

    assert set(cv.auc) == set(families) and all(len(aucs) == 3 for aucs in cv.auc.values())
    assert cv.stacker.coef_.shape == (1, 3) and (cv.stacker.coef_ >= 0).all()
    assert cv.selected in families
    assert np.isfinite(cv.oof_pd["linear"]).all()


def test_the_job_resolves_its_families_and_parameters_by_its_training_rows():
    from training.families import CANDIDATES, MEDIUM_DATA_LIGHTGBM, SMALL_DATA_LIGHTGBM
    from training.train_job import TrainJob

    small = TrainJob(data="train.csv").sized(800)
    large = TrainJob(data="train.csv", params={"scorecard": {"C": 1.0}}).sized(160_000)
    named = TrainJob(data="train.csv", families=("scorecard", "linear", "blend")).sized(800)
    medium = TrainJob(data="train.csv").sized(24_000)
    medium_monotone = TrainJob(data="train.csv").sized(24_000, monotone=True)

    assert small.families == CANDIDATES and small.params == {"lightgbm": SMALL_DATA_LIGHTGBM}
    assert large.families == CANDIDATES and large.params == {"scorecard": {"C": 1.0}}
    assert named.families == ("scorecard", "linear", "blend")
    assert medium.params == {"lightgbm": MEDIUM_DATA_LIGHTGBM} and medium_monotone.params == {}


# Calibration on a small sample (issue 13): the card's Platt map and the stack learnt on stratified folds.

CARD_AND_TREES = {"lightgbm": {"n_estimators": 40, "min_child_samples": 10, "n_jobs": 1}, "scorecard": {"C": 1.0}}


def _stratified_oof(frame, y, spec, name, n_folds, seed, params, margin=False):
    """A family's out-of-fold PDs (LightGBM's raw margins with ``margin``) on seeded stratified folds."""
    from training.families import make_estimator
    from training.selection import _stratified

    oof = np.full(len(y), np.nan)
    for train, valid in _stratified(y, n_folds, seed):
        model = make_estimator(name, spec, params.get(name)).fit(frame.iloc[train], y[train])
        oof[valid] = model.raw_margin(frame.iloc[valid]) if margin else model.predict_pd(frame.iloc[valid])
    return oof


def test_dated_small_samples_rank_out_of_time_and_calibrate_on_stratified_out_of_fold_pds():
    from models.calibration import fit_pd_platt
    from models.lgbm import fit_platt

    frame = _frame(600, seed=5)
    y = frame["y"].to_numpy()
    cv = cross_validate(frame, y, DATED, ("lightgbm", "scorecard", "blend"), CARD_AND_TREES, n_folds=3, seed=2)

    assert cv.method == "forward_chaining_by_county"  # the folds that rank the families are unchanged
    assert cv.calibration_method == "stratified_kfold" and cv.calibration_rows == 600  # every row, once
    assert {"calibration.scorecard", "calibration.lightgbm"} <= set(cv.seconds)
    card_oof = _stratified_oof(frame, y, DATED, "scorecard", CALIBRATION_FOLDS, 2, CARD_AND_TREES)
    expected = fit_pd_platt(card_oof, y)
    np.testing.assert_allclose(cv.scorecard_calibrator.coef_, expected.coef_, rtol=1e-6)
    np.testing.assert_allclose(cv.scorecard_calibrator.intercept_, expected.intercept_, rtol=1e-6)
    assert cv.scorecard_calibration()["folds"] == "stratified_kfold"
    margins = _stratified_oof(frame, y, DATED, "lightgbm", CALIBRATION_FOLDS, 2, CARD_AND_TREES, margin=True)
    trees = fit_platt(margins, y)
    np.testing.assert_allclose(cv.lightgbm_calibrator.coef_, trees.coef_, rtol=1e-6)
    assert cv.calibration() == {**cv.calibration(), "n_rows": 600, "folds": "stratified_kfold"}


def test_the_blends_stack_is_learnt_on_the_selections_own_out_of_fold_pds_mapped_by_the_calibration():
    from models.blend import fit_stacker

    frame = _frame(600, seed=5)
    y = frame["y"].to_numpy()
    cv = cross_validate(frame, y, DATED, ("lightgbm", "scorecard", "blend"), CARD_AND_TREES, n_folds=3, seed=2)
    assert cv.scorecard_calibrator is not None and cv.calibration_method == "stratified_kfold"
    scored = ~np.isnan(cv.oof_pd["scorecard"])
    assert 0 < scored.sum() < len(y)  # forward chaining: the first chunk is never held out
    # the stack reads the dated folds' out-of-fold PDs (mapped by the maps the stratified folds taught): a stack
    # learnt on the stratified folds' PDs ranked an 800-loan book worse (bench/RESULTS.md, issue 13)
    expected = fit_stacker(cv.oof_pd["scorecard"][scored], cv.oof_pd["lightgbm"][scored], y[scored])
    np.testing.assert_allclose(cv.stacker.coef_, expected.coef_, rtol=1e-4, atol=1e-6)


def test_undated_samples_calibrate_on_the_selections_own_folds():
    frame = _frame(600, seed=5)
    cv = cross_validate(frame, frame["y"].to_numpy(), UNDATED, ("scorecard",), {"scorecard": {"C": 1.0}}, n_folds=3)

    assert cv.method == cv.calibration_method == "stratified_kfold" and cv.calibration_rows == 600
    assert set(cv.seconds) == {"scorecard"}  # no second round of fits
    assert cv.scorecard_calibrator is not None and cv.scorecard_calibrator.coef_[0, 0] > 0


def test_from_the_small_sample_size_on_the_card_is_left_as_fitted(monkeypatch):
    import training.selection as selection

    monkeypatch.setattr(selection, "SMALL_SAMPLE_ROWS", 500)
    frame = _frame(600, seed=5)
    cv = cross_validate(frame, frame["y"].to_numpy(), DATED, ("lightgbm", "scorecard"), CARD_AND_TREES, n_folds=3)

    assert cv.scorecard_calibrator is None and cv.scorecard_calibration() is None
    assert cv.calibration_method == "forward_chaining_by_county"  # LightGBM's map from the selection's folds
    assert cv.calibration_rows == 450 and not any(name.startswith("calibration.") for name in cv.seconds)


def test_the_map_is_set_on_every_fitted_card_a_blends_part_too():
    from models import BlendPD, WOEScorecard
    from training.families import FittedFamily
    from training.selection import calibrate_from_folds

    frame = _frame(600, seed=5)
    y = frame["y"].to_numpy()
    cv = cross_validate(frame, y, DATED, ("lightgbm", "scorecard", "blend"), CARD_AND_TREES, n_folds=3)
    card = WOEScorecard(spec=DATED, C=1.0).fit(frame, y)
    other = WOEScorecard(spec=DATED, C=1.0).fit(frame, y)
    trees = make_trees(frame, y)
    blend = BlendPD(spec=DATED).assemble({"scorecard": other, "lightgbm": trees}, cv.stacker)

    calibrate_from_folds([FittedFamily("scorecard", card, 0.0), FittedFamily("blend", blend, 0.0)], cv)

    assert card.calibrator_ is cv.scorecard_calibrator and other.calibrator_ is cv.scorecard_calibrator
    assert card.calibration_rows_ == 600
    calibrate_from_folds([FittedFamily("scorecard", WOEScorecard(spec=DATED).fit(frame, y), 0.0)], None)  # no CV


def make_trees(frame, y):
    from models import LightGBMPD

    return LightGBMPD(spec=DATED, **CARD_AND_TREES["lightgbm"]).fit(frame, y)


def _over_fitting_book(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Dated loans whose default depends on ``x`` alone (true PD known) beside eight features of pure noise: a card
    fitted on a few hundred of them finds evidence in the noise and spreads its PDs too far."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    true_pd = 1 / (1 + np.exp(-(1.2 * x - 2.8)))
    frame = pd.DataFrame(
        {
            "county": rng.choice(["140123", "140221", "140222"], size=n),
            "d": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "x": x,
            **{f"noise{k}": rng.normal(size=n) for k in range(8)},
            "y": (rng.random(n) < true_pd).astype(int),
        }
    )
    return frame, true_pd


NOISY = FeatureSpec.from_dict(
    {
        "target": "y",
        "features": {"x": {"type": "numeric"}, **{f"noise{k}": {"type": "numeric"} for k in range(8)}},
        "split": {"date_column": "d", "stratify_column": "county"},
        "calibration_folds": CALIBRATION_FOLDS,
    },
    name="noisy",
)


def test_on_a_small_over_fitted_book_the_calibrated_card_is_closer_to_the_true_pd():
    from models import WOEScorecard
    from training.evaluation import calibration_by_decile
    from training.families import FittedFamily
    from training.selection import calibrate_from_folds

    book, _ = _over_fitting_book(700, seed=8)
    unseen, true_pd = _over_fitting_book(20_000, seed=9)
    y = book["y"].to_numpy()
    cv = cross_validate(book, y, NOISY, ("scorecard",), {"scorecard": {"C": 1.0}}, n_folds=3, seed=1)
    card = WOEScorecard(spec=NOISY, C=1.0).fit(book, y)
    as_fitted = card.predict_pd(unseen)
    calibrate_from_folds([FittedFamily("scorecard", card, 0.0)], cv)
    calibrated = card.predict_pd(unseen)

    def decile_error(pd_: np.ndarray) -> float:  # root mean square of the deciles' gaps against the mean true PD, pp
        gaps = [row["gap_pp_vs_true"] for row in calibration_by_decile(pd_, unseen["y"].to_numpy(), true_pd)]
        return float(np.sqrt(np.mean(np.square(gaps))))

    assert cv.scorecard_calibrator.coef_[0, 0] < 1  # the out-of-fold PDs show the spread
    assert decile_error(calibrated) < 0.7 * decile_error(as_fitted)
    assert roc_auc_score(unseen["y"], calibrated) == roc_auc_score(unseen["y"], as_fitted)  # ranks kept


def test_on_a_large_sample_the_folds_scorecards_share_bins_fitted_on_rows_every_fold_trains_on(monkeypatch):
    import training.selection as selection

    monkeypatch.setattr(selection, "LARGE_SAMPLE_ROWS", 500)
    monkeypatch.setattr(selection, "SHARED_BINNING_MIN_ROWS", 50)
    frame = _frame(1_200, seed=2)
    y = frame["y"].to_numpy()
    shared_params = {"scorecard": {"C": 1.0}}
    dated = cross_validate(frame, y, DATED, ("scorecard",), shared_params, n_folds=4)
    folds, _ = selection_folds(frame, y, DATED, n_folds=4)
    common = set(folds[0][0]).intersection(*(set(train) for train, _ in folds[1:]))
    undated = cross_validate(frame, y, UNDATED, ("scorecard",), shared_params, n_folds=4)
    small = cross_validate(frame.head(400), y[:400], DATED, ("scorecard",), shared_params, n_folds=4)

    # forward-chaining folds all train on the first chunk: it is binned once, and no fold's held-out rows are in it
    assert common == set(folds[0][0]) and not common & set(np.concatenate([valid for _, valid in folds]))
    assert dated.describe()["scorecard_bins"] == "shared_across_folds"
    assert dated.describe()["scorecard_binning_rows"] == len(common)
    assert all(0.5 < auc <= 1 for auc in dated.auc["scorecard"])
    # stratified folds have no rows in common, and small samples keep each fold's own bins
    assert undated.describe()["scorecard_bins"] == "per_fold" and "scorecard_binning_rows" not in undated.describe()
    assert small.describe()["scorecard_bins"] == "per_fold"
    assert shared_params == {"scorecard": {"C": 1.0}}  # the caller's parameters are not changed in place


def test_a_dated_spec_without_calibration_folds_keeps_the_selections_folds_and_no_card_map():
    import dataclasses

    frame = _frame(600, seed=5)
    plain = dataclasses.replace(DATED, calibration_folds=None)
    cv = cross_validate(frame, frame["y"].to_numpy(), plain, ("lightgbm", "scorecard"), CARD_AND_TREES, n_folds=3)
    assert cv.scorecard_calibrator is None and cv.calibration_method.startswith("forward_chaining")
    assert not any(name.startswith("calibration.") for name in cv.seconds)  # no extra fits


def test_calibration_folds_is_a_spec_key_checked_and_kept_in_the_fingerprint():
    import pytest

    from credit_engine.features import SpecError, bundled_spec

    assert bundled_spec("enterprise").calibration_folds == CALIBRATION_FOLDS
    assert "calibration_folds" not in bundled_spec("household").to_dict()  # its fingerprint as before
    with pytest.raises(SpecError, match="calibration_folds"):
        FeatureSpec.from_dict({"target": "y", "features": {"x": {}}, "calibration_folds": 1})
