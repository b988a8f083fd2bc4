"""Checks of one contract column on its own: parse every value to its canonical type and name the rule it breaks.

Columns whose values repeat (ages, dates, enum labels read as text) are factorised and only their distinct values
parsed, then the outcome is spread back to the rows by the factor codes; typed numbers and mostly-distinct text are
checked as they are. Either way the work is vectorised with pandas, numpy and Arrow. Both raw text (CSV, XLSX) and
typed values (Parquet, code) are accepted; nothing is coerced beyond trimming blanks: ``"12.5"`` in an int column
breaks ``type_int``. Each value breaks at most one rule, the first in order: ``required``, then the type rule, then
``choice``/``min``/``max``/ID rules/``date_in_future``. ID numbers are checked all at once
(:mod:`credit_engine.contract.idbatch`); the rule a bad ID breaks is named by :func:`idnumber.violation`, so both
always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes
from pandas.api.extensions import ExtensionArray

from credit_engine import identifiers
from credit_engine.contract import idnumber
from credit_engine.contract.fields import FieldDef, checkers_by_kind
from credit_engine.contract.idbatch import calendar_dates, civil_from_days, id_facts
from credit_engine.contract.syntax import (
    CODE,
    DATE,
    EARLIEST_DATE,
    FALSE_WORDS,
    INT,
    NUMBER,
    OK,
    TRUE_WORDS,
    whole_fen,
    yuan_pattern,
)

_MAYBE_ID = r"[0-9０-９](?:[\s\-./_·]*[0-9０-９Xx]){14}"  # 15 digits or more, perhaps separated: look closer
_SAMPLE = 1000  # values sampled to judge whether a text column repeats enough to factorise
_EARLIEST_DAY = np.datetime64(EARLIEST_DATE, "D")


@dataclass(frozen=True, slots=True)
class ColumnCheck:
    """One column checked: canonical ``values`` and the rule ``broken`` by each row (0 where valid, by position).

    ``missing`` marks absent values (allowed only in an optional field); ``derived`` holds facts for the
    cross-field rules: an ID number's ``birth_ymd`` (yyyymmdd) and ``gender`` (M/F), a date's ``ymd``. ``shown``
    gives the raw value at a position as an error shows it (ID numbers masked). The checkers build one for the
    distinct values; :func:`check_column` spreads it to the rows.
    """

    values: np.ndarray | ExtensionArray
    broken: np.ndarray
    missing: np.ndarray
    derived: dict[str, np.ndarray] = field(default_factory=dict)
    shown: Callable[[int], str | None] = lambda position: None

    @property
    def ok(self) -> np.ndarray:
        return self.broken == OK


def check_column(definition: FieldDef, column: pd.Series, *, required: bool, today: np.datetime64) -> ColumnCheck:
    """Check every value of ``column`` against ``definition``; ``today`` (datetime64[D]) bounds dates."""
    codes, distinct = _distinct(definition, column)
    if codes is not None and len(distinct) == 0:  # only missing values: check one blank, for the array shapes
        distinct = pd.Series([""], dtype="str")
    outcome = _CHECKERS[definition.kind](definition, distinct, today)

    at = None if codes is None else np.where(codes < 0, 0, codes)

    def spread(values: Any) -> Any:
        return values if at is None else values[at]

    missing = spread(outcome.missing) | (column.isna().to_numpy() if codes is None else codes < 0)
    broken = np.where(missing, CODE["required"] if required else OK, spread(outcome.broken)).astype(np.int8)
    derived = {name: spread(values) for name, values in outcome.derived.items()}

    def shown(position: int) -> str | None:
        if missing[position]:
            return None
        value = str(distinct.iat[position if codes is None else codes[position]]).strip()
        if definition.kind == "id_number":
            return idnumber.mask(value)
        return identifiers.shown(value) if definition.code is not None else value

    return ColumnCheck(spread(outcome.values), broken, missing, derived, shown)


def _distinct(definition: FieldDef, column: pd.Series) -> tuple[np.ndarray | None, pd.Series]:
    """Factor codes (-1 for missing) and the distinct values to check; codes None: check every value as it is.

    Factorising pays when text repeats (ages, dates, codes read from CSV); plain numpy numbers, booleans and dates
    are checked faster as they are, and so is text that is mostly distinct (ids, amounts), where hashing a million
    strings costs more than checking them. Categorical and nullable columns are always factorised.
    """
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufbM":
        return None, column.reset_index(drop=True)
    if (dtype == "str" or ptypes.is_object_dtype(dtype)) and len(column) > _SAMPLE:
        sample = column.iloc[:: len(column) // _SAMPLE]
        if definition.kind in ("str", "id_number") or sample.nunique() > len(sample) // 2:
            return None, column.reset_index(drop=True)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    if isinstance(dtype, pd.CategoricalDtype):
        uniques = np.asarray(uniques, dtype=object)  # the categories' own values, checked like any others
    return codes, pd.Series(uniques)


def _element_text(value: object, exact: bool) -> str | None:
    """A value's text (``""`` when missing); None when it has none that is faithful (a float in an ID column)."""
    if not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if exact:
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return None if exact else str(value)


