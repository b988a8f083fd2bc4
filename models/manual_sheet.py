"""The incumbent: the 100-point household rating sheet of rural credit cooperatives (DOMAIN.md §5, Dingcheng, Hunan).

Every model must beat this sheet on the same households, so it is an estimator like the others. The items and their
maxima are the sheet's; where the paper says "vs local average" the local average is the county median learned in
``fit`` (the overall median for a county not seen there), on this step scale::

    value >= 1.5 x median  full marks      value >= 0.5 x median  40 %
    value >= 1.0 x median  75 %            otherwise (>= 0)       10 %   (negative net assets: 0)

Share capital (max 4): none 0, any 1, >= 2,000 yuan 2, >= 5,000 3, >= 10,000 4. Repayment record (max 10): no prior
overdue 10, one 7, two 4, three or more 0; a credit record on "watch" caps it at 5, "adverse" at 0. Points are
fractional where a percentage of an odd maximum falls between integers.

The points are the sheet's ranking; ``predict_proba`` adds a one-variable logistic regression of default on points,
fitted in ``fit``, so the sheet yields a PD for Brier and calibration comparisons. Reasons are the items scoring below
their maximum, mapped to the same business reasons as the models'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from credit_engine.features import FeatureSpec
from models._common import PDClassifierMixin, ReasonTable, check_binary, spec_labels

REQUIRED_COLUMNS = (
    "county_code",
    "household_size",
    "labor_count",
    "total_assets",
    "total_liabilities",
    "coop_share_capital",
    "annual_net_income",
    "village_evaluation",
    "prior_overdue_times",
    "credit_record",
)
ITEM_MAX = {
    "household_size": 8.0,
    "workers": 8.0,
    "total_assets": 13.0,
    "net_assets": 13.0,
    "share_capital": 4.0,
    "net_income": 14.0,
    "village_evaluation": 30.0,
    "repayment_record": 10.0,
}
RELATIVE_STEPS = ((1.5, 1.0), (1.0, 0.75), (0.5, 0.40), (0.0, 0.10))
SHARE_CAPITAL_STEPS = ((10_000.0, 4.0), (5_000.0, 3.0), (2_000.0, 2.0), (0.01, 1.0))
VILLAGE_POINTS = {"excellent": 30.0, "good": 25.0, "fair": 15.0, "poor": 0.0}
OVERDUE_POINTS = (10.0, 7.0, 4.0)  # 0, 1, 2 prior overdues; three or more: 0
RECORD_CAP = {"watch": 5.0, "adverse": 0.0}
_LOCAL = ("total_assets", "net_assets", "annual_net_income")
# The feature each shortfall speaks through (credit_engine.reasons): net assets lost to debts read as R02, else R03.
_REASON_FEATURES = [
    "household_size",
    "labor_count",
    "total_assets",
    "total_liabilities",
    "coop_share_capital",
    "annual_net_income",
    "village_evaluation",
    "prior_overdue_times",
    "credit_record",
]


class ManualSheet(PDClassifierMixin, BaseEstimator):
    """The manual 100-point sheet on household columns, with a logistic PD on its points.

    Parameters
    ----------
    spec : FeatureSpec or None, default=None
        Only names the label: with a spec, ``fit(frame)`` reads ``spec.target``. The sheet's items are fixed
        household columns whatever the spec.

    Attributes
    ----------
    county_medians_ : pandas.DataFrame
        Per county (index, as text), the median total assets, net assets and annual net income.
    overall_medians_ : pandas.Series
        The same medians over all households (for a county not seen in ``fit``).
    calibration_ : LogisticRegression
        Default on points.
    classes_ : ndarray of shape (2,)
        ``[0, 1]`` (1 = default).
    """

    _parameter_constraints: dict = {"spec": [FeatureSpec, None]}

    def __init__(self, spec: FeatureSpec | None = None) -> None:
        self.spec = spec

    def fit(self, X: pd.DataFrame, y: object = None) -> ManualSheet:
        """Learn county medians from ``X`` and the logistic link of default on points."""
        self._validate_params()
        _check_columns(X)
        if y is None and self.spec is None:
            raise ValueError("the manual sheet needs labels: pass y, or a spec naming the target column")
        labels = spec_labels(X, y, self.spec) if self.spec is not None else _labels(y, len(X))
        check_binary(labels)
        money = _money(X)
        self.county_medians_ = money.groupby(_county(X).to_numpy()).median()
        self.overall_medians_ = money.median()
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = len(REQUIRED_COLUMNS)
        self.feature_names_in_ = np.asarray(REQUIRED_COLUMNS, dtype=object)
        self.reasons_ = ReasonTable(_REASON_FEATURES)
        points = self.score_points(X)
        self.calibration_ = LogisticRegression(C=1e4).fit(points[:, None], labels)
        return self

    def sheet(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The points of each item per row (columns as ``ITEM_MAX``)."""
        check_is_fitted(self)
        _check_columns(frame)
        ratios = _money(frame) / self._local_medians(frame)
        items = {
            "household_size": _steps(frame["household_size"], ((3, 8.0), (2, 7.0)), 5.0),
            "workers": _steps(frame["labor_count"], ((3, 8.0), (2, 7.0), (1, 3.0)), 0.0),
            "total_assets": _relative(ratios["total_assets"], ITEM_MAX["total_assets"]),
            "net_assets": _relative(ratios["net_assets"], ITEM_MAX["net_assets"]),
            "share_capital": _steps(frame["coop_share_capital"], SHARE_CAPITAL_STEPS, 0.0),
            "net_income": _relative(ratios["annual_net_income"], ITEM_MAX["net_income"]),
            "village_evaluation": _lookup(frame["village_evaluation"], VILLAGE_POINTS, 0.0),
            "repayment_record": np.minimum(_overdue_points(frame), _record_cap(frame)),
        }
        return pd.DataFrame(items, index=frame.index)

    def score_points(self, frame: pd.DataFrame) -> np.ndarray:
        """Total points per row, 0–100 (more points, safer household)."""
        return self.sheet(frame).sum(axis=1).to_numpy(dtype=np.float64)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """``[1 - pd, pd]`` per row from the logistic regression of default on points."""
        check_is_fitted(self)
        return self.calibration_.predict_proba(self.score_points(frame)[:, None])

    def reason_codes(self, frame: pd.DataFrame, top_n: int = 4) -> list[list[str]]:
        """Per row, up to ``top_n`` reasons for the items that lost the most points."""
        sheet = self.sheet(frame)
        lost = pd.Series(ITEM_MAX) - sheet
        overdue = OVERDUE_POINTS[0] - _overdue_points(frame)
        debts = frame["total_liabilities"].to_numpy(dtype=np.float64) > 0
        shortfall = np.column_stack(
            [
                lost["household_size"],
                lost["workers"],
                lost["total_assets"] + np.where(debts, 0.0, lost["net_assets"]),
                np.where(debts, lost["net_assets"], 0.0),
                lost["share_capital"],
                lost["net_income"],
                lost["village_evaluation"],
                overdue,
                lost["repayment_record"] - overdue,
            ]
        )
        return self.reasons_.top(shortfall, top_n)

    def pd_and_reasons(self, frame: pd.DataFrame, top_n: int = 4) -> tuple[np.ndarray, list[list[str]]]:
        """``predict_pd`` and ``reason_codes`` of the same rows."""
        return self.predict_pd(frame), self.reason_codes(frame, top_n)

    def score_record(self, record: Mapping[str, Any], top_n: int = 4) -> tuple[float, list[str]]:
        """PD and reasons of one application, through a one-row frame (the sheet is the baseline, never served)."""
        pds, reasons = self.pd_and_reasons(pd.DataFrame([record]), top_n)
        return float(pds[0]), reasons[0]

    def _local_medians(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Each row's county medians (the overall ones for an unseen county)."""
        positions = self.county_medians_.index.get_indexer(_county(frame).to_numpy())
        table = np.vstack([self.county_medians_.to_numpy(), self.overall_medians_.to_numpy()[None, :]])
        medians = table[np.where(positions < 0, len(table) - 1, positions)]
        return pd.DataFrame(np.maximum(medians, 1.0), columns=list(_LOCAL), index=frame.index)


def _check_columns(frame: object) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"the manual sheet reads a pandas DataFrame of households, got {type(frame).__name__}")
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(f"the manual 100-point sheet needs household columns that are missing: {', '.join(missing)}")


