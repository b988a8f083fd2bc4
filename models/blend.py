"""The blend: a logistic stack of the WOE scorecard's and LightGBM's calibrated PDs.

``logit(pd) = intercept + w_card * logit(pd_card) + w_lgbm * logit(pd_lgbm)``, the three numbers fitted by a logistic
regression on out-of-fold PDs of the two families (scikit-learn's ``StackingClassifier`` recipe: the stacker learns
from predictions on rows the base models did not see, the base models are then refitted on every row). The two
families err differently on small data — binned, additive WOE against trees with interactions — so the stack can
lead both; the training job selects it only when cross-validation says so. ``fit`` makes its own out-of-fold PDs
(``cv`` stratified folds); the training job, which already has them from its cross-validation, builds the same
estimator with :meth:`BlendPD.assemble` instead of fitting everything twice.

Reasons: the blended logit is a sum over features, so each feature's adverse amount is ``w_card`` times its points
shortfall against the best bin in logit units (``shortfall / factor``, the scorecard's own reading) plus ``w_lgbm``
times its TreeSHAP contribution to LightGBM's margin in logit units (times the Platt slope of LightGBM's calibration;
1 for an isotonic one). They are summed by business reason like every other family's (``ReasonTable``).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import Interval

from credit_engine.features import FeatureSpec
from models._common import PDClassifierMixin, ReasonTable
from models.lgbm import PD_FLOOR, LightGBMPD, _floored
from models.scorecard import WOEScorecard


def stack_features(pd_card: np.ndarray, pd_lgbm: np.ndarray) -> np.ndarray:
    """The stacker's inputs: the two PDs on the logit scale, one column each (card first)."""
    clipped = [np.clip(np.asarray(p, dtype=float), PD_FLOOR, 1.0 - PD_FLOOR) for p in (pd_card, pd_lgbm)]
    return np.column_stack([logit(p) for p in clipped])


def fit_stacker(pd_card: np.ndarray, pd_lgbm: np.ndarray, y: np.ndarray) -> LogisticRegression:
    """The logistic stack on out-of-fold PDs (unpenalised but for a tiny ridge: three parameters, many rows)."""
    return LogisticRegression(C=1e4, max_iter=1000).fit(stack_features(pd_card, pd_lgbm), np.asarray(y, dtype=int))


