"""The WOE logistic scorecard: optbinning's monotonic binning and ``Scorecard``, points scaled by PDO and odds.

Each feature is binned by optbinning's ``BinningProcess`` (the event rate made monotone in the direction the spec
declares: PD increasing → "ascending", decreasing → "descending", otherwise optbinning's "auto" trend: monotone,
peak or valley, whichever its heuristic finds in the data), the
weights of evidence feed a logistic regression, and optbinning's ``Scorecard`` scales the coefficients to points:
``base_points`` at good:bad odds of ``base_odds``, ``pdo`` more points for doubled odds. optbinning's WoE is
ln(%non-events / %events), so its unreversed scaling already gives *more points to safer households*, as bankers
read a card. Total points and PD are two views of one number: ``logit(pd) = (offset - points) / factor``.

A training set above ``max_fit_rows`` is binned and fitted on a stratified subsample: bin edges and a few dozen
coefficients are settled long before a million rows, while the binning time grows with the rows (on the 200k
registry's holdout a card fitted on 100,000 of the 160,000 training rows scored AUC 0.8786 against 0.8781 on all of
them; the cap stays above ``AUTO_C_MAX_ROWS``, so a capped fit keeps C = 1).

On a small book the training job maps the card's PDs through a Platt map learnt on out-of-fold PDs
(:meth:`WOEScorecard.recalibrate`, :mod:`models.calibration`): the points stay as printed, and PD is read from them
with a calibrated offset and factor (``_scaling``), so points, reasons, PD and the exported card still tell one story.

Cards that differ only in their logistic regression can share one binning: ``fit_binning`` bins once and returns a
``SharedBinning``; a card given it as ``binning`` keeps those bins and fits only its regression and points on its own
rows (the cross-validation bins once on the rows every fold trains on, and refits the regression fold by fold).

Reasons are the points a household lost on each feature against the best bin it could have reached, summed by
business reason (toad's idea: the reasons are part of the card). The card exports to JSON and CSV that a county
bank or a regulator reads without Python.
"""

from __future__ import annotations

import json
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
from optbinning import BinningProcess, Scorecard
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from credit_engine.features import FeatureSpec
from credit_engine.reasons import reason_for_feature
from models._common import PDClassifierMixin, ReasonTable, default_missing_params, one_blas_thread
from models.calibration import calibrated_scaling, describe
from models.encoding import FrameEncoder, category_values, feature_columns, numeric_values

_TRENDS = {"increasing": "ascending", "decreasing": "descending", None: "auto"}
AUTO_CS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
AUTO_C_MAX_ROWS = 50_000
_CARD_COLUMNS = ["feature", "bin_id", "bin", "count", "event_rate", "woe", "points"]