def _labels(y: object, n_rows: int) -> np.ndarray:
    values = np.asarray(y)
    if values.shape != (n_rows,):
        raise ValueError(f"y must be one 0/1 label per row: {n_rows} rows, y of shape {values.shape}")
    return values.astype(np.int64)


def _county(frame: pd.DataFrame) -> pd.Series:
    return frame["county_code"].astype("str")


def _money(frame: pd.DataFrame) -> pd.DataFrame:
    assets = frame["total_assets"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "total_assets": assets,
            "net_assets": assets - frame["total_liabilities"].to_numpy(dtype=np.float64),
            "annual_net_income": frame["annual_net_income"].to_numpy(dtype=np.float64),
        },
        index=frame.index,
    )


def _steps(column: pd.Series, steps: tuple[tuple[float, float], ...], otherwise: float) -> np.ndarray:
    """Points of the first step whose threshold the value reaches (steps from the highest threshold down)."""
    values = column.to_numpy(dtype=np.float64)
    return np.select([values >= threshold for threshold, _ in steps], [points for _, points in steps], otherwise)


def _relative(ratio: pd.Series, maximum: float) -> np.ndarray:
    fractions = _steps(ratio, RELATIVE_STEPS, 0.0)
    return fractions * maximum


def _lookup(column: pd.Series, points: dict[str, float], otherwise: float) -> np.ndarray:
    return column.astype("str").map(points).fillna(otherwise).to_numpy(dtype=np.float64)


def _overdue_points(frame: pd.DataFrame) -> np.ndarray:
    overdue = frame["prior_overdue_times"].to_numpy(dtype=np.float64)
    steps = [(overdue <= times) for times in range(len(OVERDUE_POINTS))]
    return np.select(steps, list(OVERDUE_POINTS), 0.0)


def _record_cap(frame: pd.DataFrame) -> np.ndarray:
    return _lookup(frame["credit_record"], RECORD_CAP, OVERDUE_POINTS[0])
