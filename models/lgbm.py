"""The LightGBM probability-of-default model: monotone where the domain is certain, calibrated on held-out data.

``fit`` encodes the applications (``FrameEncoder``), keeps a stratified ``validation_fraction`` of them aside, trains
native ``lightgbm.train`` on the rest with the spec's monotone constraints and categorical features, stops early on
the held-out log-loss, and then fits the probability calibration on the same held-out rows. Using one slice for both
is deliberate: early stopping picks only the number of trees (one integer, barely optimistic), while carving a second
slice would take more rows from the model or leave the calibrator with too few defaults; the rows the booster learned
from are never used to calibrate. Calibration maps the raw margin through a non-decreasing function (isotonic
regression clipped at the ends, or a logistic "sigmoid"), so a feature that can only push the margin up can only push
the PD up: the monotone constraints survive calibration. Isotonic steps are flat; a tie-break of at most 1e-9 keeps the
booster's own ranking inside a step (ranking metrics are not degraded by artificial ties), and PDs are kept within
[0.0003, 0.9997] (the Basel IRB PD floor of 3 bp), because an exact 0% PD is not a credit statement.

Reasons come from LightGBM's native TreeSHAP (``pred_contrib``) on the encoded numpy rows: the features that pushed
the margin up, summed by business reason (``credit_engine.reasons``). One application (``score_record``, the
scoring API's call) is encoded straight from its record and predicted on one thread, with the same arithmetic.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from credit_engine.features import FeatureSpec
from models._common import PDClassifierMixin, ReasonTable, default_missing_params
from models.encoding import FrameEncoder

PD_FLOOR = 0.0003
_TIE_BREAK = 1e-9
_SMALL_BATCH = 512
# Below this many rows given to ``fit`` LightGBM trains on one thread unless ``n_jobs`` says otherwise: a histogram of
# a few thousand rows is built faster than a second OpenMP thread wakes, and on a shared machine whose cores are taken
# the idle threads spin-wait at every tree (bench/RESULTS.md, issue 11: the Taiwan folds).
_ONE_THREAD_ROWS = 25_000


class LightGBMPD(PDClassifierMixin, BaseEstimator):
    """Gradient-boosted PD model with monotone constraints, early stopping and held-out calibration.

    Parameters
    ----------
    spec : FeatureSpec or None, default=None
        Feature definitions (columns, categorical features, monotone directions, label). ``None``: ``X`` is a numeric
        matrix, every column numeric and unconstrained.
    n_estimators : int, default=2000
        Maximum number of boosting rounds (early stopping usually ends sooner).
    learning_rate : float, default=0.05
        Shrinkage of each tree.
    num_leaves : int, default=31
        Maximum leaves per tree.
    min_child_samples : int, default=100
        Minimum rows in a leaf (LightGBM ``min_data_in_leaf``).
    reg_lambda : float, default=1.0
        L2 regularisation of leaf values.
    feature_fraction : float, default=0.9
        Share of features sampled for each tree.
    bagging_fraction : float, default=0.9
        Share of rows sampled for each tree (every iteration).
    early_stopping_rounds : int or None, default=100
        Stop when the held-out log-loss has not improved for this many rounds; ``None`` trains all rounds.
    validation_fraction : float, default=0.3
        Stratified share of the rows held out for early stopping and calibration. ``0`` (or too few rows of a class
        to split) trains on everything, without early stopping or calibration.
    calibration : {"isotonic", "sigmoid"} or None, default="sigmoid"
        How the raw margin becomes a PD on the held-out rows; ``None`` keeps LightGBM's own probability. Platt
        scaling (``sigmoid``) is the default: with a few thousand defaults in the held-out slice, isotonic steps in
        the riskiest decile move by ±1 pp from sample to sample, two parameters do not (bench/rating_quality.py).
    random_state : int, RandomState instance or None, default=0
        Seeds the hold-out split and LightGBM's sampling.
    n_jobs : int or None, default=None
        Threads for training and batch prediction (``None`` or ``-1``: all cores; ``None`` trains on one thread
        below 25,000 rows given to ``fit``). Batches of at most 512 rows are predicted on one thread, which is faster
        than waking a thread pool.
    max_bin : int, default=255
        Maximum histogram bins per feature.
    boosting : {"gbdt", "rf"}, default="gbdt"
        Gradient boosting, or LightGBM's random forest (``rf``: every tree fitted on a bagged sample, averaged; the
        learning rate is unused; :class:`models.forest.ForestPD` sets it with the forest's parameters).
    feature_fraction_bynode : float or "sqrt", default=1.0
        Share of features sampled at each split (``"sqrt"``: √p of the p encoded features, the random forest's rule).
    max_cat_to_onehot : int, default=4
        Categorical features with at most this many categories split one category against the rest (LightGBM's
        ``max_cat_to_onehot``); above it, on categories sorted by their gradient statistics.

    Attributes
    ----------
    booster_ : lightgbm.Booster
        The trained booster.
    best_iteration_ : int
        Number of trees used for prediction (the early-stopping optimum).
    n_boosted_rows_ : int
        Rows the booster was trained on (without the held-out slice).
    calibrator_ : IsotonicRegression, LogisticRegression or None
        Maps the raw margin to a PD.
    encoder_ : FrameEncoder
        Turns frames into the booster's matrix.
    classes_ : ndarray of shape (2,)
        Class labels (``[0, 1]`` with a spec, 1 = default).
    n_features_in_ : int
        Number of features (with a spec: the spec's features, derived ones included).
    feature_names_in_ : ndarray of str
        Feature names (with a spec: the spec's features in matrix order; without, when fitted on a DataFrame).
    """

    _parameter_constraints: dict = {
        "spec": [FeatureSpec, None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "num_leaves": [Interval(Integral, 2, None, closed="left")],
        "min_child_samples": [Interval(Integral, 1, None, closed="left")],
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "feature_fraction": [Interval(Real, 0, 1, closed="right")],
        "bagging_fraction": [Interval(Real, 0, 1, closed="right")],
        "early_stopping_rounds": [Interval(Integral, 1, None, closed="left"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "calibration": [StrOptions({"isotonic", "sigmoid"}), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "max_bin": [Interval(Integral, 2, None, closed="left")],
        "boosting": [StrOptions({"gbdt", "rf"})],
        "feature_fraction_bynode": [Interval(Real, 0, 1, closed="right"), StrOptions({"sqrt"})],
        "max_cat_to_onehot": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        spec: FeatureSpec | None = None,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 100,
        reg_lambda: float = 1.0,
        feature_fraction: float = 0.9,
        bagging_fraction: float = 0.9,
        early_stopping_rounds: int | None = 100,
        validation_fraction: float = 0.3,
        calibration: str | None = "sigmoid",
        random_state: int | np.random.RandomState | None = 0,
        n_jobs: int | None = None,
        max_bin: int = 255,
        boosting: str = "gbdt",
        feature_fraction_bynode: float | str = 1.0,
        max_cat_to_onehot: int = 4,
    ) -> None:
        self.spec = spec
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.feature_fraction = feature_fraction
        self.bagging_fraction = bagging_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.calibration = calibration
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.max_bin = max_bin
        self.boosting = boosting
        self.feature_fraction_bynode = feature_fraction_bynode
        self.max_cat_to_onehot = max_cat_to_onehot

    def __setstate__(self, state: dict) -> None:
        """Unpickle; a model pickled before ``boosting``, ``feature_fraction_bynode`` and ``max_cat_to_onehot``
        existed reads them as their defaults (its booster was trained with LightGBM's, the same values)."""
        super().__setstate__(state)
        default_missing_params(self)

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> LightGBMPD:
        """Train on ``X``; with a spec, ``y`` defaults to the spec's target column of ``X``."""
        self._validate_params()
        X, labels = self._fit_inputs(X, y)
        self.encoder_ = FrameEncoder(self.spec).fit(X)
        matrix = self.encoder_.transform(X)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        train, valid = _holdout(labels, self.validation_fraction, seed)
        self.booster_ = self._train(matrix, labels, train, valid, seed)
        self.n_boosted_rows_ = len(train)
        self.best_iteration_ = int(self.booster_.best_iteration or self.booster_.current_iteration())
        self.calibrator_ = None
        if valid is not None and self.calibration is not None:
            margin = self._margin(matrix[valid])
            self.calibrator_ = _fit_calibrator(self.calibration, margin, labels[valid])
        self.reasons_ = ReasonTable(self.encoder_.feature_names_)
        return self

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Calibrated ``[1 - pd, pd]`` per row."""
        pd_ = self._pd_from_margin(self._margin(self._matrix(X)))
        return np.column_stack([1.0 - pd_, pd_])

    def raw_margin(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """The booster's raw score (log-odds before calibration) per row."""
        return self._margin(self._matrix(X))

    def pd_from_margin(self, margin: np.ndarray) -> np.ndarray:
        """The calibrated PDs of rows whose ``raw_margin`` is ``margin`` (``predict_pd`` without predicting again)."""
        check_is_fitted(self, "booster_")
        return self._pd_from_margin(np.asarray(margin, dtype=float))

    def recalibrate(self, calibrator: LogisticRegression) -> LightGBMPD:
        """Replace the held-out slice's calibration by a Platt map fitted elsewhere (``fit_platt``): the training job
        fits one on the out-of-fold, out-of-time margins of its cross-validation, many more rows than the slice."""
        check_is_fitted(self, "booster_")
        if not isinstance(calibrator, LogisticRegression) or calibrator.coef_.shape != (1, 1):
            raise ValueError("recalibrate takes a one-feature LogisticRegression on the raw margin (fit_platt)")
        if calibrator.coef_[0, 0] <= 0:
            raise ValueError("a calibration of the margin must be increasing (positive slope)")
        self.calibrator_ = calibrator
        return self

    def raw_contributions(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """TreeSHAP contributions to the raw margin: one column per feature (``feature_names_in_``) plus the bias."""
        matrix = self._matrix(X)
        return self.booster_.predict(
            matrix, pred_contrib=True, num_iteration=self.best_iteration_, num_threads=self._threads(len(matrix))
        )

    def reason_codes(self, frame: pd.DataFrame | np.ndarray, top_n: int = 4) -> list[list[str]]:
        """Per row, up to ``top_n`` business reasons whose features pushed the PD up, most adverse first."""
        return self.reasons_.top(self.raw_contributions(frame)[:, :-1], top_n)

    def _scored(self, matrix: np.ndarray, top_n: int) -> tuple[np.ndarray, list[list[str]]]:
        threads = self._threads(len(matrix))
        pd_ = self._pd_from_margin(self._margin(matrix))
        contributions = self.booster_.predict(
            matrix, pred_contrib=True, num_iteration=self.best_iteration_, num_threads=threads
        )
        return pd_, self.reasons_.top(contributions[:, :-1], top_n)

    def _threads(self, n_rows: int) -> int:
        if n_rows <= _SMALL_BATCH:
            return 1
        return 0 if self.n_jobs is None or self.n_jobs < 0 else self.n_jobs

    def _margin(self, matrix: np.ndarray) -> np.ndarray:
        return self.booster_.predict(
            matrix, raw_score=True, num_iteration=self.best_iteration_, num_threads=self._threads(len(matrix))
        )

    def _pd_from_margin(self, margin: np.ndarray) -> np.ndarray:
        if self.calibrator_ is None:
            return _floored(expit(margin))
        if isinstance(self.calibrator_, IsotonicRegression):
            # IsotonicRegression.predict is this interpolation (clipped at the ends) behind per-call input checks.
            iso = self.calibrator_
            levels = _floored(np.interp(margin, iso.X_thresholds_, iso.y_thresholds_))
            return levels + _TIE_BREAK * expit(margin)
        # Platt: LogisticRegression.predict_proba's own arithmetic on one feature, expit(margin @ coef_.T +
        # intercept_), without its per-call input checks (a fifth of a one-application request).
        sigmoid = self.calibrator_
        scores = (margin[:, None] @ sigmoid.coef_.T + sigmoid.intercept_).ravel()
        return _floored(expit(scores))

    def _train(self, matrix: np.ndarray, labels: np.ndarray, train: np.ndarray, valid: np.ndarray | None, seed: int):
        params = self._lgb_params(seed, matrix.shape[1])
        if self.n_jobs is None and len(labels) < _ONE_THREAD_ROWS:
            params["num_threads"] = 1
        categorical = self.encoder_.categorical_indices_ or "auto"
        train_set = lgb.Dataset(matrix[train], labels[train], categorical_feature=categorical, params=params)
        if valid is None or self.early_stopping_rounds is None:
            return lgb.train(params, train_set, num_boost_round=self.n_estimators)
        valid_set = lgb.Dataset(matrix[valid], labels[valid], reference=train_set)
        stop = lgb.early_stopping(self.early_stopping_rounds, first_metric_only=True, verbose=False)
        return lgb.train(params, train_set, num_boost_round=self.n_estimators, valid_sets=[valid_set], callbacks=[stop])

    def _lgb_params(self, seed: int, n_columns: int) -> dict:
        features = self.spec.features if self.spec is not None else ()
        bynode = self.feature_fraction_bynode
        if bynode == "sqrt":
            bynode = max(1, int(np.sqrt(n_columns))) / n_columns
        params = {
            "objective": "binary",
            "metric": "binary_logloss",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "lambda_l2": self.reg_lambda,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1 if self.bagging_fraction < 1 else 0,
            "max_bin": self.max_bin,
            "seed": seed,
            "num_threads": 0 if self.n_jobs is None or self.n_jobs < 0 else self.n_jobs,
            "verbosity": -1,
        }
        if self.boosting != "gbdt" or bynode != 1.0 or self.max_cat_to_onehot != 4:  # LightGBM's own defaults
            params |= {"boosting": self.boosting, "feature_fraction_bynode": bynode,
                       "max_cat_to_onehot": self.max_cat_to_onehot}  # fmt: skip
        signs = [feature.monotone_sign for feature in features]
        if any(signs):
            params |= {"monotone_constraints": signs, "monotone_constraints_method": "advanced"}
        return params


def _floored(pd_: np.ndarray) -> np.ndarray:
    """PDs kept within [PD_FLOOR, 1 - PD_FLOOR] (``np.clip``'s arithmetic, without its Python-level wrapper)."""
    return np.minimum(np.maximum(pd_, PD_FLOOR), 1.0 - PD_FLOOR)


def _holdout(labels: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Stratified (train, held-out) row indices; no hold-out when it is off or a class is too rare to split."""
    rows = np.arange(len(labels))
    n_valid = int(np.ceil(fraction * len(labels)))
    if fraction == 0 or n_valid < 2 or len(labels) - n_valid < 2 or np.bincount(labels, minlength=2).min() < 2:
        return rows, None
    train, valid = train_test_split(rows, test_size=n_valid, stratify=labels, random_state=seed)
    return np.sort(train), np.sort(valid)


def fit_platt(margin: np.ndarray, labels: np.ndarray) -> LogisticRegression | None:
    """Platt scaling of raw margins: ``pd = expit(a + b * margin)``; None unless both classes and ``b > 0``."""
    if np.unique(labels).size < 2:
        warnings.warn("held-out rows hold one class only: sigmoid calibration skipped", stacklevel=3)
        return None
    sigmoid = LogisticRegression(C=1e6).fit(np.asarray(margin, dtype=float)[:, None], labels)
    if sigmoid.coef_[0, 0] <= 0:
        warnings.warn("sigmoid calibration slope is not positive: calibration skipped", stacklevel=3)
        return None
    return sigmoid


def _fit_calibrator(
    method: str, margin: np.ndarray, labels: np.ndarray
) -> IsotonicRegression | LogisticRegression | None:
    if method == "isotonic":
        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(margin, labels)
    return fit_platt(margin, labels)
