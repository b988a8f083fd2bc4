"""The WOE scorecard: a card a county bank can audit, whose points and PD tell one story."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from credit_engine.reasons import MAX_REASONS, REASONS
from models import WOEScorecard

# Golden numbers: total points of the fixture's 4,000 training households under pdo=20, odds 50 at 600 points.
# Any change of the scaling, the binning or the fixture shows here first.
GOLDEN_MIN_POINTS = 411.4944
GOLDEN_MAX_POINTS = 685.0268


def test_golden_score_range(scorecard_model, households):
    points = scorecard_model.score_points(households)

    assert points.min() == pytest.approx(GOLDEN_MIN_POINTS, abs=1e-3)
    assert points.max() == pytest.approx(GOLDEN_MAX_POINTS, abs=1e-3)


def test_every_bin_of_every_feature_has_points(scorecard_model, spec):
    card = scorecard_model.card()

    assert list(card.columns) == ["feature", "bin_id", "bin", "count", "event_rate", "woe", "points"]
    assert set(card["feature"]) == set(spec.feature_names)
    assert card["points"].notna().all()
    assert {"Special", "Missing"} <= set(card["bin"])


def test_more_points_mean_lower_pd(scorecard_model, holdout):
    points = scorecard_model.score_points(holdout)
    pd_ = scorecard_model.predict_pd(holdout)
    order = np.argsort(points)

    assert (np.diff(pd_[order]) <= 1e-15).all()
    assert roc_auc_score(holdout["defaulted"], pd_) > 0.75


def test_points_and_pd_are_optbinnings_own(scorecard_model, holdout):
    optbinning_input = scorecard_model._binning_frame(holdout)

    np.testing.assert_allclose(
        scorecard_model.score_points(holdout), scorecard_model.scorecard_.score(optbinning_input)
    )
    np.testing.assert_allclose(
        scorecard_model.predict_pd(holdout), scorecard_model.scorecard_.predict_proba(optbinning_input)[:, 1]
    )


def test_missing_values_and_unknown_categories_score_the_missing_row(scorecard_model, holdout):
    rows = holdout.head(3).copy()
    rows["annual_net_income"] = [np.nan, 1_000.0, np.nan]
    rows["village_evaluation"] = ["splendid", None, "good"]

    indices = scorecard_model.bin_indices(rows)
    income = scorecard_model.feature_names_.index("annual_net_income")
    evaluation = scorecard_model.feature_names_.index("village_evaluation")
    last = len(scorecard_model.points_[evaluation]) - 1

    assert indices[0, income] == indices[2, income] == len(scorecard_model.points_[income]) - 1
    assert indices[0, evaluation] == indices[1, evaluation] == last
    assert scorecard_model.card().query("feature == 'village_evaluation'")["bin"].iloc[last] == "Missing"


def test_bins_follow_the_declared_direction(scorecard_model):
    card = scorecard_model.card()
    regular = card[~card["bin"].isin(["Special", "Missing"])]
    overdue = regular[regular["feature"] == "prior_overdue_times"]
    income = regular[regular["feature"] == "annual_net_income"]

    assert overdue["event_rate"].is_monotonic_increasing and len(overdue) >= 2
    assert income["event_rate"].is_monotonic_decreasing and len(income) >= 2
    assert overdue["points"].is_monotonic_decreasing
    assert income["points"].is_monotonic_increasing


def test_card_json_reads_without_python(scorecard_model, spec, holdout):
    document = json.loads(scorecard_model.card_json())
    features = {feature["feature"]: feature for feature in document["features"]}

    assert document["scaling"] == {"pdo": 20, "base_odds": 50, "base_points": 600}
    assert features["annual_net_income"]["reason"] == "R01"
    # A reader adds up the points of one household's bins from the JSON alone and gets the model's total.
    for i in (0, 1, 2):
        values = spec.prepare(holdout.iloc[[i]]).iloc[0]
        by_hand = sum(_points_from_json(features[name], values[name]) for name in spec.feature_names)
        assert by_hand == pytest.approx(scorecard_model.score_points(holdout.iloc[[i]])[0], abs=1e-9)


def _points_from_json(feature: dict, value: object) -> float:
    """The bin rule stated in the card's ``how_to_read``."""
    rows = {row["bin"]: row for row in feature["bins"]}
    for row in feature["bins"]:
        if "categories" in row and str(value) in row["categories"]:
            return row["points"]
        if "lower" in row and not isinstance(value, str) and not np.isnan(value):
            if (row["lower"] is None or value >= row["lower"]) and (row["upper"] is None or value < row["upper"]):
                return row["points"]
    return rows["Missing"]["points"]