def _as_text(values: pd.Series, exact: bool = False) -> tuple[pd.Series, np.ndarray]:
    """Distinct values as trimmed text (str dtype), and where no faithful text exists (``exact``: str/int only)."""
    if values.dtype == "str" or ptypes.infer_dtype(values, skipna=True) in ("string", "empty"):
        text = values.astype("str")
    elif ptypes.is_integer_dtype(values.dtype):
        text = values.astype("str")
    else:
        text = pd.Series([_element_text(v, exact) for v in values], dtype="str")
    wrong_type = text.isna().to_numpy()
    return text.fillna("").str.strip(), wrong_type


def _blank(text: pd.Series) -> np.ndarray:
    return (text == "").to_numpy(dtype=bool)


def _bounds(definition: FieldDef, values: np.ndarray, broken: np.ndarray) -> None:
    checked = broken == OK
    if definition.minimum is not None:
        low = values <= definition.minimum if definition.minimum_exclusive else values < definition.minimum
        broken[checked & low] = CODE["min"]
    if definition.maximum is not None:
        broken[checked & (values > definition.maximum)] = CODE["max"]


def _parse(text: pd.Series, good: np.ndarray, to: pa.DataType) -> np.ndarray:
    """Text that matched a number pattern as numbers (Arrow's parser; others read as 0)."""
    digits = pc.utf8_ltrim(pa.array(text.where(good, "0")), characters="+")  # Arrow's integers take no "+"
    return pc.cast(digits, to).to_numpy(zero_copy_only=False)


def _typed_numbers(values: pd.Series) -> np.ndarray | None:
    """The values as float64 when the column is typed numeric (not bool), else None."""
    if ptypes.is_bool_dtype(values.dtype) or not ptypes.is_numeric_dtype(values.dtype):
        return None
    return values.to_numpy(dtype=np.float64)


def _check_int(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    missing = np.zeros(len(values), bool)
    if ptypes.is_integer_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype):
        parsed, good = values.to_numpy(dtype=np.int64), np.ones(len(values), bool)
    elif (numbers := _typed_numbers(values)) is not None:
        good = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2.0**62)
        parsed = np.where(good, numbers, 0).astype(np.int64)
    else:
        text, _ = _as_text(values)
        missing, good = _blank(text), text.str.fullmatch(INT).to_numpy(dtype=bool)
        parsed = _parse(text, good, pa.int64())
    broken = np.where(good | missing, OK, CODE["type_int"]).astype(np.int8)
    _bounds(definition, parsed, broken)
    return ColumnCheck(parsed, broken, missing)


