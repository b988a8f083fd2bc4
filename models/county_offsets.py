"""A fitted PD model recalibrated by county on recent loans it never saw (模型分县校准, issue 12).

When a county's risk moves after a model was trained — a drought in a third of the counties — the model keeps
ranking households within the county but under-predicts the county as a whole, and more training rows of the old
years do not teach it otherwise. The remedy here is the smallest one that the data can carry: one log-odds offset per
county, ``logit(pd') = logit(pd) + offset[county]``, learnt on the most recent matured loans the model was not
trained on, by maximum likelihood with a normal prior ``offset ~ N(0, prior_sd²)`` (a county with few loans or few
defaults stays near 0: 3 defaults in 40 loans move it little). With ``direction="raise"`` (the shipped retraining
policy's) an offset below 0 is not applied: a county whose recent loans defaulted less than predicted keeps the
model's PDs — a margin of conservatism, since lowering a county's PDs on a few months' good luck lends more on noise
(measured in the drought simulation: the lowered counties' PDs fell below what their later applicants realised,
bench/RESULTS.md). A county without such loans keeps offset 0. The offset moves every PD of the county by the
same odds ratio, so within a county the ranks, the grades' order and the model's own reasons stay the model's.

The wrapper is a scorer (:class:`credit_engine.scoring.Scorer`) like every family: ``predict_pd``,
``pd_and_reasons`` and the one-record ``score_record`` apply the same element-wise arithmetic, so one record and a
table give the same bits. Where the offset raises the county's odds by at least ``reason_min_offset`` (log-odds), the
reason :data:`COUNTY_REASON` (本县近期违约高于模型预测) is listed first, before the model's own reasons (top ``top_n``
in all): it is the adjustment made on top of every feature's.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from models.calibration import pd_logit
from models.lgbm import _floored

COUNTY_COLUMN = "county_code"
COUNTY_REASON = "R27"
_NEWTON_STEPS = 50
_NEWTON_TOLERANCE = 1e-10


def fit_offset(logits: np.ndarray, labels: np.ndarray, prior_sd: float) -> float:
    """The maximum a-posteriori log-odds offset of one group: maximises ``sum(y log p + (1-y) log(1-p)) -
    offset² / (2 prior_sd²)`` with ``p = expit(logit + offset)``; Newton's method on a strictly concave function."""
    offset, precision = 0.0, 1.0 / prior_sd**2
    for _ in range(_NEWTON_STEPS):
        p = expit(logits + offset)
        gradient = float(np.sum(labels - p)) - offset * precision
        curvature = float(np.sum(p * (1.0 - p))) + precision
        step = gradient / curvature
        offset += step
        if abs(step) < _NEWTON_TOLERANCE:
            break
    return offset


