"""Turn a frame of applications into the float64 matrix every estimator here reads, in the spec's feature order.

Numeric features become float64 (booleans 0/1, missing NaN); categorical features become integer codes 0..k-1 of the
categories seen in ``fit`` (a pandas Categorical's own category list when the column has one, else the sorted
observed values), with unknown or missing values as NaN. The encoder follows ``FeatureSpec.prepare`` exactly — same
derived columns from the spec's registered derivation, same order — but assembles the matrix itself instead of
building an intermediate frame. One application (the scoring API's request) is encoded without any frame by
:meth:`FrameEncoder.record_row`: the same derivation runs on the record itself (numpy scalars) and the same
category codes are looked up in a dict, because pandas' per-call overhead is several times the model's time on one
row. Category → code look-ups are built once in ``fit`` and, for Categorical columns, once per distinct dtype.
Without a spec (scikit-learn's own checks pass bare arrays) every column is numeric.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from credit_engine.features import DERIVATIONS, FeatureSpec, SpecError, derived_frame

_MAX_CACHED_DTYPES = 32


def _category_strings(values: pd.Index | np.ndarray) -> pd.Index:
    """Categories as strings, so that ``430121`` read as a number or as text is the same county."""
    return pd.Index([str(value) for value in values], dtype="str")


def _fitted_categories(column: pd.Series) -> pd.Index:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return _category_strings(column.dtype.categories)
    observed = pd.unique(column.dropna().to_numpy())
    return _category_strings(sorted(observed, key=str))


class FrameEncoder:
    """Encode applications as a float64 matrix in the order of ``spec.feature_names``.

    Parameters
    ----------
    spec : FeatureSpec or None
        The features to read. ``None``: the input is already a numeric matrix (all columns numeric).

    Attributes
    ----------
    feature_names_ : list of str
        Column names of the encoded matrix.
    categories_ : dict of str to pandas.Index
        The categories of each categorical feature; code ``i`` is ``categories_[name][i]``.
    categorical_indices_ : list of int
        Positions of the categorical features in the matrix (LightGBM's ``categorical_feature``).
    """

    def __init__(self, spec: FeatureSpec | None = None) -> None:
        self.spec = spec

    def fit(self, frame: pd.DataFrame | np.ndarray) -> FrameEncoder:
        """Learn the feature order and each categorical feature's categories."""
        if self.spec is None:
            n_features = np.shape(frame)[1]
            self.feature_names_ = [f"x{i}" for i in range(n_features)]
            self.categories_ = {}
            self.categorical_indices_ = []
            return self
        columns = feature_columns(self.spec, frame)
        self.feature_names_ = list(self.spec.feature_names)
        self.categories_ = {name: _fitted_categories(columns[name]) for name in self.spec.categorical}
        self.categorical_indices_ = [i for i, name in enumerate(self.feature_names_) if name in self.categories_]
        self._recodes: dict[pd.CategoricalDtype, np.ndarray] = {}
        self.__dict__.pop("_record_plan", None)  # categories changed: build the record look-ups again
        return self

    def transform(self, frame: pd.DataFrame | np.ndarray) -> np.ndarray:
        """The encoded matrix, shape ``(n_rows, len(feature_names_))``, float64 in column-major order.

        Column-major because it is filled one feature at a time; LightGBM reads either order without a copy.
        """
        if self.spec is None:
            return np.ascontiguousarray(frame, dtype=np.float64)
        columns = feature_columns(self.spec, frame)
        by_feature = np.empty((len(self.feature_names_), len(frame)), dtype=np.float64)
        for j, name in enumerate(self.feature_names_):
            column = columns[name]
            if name in self.categories_:
                by_feature[j] = self._codes(name, column)
            else:
                by_feature[j] = numeric_values(name, column)
        return by_feature.T

    def fit_transform(self, frame: pd.DataFrame | np.ndarray) -> np.ndarray:
        return self.fit(frame).transform(frame)

    def record_row(self, record: Mapping[str, Any]) -> np.ndarray:
        """One validated application (a mapping of field → value) as a ``(1, n_features)`` row, equal to
        ``transform`` of a one-row frame of it, without building the frame (the scoring API's path: a one-row
        frame costs milliseconds). The spec's derivation runs on the record itself (numpy scalars)."""
        if self.spec is None:
            raise TypeError("a model without a feature spec scores numeric matrices, not named applications")
        derived = DERIVATIONS[self.spec.derive](record) if self.spec.derive else {}
        values = []
        for name, codes in self._record_plan:
            value = derived[name] if name in derived else record[name]
            if value is None:
                values.append(math.nan)
            elif codes is not None:
                values.append(codes.get(str(value), math.nan))
            else:
                values.append(float(value))
        return np.array([values], dtype=np.float64)

    @functools.cached_property
    def _record_plan(self) -> list[tuple[str, dict[str, float] | None]]:
        """Each feature in matrix order with its category → code look-up (None: numeric), built once per fit."""
        codes = {name: {str(c): float(i) for i, c in enumerate(cats)} for name, cats in self.categories_.items()}
        return [(name, codes.get(name)) for name in self.feature_names_]

    def _codes(self, name: str, column: pd.Series) -> np.ndarray:
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            recode = self._recodes.get(dtype)
            if recode is None:
                recode = self._recode_for(name, dtype)
            return recode[column.array.codes]
        if pd.api.types.is_numeric_dtype(dtype):
            column = column.astype("str")  # a missing number reads "nan", which is no category: NaN below
        codes = self.categories_[name].get_indexer(column).astype(np.float64)
        codes[codes < 0] = np.nan
        return codes

    def _recode_for(self, name: str, dtype: pd.CategoricalDtype) -> np.ndarray:
        """Code in the fitted categories of each of ``dtype``'s codes; the last entry (code -1, missing) is NaN."""
        recode = self.categories_[name].get_indexer(_category_strings(dtype.categories)).astype(np.float64)
        recode[recode < 0] = np.nan
        recode = np.append(recode, np.nan)
        if len(self._recodes) < _MAX_CACHED_DTYPES:
            self._recodes[dtype] = recode
        return recode


def feature_columns(spec: FeatureSpec, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The spec's feature columns of ``frame`` by name, derived ones computed by the spec's own derivation.

    The same columns as ``spec.prepare(frame)``, without assembling and copying a new frame.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"a model with a feature spec reads a pandas DataFrame, got {type(frame).__name__}")
    derived = derived_frame(spec, frame)
    missing = [name for name in spec.feature_names if name not in derived.columns and name not in frame.columns]
    if missing:
        raise SpecError(f"columns required by the feature spec are missing: {', '.join(missing)}")
    return {name: derived[name] if name in derived.columns else frame[name] for name in spec.feature_names}


def numeric_values(name: str, column: pd.Series) -> np.ndarray:
    """The column's numbers: numpy int, float or bool values as they are, anything else as float64 (NaN missing)."""
    values = column.values
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return values  # no conversion here: assigning into a float64 row converts (cheaper per call)
    try:
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ValueError(f"feature {name!r} must be numeric: {error}") from None


def category_values(column: pd.Series) -> np.ndarray:
    """Category values as strings (``430121`` read as a number or as text is one county), missing as NaN."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        labels = np.array([str(value) for value in column.dtype.categories] + [np.nan], dtype=object)
        return labels[column.array.codes]
    return column.astype("str").to_numpy(dtype=object, na_value=np.nan)