def test_card_csv_is_written(scorecard_model, tmp_path):
    path = scorecard_model.to_csv(tmp_path / "card.csv")

    header, first = path.read_text(encoding="utf-8").splitlines()[:2]
    assert header == "feature,bin_id,bin,count,event_rate,woe,points"
    assert first.startswith("county_code,0,")


def test_reasons_are_point_shortfalls(scorecard_model, holdout):
    reasons = scorecard_model.reason_codes(holdout.head(300))
    troubled = scorecard_model.reason_codes(holdout.head(30).assign(prior_loans=3, prior_overdue_times=9))

    for codes in reasons:
        assert len(codes) <= MAX_REASONS and len(set(codes)) == len(codes)
        assert all(code in REASONS for code in codes)
    assert all("R06" in codes for codes in troubled)


def test_one_application_scores_and_explains_as_in_its_batch(scorecard_model, holdout):
    sample = holdout.head(10)
    pd_batch, reasons_batch = scorecard_model.pd_and_reasons(sample)

    assert reasons_batch == scorecard_model.reason_codes(sample)
    for i in range(len(sample)):
        pd_one, reasons_one = scorecard_model.pd_and_reasons(sample.iloc[[i]])
        assert reasons_one == [reasons_batch[i]]
        assert pd_one[0] == pytest.approx(pd_batch[i], rel=1e-12)


def test_one_record_scores_as_its_one_row_table_without_a_frame(scorecard_model, holdout):
    sample = holdout.head(40)
    pds, reasons = scorecard_model.pd_and_reasons(sample)

    for i, record in enumerate(sample.to_dict("records")):
        assert scorecard_model.score_record(record) == (pds[i], reasons[i])


def test_large_training_sets_are_fitted_on_a_stratified_subsample(spec, households, holdout):
    model = WOEScorecard(spec=spec, max_fit_rows=1_000).fit(households)
    card = model.card()
    counted = card[card["feature"] == "prior_overdue_times"]

    assert counted["count"].sum() == 1_000
    events = (counted["count"] * counted["event_rate"]).sum()
    assert events == pytest.approx(households["defaulted"].mean() * 1_000, abs=1)
    assert roc_auc_score(holdout["defaulted"], model.predict_pd(holdout)) > 0.7


def test_a_capped_fit_keeps_the_large_data_regularisation():
    from models.scorecard import AUTO_C_MAX_ROWS

    # A large portfolio is fitted on a subsample of ``max_fit_rows``; above AUTO_C_MAX_ROWS it keeps C = 1 instead
    # of switching to the small-portfolio search over six Cs (slower, and not what its size calls for).
    model = WOEScorecard()
    assert model.max_fit_rows > AUTO_C_MAX_ROWS
    assert type(model._logistic_regression(model.max_fit_rows)).__name__ == "LogisticRegression"


def test_a_shared_binning_keeps_its_bins_and_refits_only_the_regression(spec, households, holdout):
    from sklearn.base import clone

    from models.scorecard import SharedBinning

    first = households.iloc[:1_500]
    binning = WOEScorecard(spec=spec, C=1.0).fit_binning(first)
    shared = WOEScorecard(spec=spec, C=1.0, binning=binning).fit(households)
    own = WOEScorecard(spec=spec, C=1.0).fit(households)
    on_first = WOEScorecard(spec=spec, C=1.0).fit(first)

    assert isinstance(binning, SharedBinning) and binning._n_samples == 1_500
    assert clone(shared).binning is binning  # cloned cards (the folds') reuse the same bins
    # the bins (and the counts the card shows) are those found on the first rows
    pd.testing.assert_frame_equal(
        shared.card()[["feature", "bin", "count"]], on_first.card()[["feature", "bin", "count"]]
    )
    assert not shared.card()[["feature", "bin"]].equals(own.card()[["feature", "bin"]])
    # ... while the regression saw every row: its coefficients are not those of the card fitted on the first rows
    assert not np.allclose(shared.scorecard_.estimator_.coef_, on_first.scorecard_.estimator_.coef_)
    optbinning_input = shared._binning_frame(holdout)
    np.testing.assert_allclose(shared.score_points(holdout), shared.scorecard_.score(optbinning_input))
    auc_shared = roc_auc_score(holdout["defaulted"], shared.predict_pd(holdout))
    assert auc_shared > roc_auc_score(holdout["defaulted"], own.predict_pd(holdout)) - 0.02