class WOEScorecard(PDClassifierMixin, BaseEstimator):
    """Points scorecard on monotonic WOE bins with a logistic regression (optbinning ``Scorecard``).

    Parameters
    ----------
    spec : FeatureSpec or None, default=None
        Feature definitions (columns, categorical features, monotone directions, label). ``None``: ``X`` is a numeric
        matrix, columns named ``x0, x1, ...`` on the card.
    pdo : float, default=20
        Points to double the good:bad odds.
    base_odds : float, default=50
        Good:bad odds at ``base_points``.
    base_points : float, default=600
        Total points at ``base_odds``.
    max_n_bins : int, default=8
        Maximum bins per feature.
    min_bin_size : float, default=0.03
        Minimum share of rows in a bin.
    C : float or "auto", default="auto"
        Inverse L2 regularisation of the logistic regression. ``"auto"`` chooses it by 5-fold cross-validated log
        loss among ``AUTO_CS`` when the fit sample has at most ``AUTO_C_MAX_ROWS`` rows (small portfolios, where
        regularisation matters), and uses 1.0 above that (where it does not, and 30 extra fits would cost minutes).
    max_fit_rows : int or None, default=100_000
        Above this many rows, bin and fit on a stratified subsample of this size; ``None`` always uses every row.
    binning : SharedBinning or None, default=None
        Bins fitted beforehand by ``fit_binning`` (of a card with the same spec and binning parameters): ``fit`` keeps
        them and fits only the logistic regression and the points. ``None``: ``fit`` bins its own rows.
    random_state : int, RandomState instance or None, default=0
        Seeds the subsample.

    Attributes
    ----------
    scorecard_ : optbinning.Scorecard
        The fitted optbinning scorecard (binning process and logistic regression).
    points_ : list of ndarray
        Per feature, the points of each row of its card (regular bins, then Special, then Missing).
    best_points_ : ndarray
        Per feature, the most points a household can reach (over bins seen in training).
    calibrator_ : LogisticRegression or None
        The Platt map of the card's PDs set by :meth:`recalibrate` (None: PD straight from the PDO scaling; a card
        pickled before issue 13 has no such attribute and reads as None).
    classes_, n_features_in_, feature_names_in_
        As for any scikit-learn classifier (with a spec: classes ``[0, 1]`` and the spec's features).
    """

    _parameter_constraints: dict = {
        "spec": [FeatureSpec, None],
        "pdo": [Interval(Real, 0, None, closed="neither")],
        "base_odds": [Interval(Real, 0, None, closed="neither")],
        "base_points": [Interval(Real, 0, None, closed="neither")],
        "max_n_bins": [Interval(Integral, 2, None, closed="left")],
        "min_bin_size": [Interval(Real, 0, 0.5, closed="right")],
        "C": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "max_fit_rows": [Interval(Integral, 100, None, closed="left"), None],
        "random_state": ["random_state"],
        "binning": [BinningProcess, None],
    }

    def __init__(
        self,
        spec: FeatureSpec | None = None,
        pdo: float = 20,
        base_odds: float = 50,
        base_points: float = 600,
        max_n_bins: int = 8,
        min_bin_size: float = 0.03,
        C: float | str = "auto",
        max_fit_rows: int | None = 100_000,
        random_state: int | np.random.RandomState | None = 0,
        binning: SharedBinning | None = None,
    ) -> None:
        self.spec = spec
        self.pdo = pdo
        self.base_odds = base_odds
        self.base_points = base_points
        self.max_n_bins = max_n_bins
        self.min_bin_size = min_bin_size
        self.C = C
        self.max_fit_rows = max_fit_rows
        self.random_state = random_state
        self.binning = binning

    def __setstate__(self, state: dict) -> None:
        """Unpickle; a card pickled before a constructor parameter existed (``binning``) reads it as its default, so
        ``get_params``, ``repr`` and ``sklearn.clone`` work on an older model."""
        super().__setstate__(state)
        default_missing_params(self)

    def fit(self, X: pd.DataFrame | np.ndarray, y: object = None) -> WOEScorecard:
        """Bin (unless ``binning`` is given), fit and scale on ``X``; with a spec, ``y`` defaults to the spec's target
        column of ``X``."""
        frame, labels = self._fit_frame(X, y)
        binning = self._binning_process() if self.binning is None else self._checked_binning()
        with one_blas_thread():
            self.scorecard_ = Scorecard(
                binning_process=binning,
                estimator=self._logistic_regression(len(labels)),
                scaling_method="pdo_odds",
                scaling_method_params={"pdo": self.pdo, "odds": self.base_odds, "scorecard_points": self.base_points},
            ).fit(frame, labels)
        table = self.scorecard_.table(style="detailed")
        by_feature = [table[table["Variable"] == name] for name in self.feature_names_]
        self.points_ = [part["Points"].to_numpy(dtype=np.float64) for part in by_feature]
        self.best_points_ = np.array([p["Points"][p["Count"] > 0].max() for p in by_feature])
        self.bins_ = [self._bin_lookup(name) for name in self.feature_names_]
        self.reasons_ = ReasonTable(self.feature_names_)
        self.calibrator_ = None  # a map learnt for an earlier fit does not belong to this one
        return self

    def recalibrate(self, calibrator: LogisticRegression, rows: int = 0) -> WOEScorecard:
        """Read PDs through ``calibrator``, a Platt map of the card's PDs on their logit learnt elsewhere
        (``models.calibration.fit_pd_platt`` on out-of-fold PDs: the training job's calibration on a small book;
        ``rows``: how many it was learnt on, for the card). The points and reasons are unchanged; the map is increasing,
        so every rank is kept: ``pd = expit(intercept + slope * (offset - points) / factor)``."""
        check_is_fitted(self, "scorecard_")
        calibrated_scaling(0.0, 1.0, calibrator)  # refuses anything but an increasing one-feature map
        self.calibrator_ = calibrator
        self.calibration_rows_ = int(rows)
        return self

    def fit_binning(self, X: pd.DataFrame | np.ndarray, y: object = None) -> SharedBinning:
        """The bins ``fit`` would find on ``X`` (the same subsample above ``max_fit_rows``), for other cards to reuse
        as their ``binning``; this card itself stays unfitted."""
        frame, labels = self._fit_frame(X, y)
        process = self._binning_process()
        with one_blas_thread():
            return SharedBinning(**process.get_params()).fit(frame, labels)

    def _fit_frame(self, X: pd.DataFrame | np.ndarray, y: object) -> tuple[pd.DataFrame, np.ndarray]:
        """The rows the card is fitted on (a stratified subsample above ``max_fit_rows``) as optbinning reads them,
        and their labels; fits the encoder on every row of ``X``."""
        self._validate_params()
        X, labels = self._fit_inputs(X, y)
        self.encoder_ = FrameEncoder(self.spec).fit(X)
        self.feature_names_ = list(self.encoder_.feature_names_)
        rows = _subsample(labels, self.max_fit_rows, self.random_state)
        return self._binning_frame(X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]), labels[rows]

    def _checked_binning(self) -> SharedBinning:
        if not isinstance(self.binning, SharedBinning):
            raise TypeError("binning must be a SharedBinning from fit_binning / 分箱须来自 fit_binning")
        if list(self.binning.variable_names) != self.feature_names_:
            raise ValueError(
                f"the shared binning covers {list(self.binning.variable_names)}, the card's features are "
                f"{self.feature_names_} / 共享分箱的特征与评分卡特征不一致"
            )
        return self.binning

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """``[1 - pd, pd]`` per row, from the total points."""
        pd_ = self._pd_from_points(self.score_points(X))
        return np.column_stack([1.0 - pd_, pd_])

    def score_points(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Total points per row (more points, safer household)."""
        return self.feature_points(X).sum(axis=1)

    def feature_points(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Points per row and feature, shape ``(n_rows, n_features)`` in ``feature_names_`` order."""
        return self._points(self._matrix(X))

    def bin_indices(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Per row and feature, the row of the feature's card the value scores (``transform(metric="indices")``).

        A missing value or a category the card does not list scores the last row, 'Missing' (neutral WoE 0).
        """
        matrix = self._matrix(X)
        return np.column_stack([self._bin_indices(j, matrix[:, j]) for j in range(len(self.points_))])

    def reason_codes(self, frame: pd.DataFrame | np.ndarray, top_n: int = 4) -> list[list[str]]:
        """Per row, up to ``top_n`` reasons with the largest points shortfall against the best bins."""
        shortfall = self.best_points_[None, :] - self.feature_points(frame)
        return self.reasons_.top(shortfall, top_n)

    def card(self) -> pd.DataFrame:
        """The readable card: one row per feature and bin, with count, event rate, WoE and points."""
        table = self.scorecard_.table(style="detailed")
        card = pd.DataFrame(
            {
                "feature": table["Variable"].to_numpy(),
                "bin_id": table["Bin id"].to_numpy(),
                "bin": [_bin_label(value) for value in table["Bin"]],
                "count": table["Count"].to_numpy(dtype=np.int64),
                "event_rate": table["Event rate"].to_numpy(dtype=np.float64),
                "woe": table["WoE"].to_numpy(dtype=np.float64),
                "points": table["Points"].to_numpy(dtype=np.float64),
            }
        )
        return card[_CARD_COLUMNS].reset_index(drop=True)

    def card_json(self) -> str:
        """The card as JSON: scaling, how to read it, and per feature its bins (edges or categories) and points."""
        offset, factor = self._scaling()
        card = self.card()
        document = {
            "family": "woe_scorecard",
            "scaling": {"pdo": self.pdo, "base_odds": self.base_odds, "base_points": self.base_points},
            "how_to_read": (
                "Total points = sum over features of the points of the bin the value falls in. A number v falls in "
                "the bin with lower <= v < upper (null: unbounded); a missing value or a category not listed scores "
                "the 'Missing' row. More points = safer. PD = 1 / (1 + exp((points - offset) / factor))."
            ),
            "offset": offset,
            "factor": factor,
            "calibration": self._calibration_json(),
            "features": [self._feature_json(name, card[card["feature"] == name]) for name in self.feature_names_],
        }
        return json.dumps(document, ensure_ascii=False, indent=2)

    def to_csv(self, path: str | Path) -> Path:
        """Write ``card()`` as CSV (UTF-8, points to 4 decimals) and return the path."""
        path = Path(path)
        self.card().to_csv(path, index=False, float_format="%.4f")
        return path

    def _points(self, matrix: np.ndarray) -> np.ndarray:
        return np.column_stack([points[self._bin_indices(j, matrix[:, j])] for j, points in enumerate(self.points_)])

    def _scored(self, matrix: np.ndarray, top_n: int) -> tuple[np.ndarray, list[list[str]]]:
        points = self._points(matrix)
        return self._pd_from_points(points.sum(axis=1)), self.reasons_.top(self.best_points_[None, :] - points, top_n)

    def _bin_lookup(self, name: str) -> np.ndarray:
        """Numeric feature: its bin edges. Categorical: the bin of each encoder code (-1: in no bin)."""
        optb = self.scorecard_.binning_process_.get_binned_variable(name)
        if optb.dtype != "categorical":
            return np.asarray(optb.splits, dtype=np.float64)
        bin_of = {str(value): i for i, values in enumerate(optb.splits) for value in values}
        return np.array([bin_of.get(category, -1) for category in self.encoder_.categories_[name]], dtype=np.intp)

    def _bin_indices(self, j: int, values: np.ndarray) -> np.ndarray:
        missing = np.isnan(values)
        lookup = self.bins_[j]
        if self.feature_names_[j] in self.encoder_.categories_:
            indices = lookup[np.where(missing, 0, values).astype(np.intp)] if len(lookup) else np.full(len(values), -1)
        else:
            indices = np.digitize(values, lookup, right=False)
        indices[missing] = len(self.points_[j]) - 1
        return indices

    def _scaling(self) -> tuple[float, float]:
        """``(offset, factor)`` of ``logit(pd) = (offset - points) / factor``: the PDO scaling, through the Platt map
        when the card has one (``recalibrate``)."""
        factor = self.pdo / np.log(2)
        offset = float(self.base_points - factor * np.log(self.base_odds))
        return calibrated_scaling(offset, float(factor), getattr(self, "calibrator_", None))

    def _calibration_json(self) -> dict | None:
        rows = getattr(self, "calibration_rows_", 0)
        calibration = describe(getattr(self, "calibrator_", None), "platt_on_out_of_fold_pd", rows)
        if calibration is not None:
            calibration["note"] = "offset and factor above include this map of the PDO scaling's PD"
        return calibration

    def _pd_from_points(self, points: np.ndarray) -> np.ndarray:
        offset, factor = self._scaling()
        return expit((offset - points) / factor)

    def _logistic_regression(self, n_rows: int) -> LogisticRegression | LogisticRegressionCV:
        if self.C != "auto":
            return LogisticRegression(C=self.C, max_iter=1000)
        if n_rows > AUTO_C_MAX_ROWS:
            return LogisticRegression(C=1.0, max_iter=1000)
        return LogisticRegressionCV(
            Cs=list(AUTO_CS), cv=5, scoring="neg_log_loss", max_iter=1000, l1_ratios=(0.0,), use_legacy_attributes=True
        )

    def _binning_process(self) -> BinningProcess:
        if self.spec is None:
            directions = dict.fromkeys(self.feature_names_)
        else:
            directions = {f.name: f.monotone for f in self.spec.features if f.type == "numeric"}
        trends = {name: {"monotonic_trend": _TRENDS[direction]} for name, direction in directions.items()}
        for feature in self.spec.features if self.spec is not None else ():
            if feature.bins is not None:  # the spec's expert constraints win over the card's own max_n_bins and size
                trends[feature.name] = trends.get(feature.name, {}) | feature.bins.binning_params()
        return BinningProcess(
            variable_names=list(self.feature_names_),
            categorical_variables=list(self.spec.categorical) if self.spec is not None else None,
            max_n_bins=self.max_n_bins,
            min_bin_size=self.min_bin_size,
            binning_fit_params=trends,
        )

    def _binning_frame(self, X: pd.DataFrame | np.ndarray) -> pd.DataFrame:
        """The features as optbinning reads them: numbers float64, categories strings (missing NaN)."""
        if self.spec is None:
            return pd.DataFrame(X, columns=self.feature_names_)
        columns = feature_columns(self.spec, X)
        values = {
            name: category_values(column)
            if name in self.encoder_.categories_
            else np.asarray(numeric_values(name, column), dtype=np.float64)
            for name, column in columns.items()
        }
        return pd.DataFrame(values, index=X.index)

    def _feature_json(self, name: str, rows: pd.DataFrame) -> dict:
        optb = self.scorecard_.binning_process_.get_binned_variable(name)
        bins = []
        for row in rows.itertuples(index=False):
            entry = {"bin": row.bin, "count": int(row.count), "event_rate": row.event_rate, "points": row.points}
            if row.bin not in ("Special", "Missing"):
                entry |= _bin_bounds(optb, int(row.bin_id))
            bins.append(entry)
        return {"feature": name, "reason": reason_for_feature(name), "type": optb.dtype, "bins": bins}


class SharedBinning(BinningProcess):
    """A fitted ``BinningProcess`` that several scorecards reuse. optbinning's ``Scorecard.fit`` clones its binning
    process and calls ``fit_transform``; this one clones to itself and only transforms, so a card given it keeps
    these bins and fits only its logistic regression (and the points) on its own rows."""

    def __sklearn_clone__(self) -> SharedBinning:
        return self

    @property
    def n_rows(self) -> int:
        """The rows the bins were fitted on."""
        return int(self._n_samples)

    def fit_transform(
        self,
        X: pd.DataFrame,
        y: object = None,
        sample_weight: object = None,
        metric: str | None = None,
        metric_special: float | str = 0,
        metric_missing: float | str = 0,
        show_digits: int = 2,
        check_input: bool = False,
    ) -> np.ndarray:
        return self.transform(
            X, metric=metric, metric_special=metric_special, metric_missing=metric_missing,
            show_digits=show_digits, check_input=check_input,
        )  # fmt: skip


def _bin_bounds(optb, position: int) -> dict:
    if optb.dtype == "categorical":
        return {"categories": [str(value) for value in optb.splits[position]]}
    edges = [None, *(float(edge) for edge in optb.splits), None]
    return {"lower": edges[position], "upper": edges[position + 1]}


def _bin_label(value: object) -> str:
    if isinstance(value, str):
        return value
    return ", ".join(str(item) for item in value)


def _subsample(labels: np.ndarray, max_rows: int | None, random_state: object) -> np.ndarray:
    """All rows, or a stratified sample of ``max_rows`` of them."""
    rows = np.arange(len(labels))
    if max_rows is None or len(labels) <= max_rows:
        return rows
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    sample, _ = train_test_split(rows, train_size=max_rows, stratify=labels, random_state=seed)
    return np.sort(sample)
