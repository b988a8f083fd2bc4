import numpy as np
import pandas as pd
import pytest

from credit_engine.features import FeatureSpec
from training.splits import holdout_split

SPEC = FeatureSpec.from_dict(
    {
        "target": "y",
        "features": {"x": {"type": "numeric"}},
        "split": {"date_column": "d", "stratify_column": "county"},
    }
)


def _frame(n_per_county: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for county in ("140123", "140221", "140222"):
        dates = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n_per_county), unit="D")
        rows.append(pd.DataFrame({"county": county, "d": dates, "x": rng.normal(size=n_per_county), "y": 0}))
    frame = pd.concat(rows, ignore_index=True)
    frame.loc[::7, "y"] = 1
    return frame


def test_out_of_time_split_tests_each_county_on_its_own_latest_applications():
    frame = _frame()
    split = holdout_split(frame, SPEC, test_fraction=0.2)
    assert split.method == "out_of_time_by_county"
    assert set(split.train).isdisjoint(split.test)
    assert len(split.train) + len(split.test) == len(frame)
    for _county, group in frame.groupby("county"):
        test = group.loc[group.index.isin(split.test)]
        train = group.loc[group.index.isin(split.train)]
        assert len(test) == 10
        assert test["d"].min() >= train["d"].max()


def test_without_a_date_column_the_split_is_stratified_by_label_and_seeded():
    spec = FeatureSpec.from_dict({"target": "y", "features": {"x": {"type": "numeric"}}})
    frame = _frame().drop(columns=["d"])
    first = holdout_split(frame, spec, test_fraction=0.25, seed=3)
    again = holdout_split(frame, spec, test_fraction=0.25, seed=3)
    assert first.method == "stratified_random"
    np.testing.assert_array_equal(first.test, again.test)
    assert frame["y"].iloc[first.test].mean() == pytest.approx(frame["y"].mean(), abs=0.03)


def test_test_fraction_must_be_a_fraction():
    with pytest.raises(ValueError, match="test_fraction"):
        holdout_split(_frame(), SPEC, test_fraction=1.5)
