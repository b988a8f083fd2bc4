import numpy as np

from training.families import SCORECARD_PREFERENCE_AUC, choose


def test_the_best_auc_wins_when_clearly_ahead():
    assert choose({"lightgbm": 0.88, "scorecard": 0.87}) == "lightgbm"
    assert choose({"lightgbm": 0.80, "scorecard": 0.85}) == "scorecard"


def test_the_printable_scorecard_wins_a_near_tie():
    assert choose({"lightgbm": 0.85 + SCORECARD_PREFERENCE_AUC / 2, "scorecard": 0.85}) == "scorecard"


def test_without_a_scorecard_the_best_wins():
    assert choose({"lightgbm": 0.8}) == "lightgbm"


def _frame(n: int = 1200, seed: int = 0):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame({"x": x, "y": (rng.random(n) < 1 / (1 + np.exp(-(1.5 * x - 1)))).astype(int)})


SPEC_DICT = {"target": "y", "features": {"x": {"type": "numeric"}}}


def test_with_fixed_rounds_lightgbm_trains_exactly_those_rounds_on_every_row_with_the_given_calibration():
    import pytest
    from sklearn.linear_model import LogisticRegression

    from credit_engine.features import FeatureSpec
    from training.families import fit_families

    spec = FeatureSpec.from_dict(SPEC_DICT, name="one")
    frame = _frame()
    y = frame["y"].to_numpy()
    platt = LogisticRegression().fit(frame[["x"]].to_numpy(), y)
    params = {"lightgbm": {"min_child_samples": 10, "n_jobs": 1}}
    (fitted,) = fit_families(frame, y, spec, ("lightgbm",), params, lightgbm_calibrator=platt, lightgbm_rounds=37)

    model = fitted.estimator
    assert model.booster_.current_iteration() == 37 and model.best_iteration_ == 37  # no early stopping
    assert model.n_boosted_rows_ == len(frame)  # no validation slice
    assert model.calibrator_ is platt
    (own,) = fit_families(frame, y, spec, ("lightgbm",), params)
    assert own.estimator.n_boosted_rows_ < len(frame)  # without: its own early-stopping slice
    with pytest.raises(ValueError, match="lightgbm_calibrator"):
        fit_families(frame, y, spec, ("lightgbm",), params, lightgbm_rounds=37)


def test_small_and_medium_data_lightgbm_parameters_sit_beneath_the_jobs_own():
    from training.families import (
        MEDIUM_DATA_LIGHTGBM,
        MEDIUM_DATA_ROWS,
        SMALL_DATA_LIGHTGBM,
        SMALL_DATA_ROWS,
        default_params,
    )

    small = default_params(800, {"lightgbm": {"num_leaves": 8}, "scorecard": {"C": 0.3}})
    assert small["lightgbm"] == {**SMALL_DATA_LIGHTGBM, "num_leaves": 8}
    assert small["scorecard"] == {"C": 0.3}
    assert default_params(SMALL_DATA_ROWS - 1, None) == {"lightgbm": SMALL_DATA_LIGHTGBM}
    medium = default_params(SMALL_DATA_ROWS, {"lightgbm": {"num_leaves": 8}})
    assert medium == {"lightgbm": {**MEDIUM_DATA_LIGHTGBM, "num_leaves": 8}}
    assert default_params(MEDIUM_DATA_ROWS - 1, None) == {"lightgbm": MEDIUM_DATA_LIGHTGBM}
    assert default_params(MEDIUM_DATA_ROWS - 1, None, monotone=True) == {}  # a monotone product keeps the defaults
    assert default_params(800, None, monotone=True) == {"lightgbm": SMALL_DATA_LIGHTGBM}
    assert default_params(MEDIUM_DATA_ROWS, {"lightgbm": {"num_leaves": 8}}) == {"lightgbm": {"num_leaves": 8}}
    assert default_params(MEDIUM_DATA_ROWS, None) == {}
    assert MEDIUM_DATA_LIGHTGBM["num_leaves"] > SMALL_DATA_LIGHTGBM["num_leaves"]  # more rows, larger trees


def test_a_blend_among_small_data_families_stacks_three_parts_with_their_parameters():
    from training.families import blend_parts, family_params

    parts = blend_parts(("lightgbm", "scorecard", "linear", "blend"))
    params = family_params("blend", {"linear": {"C": 0.1}, "lightgbm": {"num_leaves": 4}}, parts)

    assert parts == ("scorecard", "lightgbm", "linear")
    assert params["parts"] == parts
    assert params["linear_params"] == {"C": 0.1} and params["lightgbm_params"] == {"num_leaves": 4}
    assert params["scorecard_params"] is None
    assert blend_parts(("lightgbm", "scorecard", "blend")) == ("scorecard", "lightgbm")
    # the part families named beside the blend are its parts; one or none named: the card and LightGBM with it
    assert blend_parts(("scorecard", "forest", "blend")) == ("scorecard", "forest")
    assert blend_parts(("forest", "blend")) == ("scorecard", "lightgbm", "forest")
    assert blend_parts(("blend",)) == ("scorecard", "lightgbm")


def test_a_blends_holdout_pds_come_from_its_scored_parts_through_its_stack(monkeypatch):
    from credit_engine.features import FeatureSpec
    from models import BlendPD
    from models.blend import fit_stacker
    from training.families import evaluate_families, fit_families

    spec = FeatureSpec.from_dict(SPEC_DICT, name="one")
    frame, test = _frame(seed=1), _frame(400, seed=2)
    y = frame["y"].to_numpy()
    params = {"lightgbm": {"n_estimators": 30, "n_jobs": 1}, "scorecard": {"C": 1.0}}
    stacker = fit_stacker(np.full(len(y), 0.3) + 0.2 * y, np.full(len(y), 0.2) + 0.3 * y, y)
    fitted = fit_families(frame, y, spec, ("scorecard", "lightgbm", "blend"), params, stacker=stacker)
    blend = fitted[-1].estimator
    expected = blend.predict_pd(test)

    def refused(self, X):
        raise AssertionError("the blend predicted its parts again")

    monkeypatch.setattr(BlendPD, "predict_proba", refused)
    evaluate_families(fitted, test, test["y"].to_numpy())
    assert [f.name for f in fitted] == ["scorecard", "lightgbm", "blend"]
    np.testing.assert_array_equal(fitted[-1].holdout_pd, expected)
    assert 0.5 < fitted[-1].metrics["auc"] <= 1
