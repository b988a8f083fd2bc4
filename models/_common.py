"""What the PD estimators share: reading inputs with or without a feature spec, the 0/1 label, the ``Scorer``
methods (a table, or one application without a DataFrame) and reason codes.

With a ``FeatureSpec`` an estimator reads pandas frames of applications (the spec names the columns and the label);
without one it behaves like any scikit-learn binary classifier on a numeric matrix. Reason codes are computed the
same way for every family: a per-feature "adverse amount" (a positive TreeSHAP contribution, a points shortfall) is
summed by business reason through the fixed feature → reason table, and the largest positive sums are reported.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from credit_engine.features import FeatureSpec
from credit_engine.reasons import reason_for_feature

_POSITIVE_EPSILON = 1e-9


def one_blas_thread() -> threadpool_limits:
    """A context in which BLAS runs on one thread. The logistic regressions here are small (a few dozen columns, at
    most a few hundred thousand rows) and BLAS's threads buy them nothing; on a shared machine whose cores are taken
    they spin-wait instead: a 5-fold ``LogisticRegressionCV`` on 640 rows × 60 columns took 17 s with two OpenBLAS
    threads at load 9 on 2 cores and 1.7 s with one."""
    return threadpool_limits(limits=1, user_api="blas")


def default_missing_params(estimator: Any) -> None:
    """After unpickling: a constructor parameter added after the estimator was pickled takes its default, so
    ``get_params``, ``repr`` and ``sklearn.clone`` work on an older model (its fitted attributes are untouched)."""
    for name, parameter in inspect.signature(type(estimator).__init__).parameters.items():
        if name != "self" and name not in estimator.__dict__:
            setattr(estimator, name, parameter.default)


def check_binary(y: np.ndarray) -> None:
    """Raise unless ``y`` holds exactly two classes (scikit-learn's wording, which its checks look for)."""
    check_classification_targets(y)
    y_type = type_of_target(y, input_name="y", raise_unknown=True)
    if np.unique(y).size < 2:
        raise ValueError("a PD model needs both classes in y; got only one class")
    if y_type != "binary":
        raise ValueError(f"Only binary classification is supported. The type of the target is {y_type}.")


def spec_labels(frame: pd.DataFrame, y: object, spec: FeatureSpec) -> np.ndarray:
    """0/1 labels (1 = default): from the spec's target column when ``y`` is None, else ``y`` itself."""
    if y is None:
        return spec.labels(frame).astype(np.int64)
    values = np.asarray(y)
    if values.ndim != 1 or len(values) != len(frame):
        raise ValueError(f"y must be one label per row: {len(frame)} rows, y of shape {values.shape}")
    if pd.isna(values).any():
        raise ValueError("y has missing labels")
    try:
        positive = float(spec.positive)
    except (TypeError, ValueError):
        positive = None
    if values.dtype.kind in "biuf" and positive is not None:
        return (values == positive).astype(np.int64)
    if values.dtype.kind in "biuf" and set(np.unique(values).tolist()) <= {0, 1}:
        return values.astype(np.int64)  # already 0/1 (1 = default), e.g. from ``FeatureSpec.labels``
    return (values.astype(str) == str(spec.positive)).astype(np.int64)


class PDClassifierMixin(ClassifierMixin):
    """Input handling, ``predict`` and ``predict_pd`` for binary PD estimators with an optional ``spec``."""

    def _fit_inputs(self, X: object, y: object) -> tuple[object, np.ndarray]:
        """Validated inputs and 0/1 labels; sets ``classes_``, ``n_features_in_`` (and ``feature_names_in_``)."""
        if self.spec is None:
            X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan")
            check_binary(y)
            self.classes_ = np.unique(y)
            return X, (y == self.classes_[1]).astype(np.int64)
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"a model with a feature spec is fitted on a pandas DataFrame, got {type(X).__name__}")
        labels = spec_labels(X, y, self.spec)
        check_binary(labels)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = len(self.spec.feature_names)
        self.feature_names_in_ = np.asarray(self.spec.feature_names, dtype=object)
        return X, labels

    def _predict_inputs(self, X: object) -> object:
        check_is_fitted(self)
        if self.spec is None:
            return validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        return X

    def predict(self, X: object) -> np.ndarray:
        """The more likely class of each row (the default class when its PD is at least 0.5)."""
        check_is_fitted(self)
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(np.int64)]

    def predict_pd(self, frame: pd.DataFrame) -> np.ndarray:
        """Probability of default (0–1) per row (the ``Scorer`` protocol of ``credit_engine.scoring``)."""
        return self.predict_proba(frame)[:, 1]

    def pd_and_reasons(self, frame: pd.DataFrame, top_n: int = 4) -> tuple[np.ndarray, list[list[str]]]:
        """``predict_pd`` and ``reason_codes`` of the same rows, encoding them once (the batch and the API's call)."""
        return self._scored(self._matrix(frame), top_n)

    def score_record(self, record: Mapping[str, Any], top_n: int = 4) -> tuple[float, list[str]]:
        """PD and reasons of ONE validated application (field → value, as ``validate_record`` returns it), equal to
        ``pd_and_reasons`` of a one-row frame of it: the encoder's numpy row instead of a frame, which costs more
        than the model on one row (the scoring API's path)."""
        check_is_fitted(self, "encoder_")
        pds, reasons = self._scored(self.encoder_.record_row(record), top_n)
        return float(pds[0]), reasons[0]

    def _matrix(self, X: object) -> np.ndarray:
        X = self._predict_inputs(X)  # first: an unfitted estimator says so (NotFittedError)
        return self.encoder_.transform(X)

    def _scored(self, matrix: np.ndarray, top_n: int) -> tuple[np.ndarray, list[list[str]]]:
        """PDs and reasons of encoded rows (each family's own arithmetic)."""
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = True
        return tags


class ReasonTable:
    """Sums per-feature adverse amounts into business reasons and picks the largest."""

    def __init__(self, feature_names: list[str]) -> None:
        reasons = [reason_for_feature(name) for name in feature_names]
        self.codes = sorted(set(reasons))
        self.matrix = np.zeros((len(feature_names), len(self.codes)))
        for i, code in enumerate(reasons):
            self.matrix[i, self.codes.index(code)] = 1.0

    def top(self, adverse: np.ndarray, top_n: int) -> list[list[str]]:
        """Per row, up to ``top_n`` reason codes with a positive summed adverse amount, largest first."""
        if not isinstance(top_n, Integral) or top_n < 0:
            raise ValueError(f"top_n must be a non-negative integer, got {top_n!r}")
        by_reason = np.maximum(adverse, 0.0) @ self.matrix
        order = np.argsort(-by_reason, axis=1, kind="stable")[:, :top_n]
        chosen = by_reason[np.arange(len(order))[:, None], order] > _POSITIVE_EPSILON
        codes = self._code_array
        return [codes[row[keep]].tolist() for row, keep in zip(order, chosen, strict=True)]

    @functools.cached_property
    def _code_array(self) -> np.ndarray:
        return np.asarray(self.codes, dtype=object)
