"""Recency weights of training rows and the rows a weighted fit draws.

The weight of a row is ``0.5 ** (age / half-life)``: its age is the years from its application date to the as-of
date (0 for a date after it), so a row one half-life old counts half as much as one of today. A learner gets the
weights by rejection sampling ("costing", Zadrozny, Langford and Abe 2003): row ``i`` is kept when a seeded uniform
draw falls below ``w_i / max(w)``. The kept rows are distributed as the weighted rows, each row appears at most
once (no copy of a row can sit on both sides of a cross-validation fold), and every family is fitted the same way
without an estimator of its own having to take weights.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25


def recency_weights(application_dates: pd.Series, as_of: dt.date, half_life_years: float) -> np.ndarray:
    """``0.5 ** (age in years / half_life_years)`` of each application date as of ``as_of`` (in (0, 1])."""
    dates = pd.to_datetime(application_dates)
    if dates.isna().any():
        raise ValueError("every training row needs an application date for its recency weight")
    age_days = (pd.Timestamp(as_of) - dates).dt.days.clip(lower=0).to_numpy(dtype=float)
    return np.power(0.5, age_days / DAYS_PER_YEAR / half_life_years)


def weighted_rows(weights: np.ndarray | pd.Series, seed: int) -> np.ndarray:
    """The positions of the rows kept under ``weights`` (each kept with probability ``w / max(w)``), in order."""
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return np.arange(0)
    if not np.isfinite(w).all() or (w < 0).any() or w.max() <= 0:
        raise ValueError("sample weights must be finite, non-negative and not all zero")
    draws = np.random.default_rng(seed).random(len(w))
    return np.flatnonzero(draws < w / w.max())
