"""The blend: a logistic stack of the calibrated PDs of two or three families — the WOE scorecard, LightGBM and, on
small files, the linear one-hot model.

``logit(pd) = intercept + sum_k w_k * logit(pd_k)``, the numbers fitted by a logistic regression on out-of-fold PDs of
the parts (scikit-learn's ``StackingClassifier`` recipe: the stacker learns from predictions on rows the base models
did not see, the base models are then refitted on every row), with non-negative weights: a part whose weight comes out
negative is dropped from the stack (weight 0) and the others refitted, so a riskier PD from any part never lowers the
blend's. The families err differently on small data — binned, additive WOE; trees with interactions; straight lines
over every category — so the stack can lead each of them; the training job selects it only when cross-validation says
so. ``fit`` makes its own out-of-fold PDs (``cv`` stratified folds); the training job, which already has them from its
cross-validation, builds the same estimator with :meth:`BlendPD.assemble` instead of fitting everything twice.

Reasons: the blended logit is a sum over features, so each feature's adverse amount is the sum over parts of the
part's weight times its own adverse amount in logit units: the scorecard's points shortfall against the best bin
(``shortfall / factor``, the scorecard's own reading; a card the training job calibrated has its Platt slope in
its factor), LightGBM's TreeSHAP contribution to its margin (times the Platt slope of its calibration; 1 for an
isotonic one), the linear model's contribution above the feature's best reachable one. They are summed by business
reason like every other family's (``ReasonTable``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from credit_engine.features import FeatureSpec
from models._common import PDClassifierMixin, ReasonTable, one_blas_thread
from models.forest import ForestPD
from models.lgbm import PD_FLOOR, LightGBMPD, _floored
from models.linear import LinearPD
from models.scorecard import WOEScorecard

PART_FAMILIES = {"scorecard": WOEScorecard, "lightgbm": LightGBMPD, "linear": LinearPD, "forest": ForestPD}
DEFAULT_PARTS = ("scorecard", "lightgbm")


def stack_features(*pds: np.ndarray) -> np.ndarray:
    """The stacker's inputs: each part's PDs on the logit scale, one column per part (in the parts' order)."""
    clipped = [np.clip(np.asarray(p, dtype=float), PD_FLOOR, 1.0 - PD_FLOOR) for p in pds]
    return np.column_stack([logit(p) for p in clipped])


def fit_stacker(*pds_and_labels: np.ndarray) -> LogisticRegression:
    """The logistic stack on out-of-fold PDs ``fit_stacker(pd_1, ..., pd_k, y)`` (unpenalised but for a tiny ridge:
    a few parameters, many rows), with non-negative weights: while a weight is negative, the part with the most
    negative one is left out (weight 0) and the stack refitted on the others."""
    *pds, y = pds_and_labels
    with one_blas_thread():
        return _non_negative_stack(stack_features(*pds), np.asarray(y, dtype=int))


def _non_negative_stack(features: np.ndarray, labels: np.ndarray) -> LogisticRegression:
    stacker = LogisticRegression(C=1e4, max_iter=1000).fit(features, labels)
    keep = np.ones(features.shape[1], dtype=bool)
    coef = stacker.coef_[0].copy()
    while (coef[keep] < 0).any() and keep.sum() > 1:
        keep[np.flatnonzero(keep)[np.argmin(coef[keep])]] = False
        reduced = LogisticRegression(C=1e4, max_iter=1000).fit(features[:, keep], labels)
        coef = np.zeros(features.shape[1])
        coef[keep] = reduced.coef_[0]
        stacker.intercept_ = reduced.intercept_.copy()
    stacker.coef_ = np.maximum(coef, 0.0)[None, :]
    return stacker


class BlendPD(PDClassifierMixin, BaseEstimator):
    """Logistic stack of two or three PD families fitted on the same rows.

    Parameters
    ----------
    spec : FeatureSpec or None, default=None
        Feature definitions shared by every part (``None``: a numeric matrix).
    cv : int, default=5
        Stratified folds for the out-of-fold PDs the stack is fitted on.
    scorecard_params, lightgbm_params, linear_params : dict or None, default=None
        Parameters of the base estimators.
    parts : tuple of str, default=("scorecard", "lightgbm")
        The families stacked, two or three of ``PART_FAMILIES``, in the stack's column order.
    random_state : int, default=0
        Seeds the folds.

    Attributes
    ----------
    parts_ : dict of str to estimator
        The base estimators, fitted on every row (also as ``scorecard_``, ``lightgbm_``, ``linear_``).
    stacker_ : LogisticRegression
        The stack: ``coef_`` = one non-negative weight per part on the logit scale, ``intercept_``.
    encoder_ : FrameEncoder
        The first part's encoder (every part encodes the same rows the same way).
    """

    _parameter_constraints: dict = {
        "spec": [FeatureSpec, None],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "scorecard_params": [dict, None],
        "lightgbm_params": [dict, None],
        "linear_params": [dict, None],
        "forest_params": [dict, None],
        "parts": [tuple, list],
        "random_state": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        spec: FeatureSpec | None = None,
        cv: int = 5,
        scorecard_params: dict | None = None,
        lightgbm_params: dict | None = None,
        linear_params: dict | None = None,
        parts: tuple[str, ...] = DEFAULT_PARTS,
        forest_params: dict | None = None,
        random_state: int = 0,
    ) -> None:
        self.spec = spec
        self.cv = cv
        self.scorecard_params = scorecard_params
        self.lightgbm_params = lightgbm_params
        self.linear_params = linear_params
        self.parts = parts
        self.forest_params = forest_params
        self.random_state = random_state

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> BlendPD:
        """Out-of-fold PDs of every part → the stack; then every part refitted on every row."""
        self._check_parts()
        X, labels = self._fit_inputs(X, y)
        oof = np.zeros((len(labels), len(self.parts)))
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, valid in folds.split(np.zeros(len(labels)), labels):
            for k, base in enumerate(self._fit_bases(_rows(X, train), labels[train]).values()):
                oof[valid, k] = base.predict_pd(_rows(X, valid))
        return self._set_parts(self._fit_bases(X, labels), fit_stacker(*oof.T, labels))

    def assemble(self, bases: Mapping[str, BaseEstimator], stacker: LogisticRegression) -> BlendPD:
        """This blend from base estimators already fitted on the same rows (``bases``: family name → estimator, for
        every name in ``parts``) and a stack fitted on their out-of-fold PDs (the training job's cross-validation
        made them)."""
        self._check_parts()
        self.classes_ = np.array([0, 1])
        first = bases[self.parts[0]]
        if self.spec is not None:
            self.n_features_in_ = len(self.spec.feature_names)
            self.feature_names_in_ = np.asarray(self.spec.feature_names, dtype=object)
        else:
            self.n_features_in_ = first.n_features_in_
        return self._set_parts({name: bases[name] for name in self.parts}, stacker)

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """``[1 - pd, pd]`` per row from the stack of every part's PDs."""
        pd_ = self._stacked(self._base_pds(self._matrix(X)))
        return np.column_stack([1.0 - pd_, pd_])

    def base_pds(self, X: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, ...]:
        """Every part's own PDs of the rows (in ``parts`` order), the stack's inputs."""
        return self._base_pds(self._matrix(X))

    def stacked_pd(self, part_pds: Sequence[np.ndarray]) -> np.ndarray:
        """The blend's PDs from its parts' own PDs of the same rows (``base_pds``, or each part's ``predict_pd``, in
        ``parts`` order): what ``predict_pd`` gives, without predicting the parts again."""
        check_is_fitted(self, "stacker_")
        if len(part_pds) != len(self.parts_):
            raise ValueError(f"{len(part_pds)} parts' PDs for a blend of {len(self.parts_)} parts")
        return self._stacked([np.asarray(p, dtype=float) for p in part_pds])

    def reason_codes(self, frame: pd.DataFrame | np.ndarray, top_n: int = 4) -> list[list[str]]:
        """Per row, up to ``top_n`` reasons with the largest blended adverse amount."""
        return self._scored(self._matrix(frame), top_n)[1]

    def _scored(self, matrix: np.ndarray, top_n: int) -> tuple[np.ndarray, list[list[str]]]:
        pds, adverse = [], 0.0
        for (name, part), weight in zip(self.parts_.items(), self.stacker_.coef_[0], strict=True):
            pd_, part_adverse = _PART_READERS[name](self, part, matrix)
            pds.append(pd_)
            adverse = adverse + weight * part_adverse
        return self._stacked(pds), self.reasons_.top(adverse, top_n)

    def _base_pds(self, matrix: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(_PART_PDS[name](part, matrix) for name, part in self.parts_.items())

    def _stacked(self, pds: Sequence[np.ndarray]) -> np.ndarray:
        # Element-wise, not a matrix product: one row and a batch get the same bits.
        features = stack_features(*pds)
        logit_ = np.full(len(features), self.stacker_.intercept_[0])
        for k, weight in enumerate(self.stacker_.coef_[0]):
            logit_ = logit_ + weight * features[:, k]
        return _floored(expit(logit_))

    def _check_parts(self) -> None:
        self._validate_params()
        unknown = [name for name in self.parts if name not in PART_FAMILIES]
        if unknown or not 2 <= len(set(self.parts)) == len(self.parts) <= len(PART_FAMILIES):
            raise ValueError(
                f"parts must be two or more different families of {', '.join(PART_FAMILIES)}, got {self.parts!r}"
            )

    def _fit_bases(self, X: object, labels: np.ndarray) -> dict[str, BaseEstimator]:
        bases = {}
        for name in self.parts:
            own = getattr(self, f"{name}_params") or {}
            bases[name] = clone(PART_FAMILIES[name](spec=self.spec)).set_params(**own).fit(X, labels)
        return bases

    def _set_parts(self, bases: dict[str, BaseEstimator], stacker: LogisticRegression) -> BlendPD:
        first = next(iter(bases.values()))
        for base in bases.values():
            same = list(base.encoder_.feature_names_) == list(first.encoder_.feature_names_) and all(
                base.encoder_.categories_[name].equals(first.encoder_.categories_[name])
                for name in first.encoder_.categories_
            )
            if not same:
                raise ValueError("the parts of a blend must be fitted on the same rows and features")
        if stacker.coef_.shape != (1, len(bases)):
            raise ValueError(f"the stack has {stacker.coef_.shape[1]} weights for {len(bases)} parts")
        self.parts_, self.stacker_ = bases, stacker
        for name, base in bases.items():
            setattr(self, f"{name}_", base)
        self.encoder_ = first.encoder_
        calibrator = getattr(bases.get("lightgbm"), "calibrator_", None)
        self.lgbm_slope_ = float(calibrator.coef_[0, 0]) if isinstance(calibrator, LogisticRegression) else 1.0
        self.reasons_ = ReasonTable(list(first.encoder_.feature_names_))
        return self


def _card_read(blend: BlendPD, card: WOEScorecard, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    points = card._points(matrix)
    _, factor = card._scaling()
    return card._pd_from_points(points.sum(axis=1)), (card.best_points_[None, :] - points) / factor


def _lgbm_read(blend: BlendPD, lgbm: LightGBMPD, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    contributions = lgbm.booster_.predict(
        matrix, pred_contrib=True, num_iteration=lgbm.best_iteration_, num_threads=lgbm._threads(len(matrix))
    )
    return lgbm._pd_from_margin(lgbm._margin(matrix)), blend.lgbm_slope_ * contributions[:, :-1]


def _linear_read(blend: BlendPD, linear: LinearPD, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return linear.pd_from_matrix(matrix), linear.adverse(matrix)


def _forest_read(blend: BlendPD, forest: ForestPD, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # on the forest's log-odds scale; times its Platt slope: the stack's logit units
    calibrator = forest.calibrator_
    slope = float(calibrator.coef_[0, 0]) if isinstance(calibrator, LogisticRegression) else 1.0
    return forest._pd_from_margin(forest._margin(matrix)), slope * forest._contributions(matrix)[:, :-1]


_PART_READERS = {"scorecard": _card_read, "lightgbm": _lgbm_read, "linear": _linear_read, "forest": _forest_read}
_PART_PDS = {
    "scorecard": lambda card, matrix: card._pd_from_points(card._points(matrix).sum(axis=1)),
    "lightgbm": lambda lgbm, matrix: lgbm._pd_from_margin(lgbm._margin(matrix)),
    "forest": lambda forest, matrix: forest._pd_from_margin(forest._margin(matrix)),
    "linear": lambda linear, matrix: linear.pd_from_matrix(matrix),
}


def _rows(X: object, rows: np.ndarray) -> object:
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]