def _check_float(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    missing = np.zeros(len(values), bool)
    type_rule = CODE["yuan_format" if definition.money else "type_number"]
    if (numbers := _typed_numbers(values)) is not None:
        parsed, good = numbers, np.ones(len(values), bool)
    else:
        text, _ = _as_text(values)
        missing = _blank(text)
        good = text.str.fullmatch(yuan_pattern(definition.minimum) if definition.money else NUMBER).to_numpy(dtype=bool)
        parsed = _parse(text, good, pa.float64())
    good = good & np.isfinite(parsed)
    parsed = np.where(good, parsed, 0.0)
    broken = np.where(good | missing, OK, type_rule).astype(np.int8)
    if definition.money:
        broken[(broken == OK) & ~missing & ~whole_fen(parsed)] = CODE["yuan_decimals"]
    _bounds(definition, parsed, broken)
    return ColumnCheck(parsed, broken, missing)


def _check_bool(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    missing = np.zeros(len(values), bool)
    if ptypes.is_bool_dtype(values.dtype):
        parsed, good = values.to_numpy(dtype=bool), np.ones(len(values), bool)
    elif (numbers := _typed_numbers(values)) is not None:
        parsed, good = numbers == 1, (numbers == 1) | (numbers == 0)
    else:
        text, _ = _as_text(values)
        words = [v.lower() for v in text.tolist()]  # few distinct values
        parsed = np.array([w in TRUE_WORDS for w in words], dtype=bool)
        missing, good = _blank(text), parsed | np.array([w in FALSE_WORDS for w in words], dtype=bool)
    broken = np.where(good | missing, OK, CODE["type_bool"]).astype(np.int8)
    return ColumnCheck(parsed, broken, missing)


def _check_date(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    missing = np.zeros(len(values), bool)
    if ptypes.is_datetime64_any_dtype(values.dtype):
        stamps = pd.DatetimeIndex(values).tz_localize(None)
        good = np.asarray((stamps == stamps.normalize()) & stamps.notna())
        parsed = stamps.to_numpy().astype("datetime64[D]")
    else:
        text, _ = _as_text(values)
        matches = [DATE.fullmatch(v) for v in text.tolist()]  # few distinct values
        parts = np.array([[int(g) for g in m.groups()] if m else [0, 0, 0] for m in matches], np.int64).reshape(-1, 3)
        parsed, good = calendar_dates(parts[:, 0], parts[:, 1], parts[:, 2])
        missing = _blank(text)
    good = good & (parsed >= _EARLIEST_DAY)
    broken = np.where(good | missing, OK, CODE["type_date"]).astype(np.int8)
    broken[(broken == OK) & ~missing & (parsed > today)] = CODE["date_in_future"]
    year, month, day = civil_from_days(parsed.astype(np.int64))
    return ColumnCheck(parsed, broken, missing, {"ymd": year * 10000 + month * 100 + day})


def _check_enum(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    lookup = {code.lower(): i for i, code in enumerate(definition.codes)}
    lookup |= {zh: i for i, zh in enumerate((definition.choices or {}).values())}
    text, _ = _as_text(values)
    found = np.array([lookup.get(v.lower(), -1) for v in text.tolist()], dtype=np.int64)  # few distinct values
    missing = _blank(text)
    broken = np.where((found >= 0) | missing, OK, CODE["choice"]).astype(np.int8)
    return ColumnCheck(np.maximum(found, 0), broken, missing)


def _check_str(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    text, _ = _as_text(values)
    missing, broken = _blank(text), np.zeros(len(text), np.int8)
    if definition.code is not None:  # vectorised screens; Python only names the rule of the suspicious values
        pattern = identifiers.CODES[definition.code].pattern
        suspicious = ~text.str.fullmatch(pattern).to_numpy(dtype=bool) | text.str.contains(_MAYBE_ID).to_numpy(bool)
        for position in np.flatnonzero(suspicious & ~missing):
            rule = identifiers.code_violation(definition.code, text.iat[position])
            broken[position] = OK if rule is None else CODE[rule]
    return ColumnCheck(text.array, broken, missing)


def _check_county_code(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    text, wrong_type = _as_text(values, exact=True)
    missing = _blank(text) & ~wrong_type
    good = text.str.fullmatch("[0-9]{6}").to_numpy(dtype=bool) & ~wrong_type
    broken = np.where(good | missing, OK, CODE["county_code_format"]).astype(np.int8)
    return ColumnCheck(text.array, broken, missing)


def _check_id_number(definition: FieldDef, values: pd.Series, today: np.datetime64) -> ColumnCheck:
    text, wrong_type = _as_text(values, exact=True)
    text = text.str.upper()
    missing = _blank(text) & ~wrong_type
    facts = id_facts(text.where(~wrong_type, ""), today)
    broken = np.zeros(len(text), np.int8)
    for position in np.flatnonzero(~facts.valid & ~missing):  # bad ones only: name the rule as idnumber does
        rule = None if wrong_type[position] else idnumber.violation(text.iat[position])
        broken[position] = CODE[rule or "id_format"]
    gender = np.where(facts.male, "M", "F").astype(object)
    return ColumnCheck(text.array, broken, missing, {"birth_ymd": facts.birth_ymd, "gender": gender})


_CHECKERS: dict[str, Callable[[FieldDef, pd.Series, np.datetime64], ColumnCheck]] = checkers_by_kind(globals())
