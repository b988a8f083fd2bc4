"""The random forest PD model: LightGBM's ``rf`` boosting — bagged, fully grown, decorrelated trees, averaged.

It competes only when a job names it (``--family forest``), and then the blend stacks it as a part. It is **not
monotone**: the spec's monotone directions are not imposed, because LightGBM's ``rf`` with them lost 0.019 AUC on
German Credit's 20 folds (0.7674 against 0.7866, the one constraint on the loan's duration) — a forest averages
trees that each split on a bag of rows, and the constraint clips every tree. A model a bank must show to be monotone
(the household and enterprise products) does not name it; its blend with the scorecard is not monotone either.

A forest errs differently from the WOE scorecard (additive, binned) and from boosted trees (sequential, shrunk): on
small files the stack of a card and a forest leads either of them (German Credit, 20 folds; bench/RESULTS.md). It is
LightGBM's own random forest rather than scikit-learn's, so it shares the LightGBM model's encoder, one-record
path and TreeSHAP reasons (``pred_contrib``), and predicts in C++ at the API's speed. The
parameters are the textbook forest's: 500 trees, each on a 63.2 % bag of the rows, √p features tried at each split,
leaves of at least 5 rows, no shrinkage and no early stopping; a categorical feature of up to 32 categories splits
one category against the rest. Fitted alone, its PD is the forest's own probability, which is too spread; the
training job maps it (``recalibrate``) by a Platt map learnt on its out-of-fold PDs, and the blend's stack is fitted
on those mapped PDs. LightGBM's ``rf`` raw score and TreeSHAP contributions are sums over the trees and its
probability is ``expit(sum / trees)``: the margin and the contributions here are divided by the trees, so that they
are the forest's log-odds like every other family's.
"""

from __future__ import annotations

import numpy as np

from credit_engine.features import FeatureSpec
from models.lgbm import LightGBMPD


class ForestPD(LightGBMPD):
    """LightGBM's random forest as a PD model; the parameters as :class:`LightGBMPD`'s, with the forest's defaults."""

    def __init__(
        self,
        spec: FeatureSpec | None = None,
        n_estimators: int = 500,
        learning_rate: float = 1.0,
        num_leaves: int = 256,
        min_child_samples: int = 5,
        reg_lambda: float = 0.0,
        feature_fraction: float = 1.0,
        bagging_fraction: float = 0.632,
        early_stopping_rounds: int | None = None,
        validation_fraction: float = 0.0,
        calibration: str | None = None,
        random_state: int | np.random.RandomState | None = 0,
        n_jobs: int | None = None,
        max_bin: int = 255,
        boosting: str = "rf",
        feature_fraction_bynode: float | str = "sqrt",
        max_cat_to_onehot: int = 32,
    ) -> None:
        super().__init__(
            spec=spec, n_estimators=n_estimators, learning_rate=learning_rate, num_leaves=num_leaves,
            min_child_samples=min_child_samples, reg_lambda=reg_lambda, feature_fraction=feature_fraction,
            bagging_fraction=bagging_fraction, early_stopping_rounds=early_stopping_rounds,
            validation_fraction=validation_fraction, calibration=calibration, random_state=random_state,
            n_jobs=n_jobs, max_bin=max_bin, boosting=boosting, feature_fraction_bynode=feature_fraction_bynode,
            max_cat_to_onehot=max_cat_to_onehot,
        )  # fmt: skip

    def _lgb_params(self, seed: int, n_columns: int) -> dict:
        params = super()._lgb_params(seed, n_columns)
        params.pop("monotone_constraints", None)
        params.pop("monotone_constraints_method", None)
        return params

    def raw_contributions(self, X):  # noqa: ANN001, ANN201 - LightGBMPD's signature
        """TreeSHAP contributions to the forest's log-odds (the sum over trees divided by the trees)."""
        return self._contributions(self._matrix(X))

    def _contributions(self, matrix: np.ndarray) -> np.ndarray:
        """TreeSHAP of encoded rows on the forest's log-odds scale (bias last): LightGBM's sums over trees, divided."""
        contributions = self.booster_.predict(
            matrix, pred_contrib=True, num_iteration=self.best_iteration_, num_threads=self._threads(len(matrix))
        )
        return contributions / self.best_iteration_

    def _margin(self, matrix: np.ndarray) -> np.ndarray:
        return super()._margin(matrix) / self.best_iteration_
