"""Any tabular credit data described by a FeatureSpec trains the model families (a German-Credit-like frame here)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from credit_engine.features import FeatureSpec
from credit_engine.scoring import Scorer
from models import FAMILIES, BlendPD, ForestPD, LightGBMPD, LinearPD, ManualSheet, WOEScorecard
from models._common import spec_labels


def _split(frame):
    return frame.iloc[:1_000], frame.iloc[1_000:]


@pytest.mark.parametrize(
    "make",
    [
        lambda spec: LightGBMPD(spec=spec, n_estimators=200, n_jobs=1),
        lambda spec: WOEScorecard(spec=spec),
        lambda spec: LinearPD(spec=spec),
    ],
)
def test_a_custom_spec_trains_and_scores(german_like, make):
    frame, spec = german_like
    train, test = _split(frame)
    model = make(spec).fit(train)
    pd_ = model.predict_pd(test)
    bad = (test["creditability"] == "bad").to_numpy()

    assert roc_auc_score(bad, pd_) > 0.65
    assert abs(pd_.mean() - bad.mean()) < 0.08  # small samples: the train and test bad rates alone differ by 6 pp
    assert list(model.feature_names_in_) == spec.feature_names
    for codes in model.reason_codes(test.head(50)):
        assert set(codes) <= {"R15", "R99"}  # purpose is R15; the table knows no other German Credit column


def test_the_declared_monotone_direction_holds_on_a_custom_spec(german_like):
    frame, spec = german_like
    model = LightGBMPD(spec=spec, n_estimators=200, n_jobs=1).fit(frame)
    rows = frame.head(100)
    grid = np.arange(4, 73, 4)
    repeated = rows.loc[rows.index.repeat(len(grid))].assign(duration_in_month=np.tile(grid, len(rows)))

    pd_ = model.predict_pd(repeated).reshape(len(rows), len(grid))
    assert (np.diff(pd_, axis=1) >= 0).all()


def test_families_are_scorers_and_clone_with_their_spec(spec):
    assert FAMILIES == {
        "lightgbm": LightGBMPD,
        "scorecard": WOEScorecard,
        "linear": LinearPD,
        "forest": ForestPD,
        "blend": BlendPD,
        "manual_sheet": ManualSheet,
    }
    for family in FAMILIES.values():
        estimator = clone(family(spec=spec))
        assert isinstance(estimator, Scorer)
        assert estimator.get_params()["spec"] == spec


def test_the_manual_sheet_refuses_data_without_household_columns(german_like):
    frame, spec = german_like

    with pytest.raises(ValueError, match="needs household columns that are missing: county_code, household_size"):
        ManualSheet(spec=spec).fit(frame)


def test_labels_follow_the_specs_positive_value(german_like):
    frame, spec = german_like
    zero_means_bad = FeatureSpec.from_dict({**spec.to_dict(), "positive": 0})
    rows = frame.head(4)

    assert spec_labels(rows, None, spec).tolist() == (rows["creditability"] == "bad").astype(int).tolist()
    assert spec_labels(rows, np.array(["bad", "good", "good", "bad"]), spec).tolist() == [1, 0, 0, 1]
    assert spec_labels(rows, np.array([0, 1, 1, 0]), zero_means_bad).tolist() == [1, 0, 0, 1]


def test_the_linear_family_keeps_the_declared_monotone_direction(german_like):
    frame, spec = german_like
    model = LinearPD(spec=spec).fit(frame)
    rows = frame.head(100)
    grid = np.arange(4, 73, 4)
    repeated = rows.loc[rows.index.repeat(len(grid))].assign(duration_in_month=np.tile(grid, len(rows)))

    pd_ = model.predict_pd(repeated).reshape(len(rows), len(grid))
    assert (np.diff(pd_, axis=1) >= 0).all()