def test_a_shared_binning_must_cover_the_cards_features(spec, households, german_like):
    frame, other_spec = german_like
    binning = WOEScorecard(spec=other_spec, C=1.0).fit_binning(frame)

    with pytest.raises(ValueError, match="shared binning"):
        WOEScorecard(spec=spec, C=1.0, binning=binning).fit(households)


def _pickled_before_binning_and_calibration_folds(card: WOEScorecard) -> bytes:
    """``card`` pickled as the code before ``binning`` (the card) and ``calibration_folds`` (its spec) would have
    pickled it: the card's state without ``binning``, the spec's without its last field value."""
    import copyreg
    import io
    import pickle

    from credit_engine.features import FeatureSpec

    class OldPickler(pickle.Pickler):
        def reducer_override(self, value):
            if value is card:
                state = {k: v for k, v in card.__getstate__().items() if k != "binning"}
                return copyreg.__newobj__, (WOEScorecard,), state
            if type(value) is FeatureSpec:
                return copyreg.__newobj__, (FeatureSpec,), value.__getstate__()[:-1]
            return NotImplemented

    buffer = io.BytesIO()
    OldPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(card)
    return buffer.getvalue()


def test_a_card_pickled_before_binning_existed_reads_with_its_defaults(scorecard_model, spec, holdout):
    import pickle

    from sklearn.base import clone

    old = pickle.loads(_pickled_before_binning_and_calibration_folds(scorecard_model))
    assert old.binning is None and old.spec == spec and old.spec.calibration_folds is None
    assert old.get_params() == scorecard_model.get_params() and repr(old) == repr(scorecard_model)
    fresh = clone(old)
    assert fresh.binning is None and fresh.spec == spec and not hasattr(fresh, "scorecard_")
    np.testing.assert_array_equal(old.predict_pd(holdout), scorecard_model.predict_pd(holdout))
    np.testing.assert_array_equal(old.predict(holdout), scorecard_model.predict(holdout))
    again = pickle.loads(pickle.dumps(old))
    assert again.get_params() == scorecard_model.get_params()


def test_the_specs_expert_bins_are_the_cards_bins(spec, households, scorecard_model):
    """An expert's cut points and bin limits in the spec (``bins``) bind the card: income is cut only where the
    spec allows, overdue episodes get at most two regular bins; the card without them cuts elsewhere."""
    from credit_engine.features import FeatureSpec

    raw = spec.to_dict()
    allowed = [8_000.0, 15_000.0, 30_000.0, 60_000.0]
    raw["features"]["annual_net_income"]["bins"] = {"splits": allowed}
    raw["features"]["prior_overdue_times"]["bins"] = {"max_n_bins": 2}
    expert = WOEScorecard(spec=FeatureSpec.from_dict(raw, name="household")).fit(households)

    def cuts(card: WOEScorecard, name: str) -> list[float]:
        return [float(v) for v in card.scorecard_.binning_process_.get_binned_variable(name).splits]

    assert cuts(expert, "annual_net_income") and set(cuts(expert, "annual_net_income")) <= set(allowed)
    assert not set(cuts(scorecard_model, "annual_net_income")) <= set(allowed)
    assert len(cuts(expert, "prior_overdue_times")) <= 1 < len(cuts(scorecard_model, "prior_overdue_times"))
    income = expert.card().query("feature == 'annual_net_income' and bin not in ['Special', 'Missing']")
    assert income["event_rate"].is_monotonic_decreasing  # the declared direction still holds