class CountyRecalibratedPD(ClassifierMixin, BaseEstimator):
    """A fitted PD model with one log-odds offset per county, learnt on loans the model did not see.

    Parameters
    ----------
    base : fitted estimator
        The model (a scorer: ``predict_pd``, ``pd_and_reasons``, ``score_record``); never refitted.
    prior_sd : float, default=0.5
        Standard deviation of the offsets' normal prior (log-odds).
    reason_min_offset : float, default=0.4
        A county whose offset is at least this gets :data:`COUNTY_REASON` first among the reasons.
    direction : {"raise", "both"}, default="raise"
        ``"raise"``: a fitted offset below 0 is applied as 0; ``"both"``: every fitted offset is applied.
    column : str, default="county_code"
        The column (record field) naming the county.

    Attributes
    ----------
    offsets_ : dict of str to float
        County → the log-odds offset applied (counties absent from the fit rows: 0).
    evidence_ : list of dict
        Per county: loans, bads, the model's mean PD, the realised default rate, the fitted and the applied offset,
        the mean recalibrated PD.
    """

    _parameter_constraints: dict = {
        "base": "no_validation",
        "prior_sd": [Interval(Real, 0, None, closed="neither")],
        "reason_min_offset": [Interval(Real, 0, None, closed="neither")],
        "column": [str],
        "direction": [StrOptions({"raise", "both"})],
    }

    def __init__(
        self,
        base: Any = None,
        prior_sd: float = 0.5,
        reason_min_offset: float = 0.4,
        column: str = COUNTY_COLUMN,
        direction: str = "raise",
    ) -> None:
        self.base = base
        self.prior_sd = prior_sd
        self.reason_min_offset = reason_min_offset
        self.column = column
        self.direction = direction

    def fit(self, X: pd.DataFrame, y: object) -> CountyRecalibratedPD:
        """Learn each county's offset from the base model's PDs of ``X`` and the 0/1 outcomes ``y``."""
        self._validate_params()
        labels = np.asarray(y, dtype=np.int64)
        if labels.ndim != 1 or len(labels) != len(X) or not set(np.unique(labels).tolist()) <= {0, 1}:
            raise ValueError(f"y must be one 0/1 outcome per row: {len(X)} rows, y of shape {labels.shape}")
        counties = self._counties(X)
        base_pd = np.asarray(self.base.predict_pd(X), dtype=np.float64)
        logits = pd_logit(base_pd)
        self.offsets_, self.evidence_ = {}, []
        for county in sorted(set(counties.tolist())):
            rows = counties == county
            fitted = fit_offset(logits[rows], labels[rows], float(self.prior_sd))
            offset = max(fitted, 0.0) if self.direction == "raise" else fitted
            self.offsets_[county] = offset
            self.evidence_.append({
                "county_code": county, "loans": int(rows.sum()), "bads": int(labels[rows].sum()),
                "model_mean_pd": float(base_pd[rows].mean()), "realised_default_rate": float(labels[rows].mean()),
                "fitted_offset": fitted, "offset": offset, "odds_ratio": float(np.exp(offset)),
                "recalibrated_mean_pd": float(_floored(expit(logits[rows] + offset)).mean()),
            })  # fmt: skip
        self.classes_ = np.array([0, 1])
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.base, name):
                setattr(self, name, getattr(self.base, name))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """``[1 - pd, pd]`` per row, the base model's PDs moved by their county's offset."""
        pd_ = self.predict_pd(X)
        return np.column_stack([1.0 - pd_, pd_])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[(self.predict_pd(X) >= 0.5).astype(np.int64)]

    def predict_pd(self, frame: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "offsets_")
        return self._moved(np.asarray(self.base.predict_pd(frame), dtype=np.float64), self._offsets(frame))

    def pd_and_reasons(self, frame: pd.DataFrame, top_n: int = 4) -> tuple[np.ndarray, list[list[str]]]:
        check_is_fitted(self, "offsets_")
        pds, reasons = self.base.pd_and_reasons(frame, top_n)
        offsets = self._offsets(frame)
        return self._moved(np.asarray(pds, dtype=np.float64), offsets), self._reasons(reasons, offsets, top_n)

    def reason_codes(self, frame: pd.DataFrame, top_n: int = 4) -> list[list[str]]:
        return self.pd_and_reasons(frame, top_n)[1]

    def score_record(self, record: Mapping[str, Any], top_n: int = 4) -> tuple[float, list[str]]:
        """One validated application: the same arithmetic as ``pd_and_reasons`` on a one-row table."""
        check_is_fitted(self, "offsets_")
        pd_, reasons = self.base.score_record(record, top_n)
        offsets = np.array([self.offsets_.get(str(record.get(self.column)), 0.0)])
        moved = self._moved(np.array([pd_], dtype=np.float64), offsets)
        return float(moved[0]), self._reasons([reasons], offsets, top_n)[0]

    def _counties(self, frame: pd.DataFrame) -> np.ndarray:
        if not isinstance(frame, pd.DataFrame) or self.column not in frame.columns:
            raise ValueError(f"a county-recalibrated model needs the column {self.column!r} in its rows")
        return frame[self.column].astype(str).to_numpy()

    def _offsets(self, frame: pd.DataFrame) -> np.ndarray:
        return np.array([self.offsets_.get(county, 0.0) for county in self._counties(frame)], dtype=np.float64)

    @staticmethod
    def _moved(pds: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        # Element-wise: one row and a batch get the same bits. An offset of 0 leaves the PD as the model gave it.
        moved = _floored(expit(pd_logit(pds) + offsets))
        return np.where(offsets == 0.0, pds, moved)

    def _reasons(self, reasons: list[list[str]], offsets: np.ndarray, top_n: int) -> list[list[str]]:
        flagged = offsets >= self.reason_min_offset
        out = []
        for row, flag in zip(reasons, flagged, strict=True):
            out.append(([COUNTY_REASON, *row] if flag else list(row))[:top_n])
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
