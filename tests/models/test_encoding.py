"""The frame encoder: the same columns as ``FeatureSpec.prepare``, categories as stable codes, any row alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.features import SpecError
from models.encoding import FrameEncoder


def _codes_of(prepared: pd.DataFrame, name: str) -> np.ndarray:
    codes = prepared[name].cat.codes.to_numpy().astype("float64")
    codes[codes < 0] = np.nan
    return codes


def test_encoder_reads_what_the_spec_prepares(spec, households):
    encoder = FrameEncoder(spec).fit(households)
    matrix = encoder.transform(households)
    prepared = spec.prepare(households)

    assert encoder.feature_names_ == spec.feature_names
    for j, name in enumerate(encoder.feature_names_):
        expected = _codes_of(prepared, name) if name in spec.categorical else prepared[name].to_numpy("float64")
        np.testing.assert_array_equal(matrix[:, j], expected, err_msg=name)


def test_categories_come_from_the_categorical_dtype_even_when_unobserved(spec, households):
    encoder = FrameEncoder(spec).fit(households.head(5))

    assert list(encoder.categories_["village_evaluation"]) == ["excellent", "good", "fair", "poor"]
    assert len(encoder.categories_["county_code"]) == 6


def test_text_columns_encode_like_categorical_ones(spec, holdout, holdout_as_text):
    encoder = FrameEncoder(spec).fit(holdout)

    np.testing.assert_array_equal(encoder.transform(holdout_as_text), encoder.transform(holdout))


def test_unknown_and_missing_categories_become_nan(spec, households):
    encoder = FrameEncoder(spec).fit(households)
    rows = households.head(3).copy()
    rows["village_evaluation"] = pd.Series(["good", None, "splendid"], index=rows.index, dtype="str")
    rows["credit_record"] = pd.Categorical(["watch", None, "normal"], categories=["normal", "watch"])

    matrix = encoder.transform(rows)
    evaluation = matrix[:, encoder.feature_names_.index("village_evaluation")]
    record = matrix[:, encoder.feature_names_.index("credit_record")]

    np.testing.assert_array_equal(evaluation, [1.0, np.nan, np.nan])
    np.testing.assert_array_equal(record, [2.0, np.nan, 1.0])  # codes of the fitted category order


def test_one_row_encodes_as_in_its_batch(spec, holdout):
    encoder = FrameEncoder(spec).fit(holdout)
    batch = encoder.transform(holdout)

    for i in (0, 17, 2_999):
        np.testing.assert_array_equal(encoder.transform(holdout.iloc[[i]])[0], batch[i])


def test_one_record_encodes_as_its_one_row_frame(spec, households, holdout_as_text):
    encoder = FrameEncoder(spec).fit(households)
    changed = [{}, {"prior_loans": 0, "prior_overdue_times": 0}, {"purpose": "no such purpose"}, {"county_code": None}]
    records = [row | change for row in holdout_as_text.head(25).to_dict("records") for change in changed]

    for record in records:
        np.testing.assert_array_equal(encoder.record_row(record), encoder.transform(pd.DataFrame([record])))


def test_a_record_needs_a_spec_to_name_its_features():
    encoder = FrameEncoder().fit(np.zeros((3, 2)))

    with pytest.raises(TypeError, match="without a feature spec"):
        encoder.record_row({"x0": 1.0, "x1": 2.0})


def test_missing_columns_are_named(spec, households):
    encoder = FrameEncoder(spec).fit(households)

    with pytest.raises(SpecError, match="village_evaluation"):
        encoder.transform(households.drop(columns=["village_evaluation"]))


def test_without_spec_every_column_is_numeric():
    matrix = np.arange(6, dtype="int64").reshape(3, 2)
    encoder = FrameEncoder().fit(matrix)

    assert encoder.feature_names_ == ["x0", "x1"]
    np.testing.assert_array_equal(encoder.transform(matrix), matrix.astype("float64"))
