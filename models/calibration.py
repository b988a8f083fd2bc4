"""Calibration maps of a fitted model's PDs, learnt on out-of-fold predictions (issue 13).

A model fitted on a few hundred loans is over-confident: its weights of evidence and coefficients were chosen on the
rows it is judged by, so its PDs are spread too far (too high for the riskiest, too low for the rest). The cure is
Platt's: a logistic regression of the labels on the logit of PDs the model gave to rows it had not seen (out-of-fold
PDs), ``pd' = expit(intercept + slope * logit(pd))``. The map is increasing, so it keeps every rank (AUC, grades'
order, reasons) and changes only the level and the spread of the PDs.

For the WOE scorecard, whose ``logit(pd) = (offset - points) / factor``, the map is the same formula with another
offset and factor (:func:`calibrated_scaling`): the card's points stay as printed, and a reader turns them into a PD
with the calibrated offset and factor exactly as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import logit
from sklearn.linear_model import LogisticRegression

from models.lgbm import fit_platt

# Out-of-fold PDs at 0 or 1 have no logit; a scorecard's PDs never come that close, LightGBM's are floored above it.
_PD_CLIP = 1e-12


def pd_logit(pd_: np.ndarray) -> np.ndarray:
    """The logit of PDs, clipped away from 0 and 1."""
    return logit(np.clip(np.asarray(pd_, dtype=np.float64), _PD_CLIP, 1.0 - _PD_CLIP))


def fit_pd_platt(pd_: np.ndarray, labels: np.ndarray) -> LogisticRegression | None:
    """Platt's map of out-of-fold PDs: ``labels ~ intercept + slope * logit(pd)``; None without both classes or with
    a slope that is not positive (a map that would reverse the ranks; ``fit_platt`` warns)."""
    return fit_platt(pd_logit(pd_), np.asarray(labels))


def platt_terms(calibrator: Any) -> tuple[float, float]:
    """``(slope, intercept)`` of a one-feature Platt map; ``ValueError`` unless it is one, with a positive slope."""
    if not isinstance(calibrator, LogisticRegression) or getattr(calibrator, "coef_", np.empty(0)).shape != (1, 1):
        raise ValueError("a calibration map is a one-feature LogisticRegression on the logit (fit_pd_platt)")
    slope, intercept = float(calibrator.coef_[0, 0]), float(calibrator.intercept_[0])
    if not slope > 0:
        raise ValueError(f"a calibration map must be increasing (positive slope), got {slope}")
    return slope, intercept


def calibrated_scaling(offset: float, factor: float, calibrator: Any | None) -> tuple[float, float]:
    """``(offset, factor)`` of ``logit(pd) = (offset - points) / factor`` after the map: ``intercept + slope *
    (offset - points) / factor`` is ``(offset' - points) / factor'`` with ``factor' = factor / slope`` and ``offset'
    = offset + intercept * factor'``. Without a map, the scaling as given."""
    if calibrator is None:
        return offset, factor
    slope, intercept = platt_terms(calibrator)
    calibrated_factor = factor / slope
    return offset + intercept * calibrated_factor, calibrated_factor


def describe(calibrator: Any | None, method: str, n_rows: int) -> dict[str, Any] | None:
    """A map as the training report and the card print it (None without one)."""
    if calibrator is None:
        return None
    slope, intercept = platt_terms(calibrator)
    return {"method": method, "n_rows": int(n_rows), "slope": slope, "intercept": intercept}
