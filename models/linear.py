"""The linear PD model: a regularised logistic regression on one-hot categories and standardised numbers.

A third family beside the WOE scorecard and LightGBM, for the blend rather than for itself: it sees every category of
a categorical feature on its own (no binning merges them) and every number on a straight line (no bin edges), so it
errs differently from both on small files. Each categorical feature becomes one 0/1 column per category seen in
``fit`` (a missing or unseen category: all zeros); each numeric feature is clipped to its 1st–99th training
percentiles, missing values take the training median, and the result is standardised. The L2 strength ``C`` is chosen
by 5-fold cross-validated log loss among the scorecard's grid (``AUTO_CS``) unless given. A numeric feature the spec
declares monotone whose coefficient comes out with the wrong sign is dropped and the regression refitted, so the
spec's directions hold as they do for the other families.

Reasons: the logit is a sum over features, so a feature's adverse amount is its contribution to the logit minus the
smallest contribution it reaches on the training rows (the best category, or the safer end of the clipped range),
summed by business reason like every other family's (``ReasonTable``).
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.utils._param_validation import Interval, StrOptions

from credit_engine.features import FeatureSpec
from models._common import PDClassifierMixin, ReasonTable, one_blas_thread
from models.encoding import FrameEncoder
from models.lgbm import _floored
from models.scorecard import AUTO_CS

_CLIP_PERCENTILES = (1.0, 99.0)


class LinearPD(PDClassifierMixin, BaseEstimator):
    """L2 logistic regression on one-hot categories and clipped, standardised numbers.

    Parameters
    ----------
    spec : FeatureSpec or None, default=None
        Feature definitions (``None``: a numeric matrix, every column numeric and unconstrained).
    C : float or "auto", default="auto"
        Inverse L2 regularisation; ``"auto"`` chooses it by 5-fold cross-validated log loss among ``AUTO_CS``.

    Attributes
    ----------
    logistic_ : LogisticRegression
        The fitted regression on the kept design columns.
    C_ : float
        The L2 strength used (chosen by cross-validation with ``C="auto"``).
    coef_ : ndarray
        One coefficient per design column.
    best_contribution_ : ndarray
        Per feature, the smallest contribution to the logit it reaches on the training rows.
    encoder_ : FrameEncoder
    """

    _parameter_constraints: dict = {
        "spec": [FeatureSpec, None],
        "C": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
    }

    def __init__(self, spec: FeatureSpec | None = None, C: float | str = "auto") -> None:
        self.spec = spec
        self.C = C

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> LinearPD:
        """Encode, standardise, choose ``C`` and fit; refit without any monotone feature whose sign is wrong."""
        self._validate_params()
        X, labels = self._fit_inputs(X, y)
        self.encoder_ = FrameEncoder(self.spec).fit(X)
        matrix = self.encoder_.transform(X)
        self._fit_scaling(matrix)
        design = self._design(matrix)
        with one_blas_thread():
            self.logistic_ = self._fit_regression(design, labels)
        self.coef_, self.intercept_ = self._full_coef(design.shape[1]), float(self.logistic_.intercept_[0])
        self.best_contribution_ = self._contributions(design).min(axis=0)
        self.reasons_ = ReasonTable(self.encoder_.feature_names_)
        return self

    def _fit_regression(self, design: np.ndarray, labels: np.ndarray) -> LogisticRegression:
        """The regression with ``C`` chosen, refitted with that ``C`` without wrong-signed monotone columns."""
        self.kept_ = np.ones(design.shape[1], dtype=bool)
        regression = self._regression().fit(design, labels)
        self.C_ = float(regression.C_[0]) if hasattr(regression, "C_") else float(self.C)
        while True:
            coef = np.zeros(design.shape[1])
            coef[self.kept_] = regression.coef_[0]
            wrong = self._wrong_signs(coef)
            if not wrong.any():
                return regression
            self.kept_ &= ~wrong
            regression = LogisticRegression(C=self.C_, max_iter=2000).fit(design[:, self.kept_], labels)

    def _full_coef(self, n_columns: int) -> np.ndarray:
        coef = np.zeros(n_columns)
        coef[self.kept_] = self.logistic_.coef_[0]
        return coef

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """``[1 - pd, pd]`` per row."""
        pd_ = self._pd(self._design(self._matrix(X)))
        return np.column_stack([1.0 - pd_, pd_])

    def logit_contributions(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Each feature's contribution to the logit, shape ``(n_rows, n_features)`` (the intercept apart)."""
        return self._contributions(self._design(self._matrix(X)))

    def reason_codes(self, frame: pd.DataFrame | np.ndarray, top_n: int = 4) -> list[list[str]]:
        """Per row, up to ``top_n`` reasons whose features raised the logit most above their best reachable value."""
        return self._scored(self._matrix(frame), top_n)[1]

    def adverse(self, matrix: np.ndarray) -> np.ndarray:
        """Per encoded row and feature, the logit above the feature's best reachable contribution."""
        return self._contributions(self._design(matrix)) - self.best_contribution_[None, :]

    def pd_from_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """PDs of encoded rows (the blend's input)."""
        return self._pd(self._design(matrix))

    def _scored(self, matrix: np.ndarray, top_n: int) -> tuple[np.ndarray, list[list[str]]]:
        design = self._design(matrix)
        return self._pd(design), self.reasons_.top(self.adverse(matrix), top_n)

    def _pd(self, design: np.ndarray) -> np.ndarray:
        # Element-wise, feature by feature, not a matrix product: one row and a batch get the same bits.
        logit_ = np.full(len(design), self.intercept_)
        for column in self._contributions(design).T:
            logit_ = logit_ + column
        return _floored(expit(logit_))

    def _regression(self) -> LogisticRegression | LogisticRegressionCV:
        if self.C != "auto":
            return LogisticRegression(C=self.C, max_iter=2000)
        return LogisticRegressionCV(
            Cs=list(AUTO_CS), cv=5, scoring="neg_log_loss", max_iter=2000, l1_ratios=(0.0,), use_legacy_attributes=True
        )

    def _fit_scaling(self, matrix: np.ndarray) -> None:
        """Per numeric feature: clip range, median for missing values, mean and scale after clipping."""
        self.numeric_ = [j for j in range(matrix.shape[1]) if j not in self.encoder_.categorical_indices_]
        self.n_categories_ = {
            j: len(self.encoder_.categories_[self.encoder_.feature_names_[j]])
            for j in self.encoder_.categorical_indices_
        }
        values = matrix[:, self.numeric_]
        with np.errstate(all="ignore"):
            self.clip_ = np.nan_to_num(np.nanpercentile(values, _CLIP_PERCENTILES, axis=0))
            self.median_ = np.nan_to_num(np.nanmedian(values, axis=0))
        clipped = self._clipped(values)
        self.mean_ = clipped.mean(axis=0)
        scale = clipped.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)

    def _clipped(self, values: np.ndarray) -> np.ndarray:
        filled = np.where(np.isnan(values), self.median_[None, :], values)
        return np.clip(filled, self.clip_[0], self.clip_[1])

    def _design(self, matrix: np.ndarray) -> np.ndarray:
        """One block per feature in matrix order: its one-hot columns, or its one standardised column."""
        numeric = (self._clipped(matrix[:, self.numeric_]) - self.mean_) / self.scale_
        blocks, position = [], {j: i for i, j in enumerate(self.numeric_)}
        for j in range(matrix.shape[1]):
            if j in position:
                blocks.append(numeric[:, [position[j]]])
            else:
                codes = matrix[:, j]
                blocks.append((codes[:, None] == np.arange(self.n_categories_[j])[None, :]).astype(np.float64))
        return np.hstack(blocks)

    def _columns_of(self) -> list[int]:
        """The design columns of each feature, as the feature's index per column."""
        return [j for j in range(len(self.encoder_.feature_names_)) for _ in range(self.n_categories_.get(j, 1))]

    def _contributions(self, design: np.ndarray) -> np.ndarray:
        owner = np.asarray(self._columns_of())
        weighted = design * self.coef_[None, :]
        out = np.zeros((len(design), len(self.encoder_.feature_names_)))
        np.add.at(out.T, owner, weighted.T)
        return out

    def _wrong_signs(self, coef: np.ndarray) -> np.ndarray:
        """Design columns of monotone numeric features whose coefficient contradicts the spec's direction."""
        wrong = np.zeros(len(coef), dtype=bool)
        if self.spec is None:
            return wrong
        owner = self._columns_of()
        signs = {j: f.monotone_sign for j, f in enumerate(self.spec.features) if f.type == "numeric"}
        for column, j in enumerate(owner):
            sign = signs.get(j, 0)
            wrong[column] = sign != 0 and coef[column] * sign < 0
        return wrong
