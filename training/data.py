"""Reading a training or evaluation file and validating it against its feature spec.

The household spec validates against the full data contract, the enterprise spec against the 强农贷 one (every bad
row reported with its row, field and rule); any other spec gets the checks a spec can express: columns present, a
usable label, numeric columns numeric.
Nothing is silently dropped or coerced: an empty cell is a missing value, text in a numeric column is an error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from credit_engine.contract import read_table, validate_applications
from credit_engine.enterprise.validation import validate_enterprises
from credit_engine.errors import InvalidInput, RowError
from credit_engine.features import FeatureSpec

FIRST_ROW = 2
CONTRACTS = {"household": validate_applications, "enterprise": validate_enterprises}
"""The data contract that validates a file for a spec, by the spec's derivation."""


def load_frame(path: Path, spec: FeatureSpec, *, require_label: bool = True) -> pd.DataFrame:
    """The file's rows, validated for the spec; ``InvalidInput`` lists every problem."""
    raw = read_table(path)
    validate = CONTRACTS.get(spec.derive or "")
    if validate is not None:
        validated = validate(raw, require_label=require_label)
        if validated.errors:
            raise InvalidInput(validated.errors, f"{path}: {len(validated.errors)} invalid value(s)")
        return validated.frame.reset_index(drop=True)
    return validate_generic(raw, spec, require_label=require_label)


def validate_generic(raw: pd.DataFrame, spec: FeatureSpec, *, require_label: bool = True) -> pd.DataFrame:
    needed = spec.feature_names + ([spec.target] if require_label else [])
    if spec.derive:
        needed = [c for c in needed if c in raw.columns or c == spec.target]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise InvalidInput([RowError(None, c, "missing_column", "column required by the spec") for c in missing])
    frame = raw.reset_index(drop=True).copy()
    errors: list[RowError] = []
    for name in spec.numeric:
        if name in frame.columns:
            frame[name], bad = _as_numeric(frame[name])
            errors += [
                RowError(int(i) + FIRST_ROW, name, "type_number", "not a number / 不是数字", str(v))
                for i, v in bad.items()
            ]
    for name in spec.categorical:
        if name in frame.columns:
            column = frame[name].astype("string")
            frame[name] = column.mask(column.str.strip() == "").astype(object)
    if require_label:
        empty = frame[spec.target].isna() | (frame[spec.target].astype(str).str.strip() == "")
        errors += [
            RowError(int(i) + FIRST_ROW, spec.target, "required", "label is missing / 缺少标签")
            for i in np.flatnonzero(empty.to_numpy())
        ]
    if errors:
        raise InvalidInput(sorted(errors, key=lambda e: (e.row or 0, e.field)))
    return frame


def _as_numeric(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(column):
        return column.astype("float64"), column.iloc[0:0]
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("float64"), column.iloc[0:0]
    text = column.astype("string").str.strip()
    blank = text.isna() | (text == "")
    converted = pd.to_numeric(text.mask(blank), errors="coerce")
    bad = text[converted.isna() & ~blank]
    return converted.astype("float64"), bad
