"""Columns: the one shape every rating rule and derivation reads, for a whole table and for one application alike.

A rule is written once over *columns*: a mapping from a contract field's name to its values — a pandas DataFrame
(its Series), a dict of numpy arrays, or one validated application (a dict of plain values, as
:func:`~credit_engine.contract.record.validate_record` returns it). numpy's operators and functions (``minimum``,
``where``, ``floor``) work the same on a million values and on one, so the same expression rates a registry and the
application at the counter. On one application a rule computes with numpy scalars (0-d), which keeps a request's
rules at microseconds: an operation on a length-1 array costs several times more, and the API rates one application
per request. :func:`number` and :func:`is_in` are the two ways a rule reads a column: as float64 (missing is NaN)
and as membership of a set of codes (missing is never a member) — for numpy arrays, pandas columns (a Categorical is
compared by its few categories, cheap on a million rows) and single values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

Columns = Mapping[str, Any]
"""Field name → values: a DataFrame, a dict of numpy arrays, or one application (a dict of scalars)."""


def number(values: Any) -> Any:
    """The values as float64, missing as NaN: an array for a column, a numpy scalar for one value."""
    if isinstance(values, float | int):  # one application (a bool is an int)
        return np.float64(values)
    if values is None:
        return np.float64(np.nan)
    if isinstance(values, pd.Series | ExtensionArray):
        return values.to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(values, dtype=np.float64)


def is_in(values: Any, codes: Collection[str]) -> Any:
    """Whether each value is one of ``codes`` (a missing value is not): a bool array, or a numpy bool for one value."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.Categorical):
        hit = np.append(values.categories.isin(list(codes)), False)  # code -1 (missing) -> last entry
        return hit[values.codes]
    if isinstance(values, np.ndarray | ExtensionArray):
        return pd.Series(values, copy=False).isin(list(codes)).to_numpy(dtype=bool, na_value=False)
    return np.bool_(values in codes)
