"""Columns: a rule reads numbers and codes the same way from a frame, numpy arrays or one application."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.columns import is_in, number


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1, 2, None], dtype="Int64"),
        pd.Series([1.0, 2.0, np.nan]),
        np.array([1.0, 2.0, np.nan]),
        [1, 2, None],
    ],
)
def test_numbers_of_a_column_are_float64_with_nan_for_missing(values):
    got = number(values)

    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [1.0, 2.0, np.nan])


@pytest.mark.parametrize(("value", "expected"), [(3, 3.0), (2.5, 2.5), (True, 1.0), (None, np.nan)])
def test_the_number_of_one_value_is_a_numpy_scalar(value, expected):
    got = number(value)

    assert isinstance(got, np.float64)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["crops", "wedding", None]),
        pd.Series(["crops", "wedding", None], dtype="category"),
        pd.Series(pd.Categorical(["crops", "wedding", None], categories=["wedding", "crops", "other"])),
        np.array(["crops", "wedding", None], dtype=object),
    ],
)
def test_membership_of_a_column_never_counts_a_missing_value(values):
    np.testing.assert_array_equal(is_in(values, ("crops", "livestock")), [True, False, False])


@pytest.mark.parametrize(("value", "expected"), [("crops", True), ("wedding", False), (None, False)])
def test_membership_of_one_value_is_a_numpy_bool(value, expected):
    got = is_in(value, ("crops", "livestock"))

    assert isinstance(got, np.bool_) and got == expected