class BlendPD(PDClassifierMixin, BaseEstimator):
    """Logistic stack of a ``WOEScorecard`` and a ``LightGBMPD`` fitted on the same rows.

    Parameters
    ----------
    spec : FeatureSpec or None, default=None
        Feature definitions shared by both families (``None``: a numeric matrix).
    cv : int, default=5
        Stratified folds for the out-of-fold PDs the stack is fitted on.
    scorecard_params, lightgbm_params : dict or None, default=None
        Parameters of the two base estimators.
    random_state : int, default=0
        Seeds the folds.

    Attributes
    ----------
    scorecard_ : WOEScorecard
    lightgbm_ : LightGBMPD
        The base estimators, fitted on every row.
    stacker_ : LogisticRegression
        The stack: ``coef_`` = (w_card, w_lgbm) on the logit scale, ``intercept_``.
    encoder_ : FrameEncoder
        LightGBM's encoder (the scorecard's encodes the same rows the same way).
    """

    _parameter_constraints: dict = {
        "spec": [FeatureSpec, None],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "scorecard_params": [dict, None],
        "lightgbm_params": [dict, None],
        "random_state": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        spec: FeatureSpec | None = None,
        cv: int = 5,
        scorecard_params: dict | None = None,
        lightgbm_params: dict | None = None,
        random_state: int = 0,
    ) -> None:
        self.spec = spec
        self.cv = cv
        self.scorecard_params = scorecard_params
        self.lightgbm_params = lightgbm_params
        self.random_state = random_state

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> BlendPD:
        """Out-of-fold PDs of both families → the stack; then both families refitted on every row."""
        self._validate_params()
        X, labels = self._fit_inputs(X, y)
        oof = np.zeros((len(labels), 2))
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, valid in folds.split(np.zeros(len(labels)), labels):
            card, lgbm = self._fit_bases(_rows(X, train), labels[train])
            oof[valid, 0] = card.predict_pd(_rows(X, valid))
            oof[valid, 1] = lgbm.predict_pd(_rows(X, valid))
        card, lgbm = self._fit_bases(X, labels)
        return self._set_parts(card, lgbm, fit_stacker(oof[:, 0], oof[:, 1], labels))

    def assemble(self, scorecard: WOEScorecard, lightgbm: LightGBMPD, stacker: LogisticRegression) -> BlendPD:
        """This blend from base estimators already fitted on the same rows and a stack fitted on their out-of-fold
        PDs (the training job's cross-validation made them)."""
        self._validate_params()
        self.classes_ = np.array([0, 1])
        if self.spec is not None:
            self.n_features_in_ = len(self.spec.feature_names)
            self.feature_names_in_ = np.asarray(self.spec.feature_names, dtype=object)
        else:
            self.n_features_in_ = lightgbm.n_features_in_
        return self._set_parts(scorecard, lightgbm, stacker)

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """``[1 - pd, pd]`` per row from the stack of both families' PDs."""
        pd_ = self._stacked(*self._base_pds(self._matrix(X)))
        return np.column_stack([1.0 - pd_, pd_])

    def base_pds(self, X: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The scorecard's and LightGBM's own PDs of the rows, the stack's two inputs."""
        return self._base_pds(self._matrix(X))

    def reason_codes(self, frame: pd.DataFrame | np.ndarray, top_n: int = 4) -> list[list[str]]:
        """Per row, up to ``top_n`` reasons with the largest blended adverse amount."""
        return self._scored(self._matrix(frame), top_n)[1]

    def _scored(self, matrix: np.ndarray, top_n: int) -> tuple[np.ndarray, list[list[str]]]:
        card, lgbm = self.scorecard_, self.lightgbm_
        points = card._points(matrix)
        contributions = lgbm.booster_.predict(
            matrix, pred_contrib=True, num_iteration=lgbm.best_iteration_, num_threads=lgbm._threads(len(matrix))
        )
        pd_card = card._pd_from_points(points.sum(axis=1))
        pd_lgbm = lgbm._pd_from_margin(lgbm._margin(matrix))
        w_card, w_lgbm = self.stacker_.coef_[0]
        _, factor = card._scaling()
        adverse = (
            w_card * (card.best_points_[None, :] - points) / factor
            + w_lgbm * self.lgbm_slope_ * (contributions[:, :-1])
        )
        return self._stacked(pd_card, pd_lgbm), self.reasons_.top(adverse, top_n)

    def _base_pds(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        card, lgbm = self.scorecard_, self.lightgbm_
        return card._pd_from_points(card._points(matrix).sum(axis=1)), lgbm._pd_from_margin(lgbm._margin(matrix))

    def _stacked(self, pd_card: np.ndarray, pd_lgbm: np.ndarray) -> np.ndarray:
        # Element-wise, not a matrix product: one row and a batch get the same bits.
        features = stack_features(pd_card, pd_lgbm)
        (w_card, w_lgbm), intercept = self.stacker_.coef_[0], self.stacker_.intercept_[0]
        return _floored(expit(intercept + w_card * features[:, 0] + w_lgbm * features[:, 1]))

    def _fit_bases(self, X: object, labels: np.ndarray) -> tuple[WOEScorecard, LightGBMPD]:
        card = clone(WOEScorecard(spec=self.spec)).set_params(**(self.scorecard_params or {}))
        lgbm = clone(LightGBMPD(spec=self.spec)).set_params(**(self.lightgbm_params or {}))
        return card.fit(X, labels), lgbm.fit(X, labels)

    def _set_parts(self, card: WOEScorecard, lgbm: LightGBMPD, stacker: LogisticRegression) -> BlendPD:
        if card.feature_names_ != list(lgbm.encoder_.feature_names_) or any(
            not card.encoder_.categories_[name].equals(lgbm.encoder_.categories_[name])
            for name in lgbm.encoder_.categories_
        ):
            raise ValueError("the scorecard and LightGBM of a blend must be fitted on the same rows and features")
        self.scorecard_, self.lightgbm_, self.stacker_ = card, lgbm, stacker
        self.encoder_ = lgbm.encoder_
        calibrator = lgbm.calibrator_
        self.lgbm_slope_ = float(calibrator.coef_[0, 0]) if isinstance(calibrator, LogisticRegression) else 1.0
        self.reasons_ = ReasonTable(card.feature_names_)
        return self


def _rows(X: object, rows: np.ndarray) -> object:
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]
