"""Checks of one contract column on its own: parse every value to its canonical type and name the rule it breaks.

A column is factorised first and only its distinct values are parsed, vectorised with pandas/numpy, then the
outcome is spread back to the rows by the factor codes; so a million rows of a few hundred distinct ages or dates
cost little more than the distinct values. Both raw text (CSV, XLSX) and typed values (Parquet, code) are accepted;
nothing is coerced beyond trimming blanks: ``"12.5"`` in an int column breaks ``type_int``. Each value breaks at most
one rule, the first in order: ``required``, then the type rule, then ``choice``/``min``/``max``/ID rules/
``date_in_future``. ID numbers are checked with the GB 11643 checksum on a uint8 matrix of the 18 characters; the
rule a bad ID breaks is named by :func:`idnumber.violation`, so both always agree.
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

from credit_engine.contract import idnumber
from credit_engine.contract.fields import FieldDef

RULES: tuple[str, ...] = (
    "",
    "required",
    "type_int",
    "type_number",
    "type_bool",
    "type_date",
    "choice",
    "min",
    "max",
    "id_format",
    "id_birth_date",
    "id_checksum",
    "county_code_format",
    "date_in_future",
)
CODE = {rule: code for code, rule in enumerate(RULES)}
OK = 0

_INT = r"[+-]?[0-9]{1,18}"
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?"
_DATE = r"([0-9]{4})(?:[-/.]|年)([0-9]{1,2})(?:[-/.]|月)([0-9]{1,2})日?(?:[ T]00:00(?::00(?:\.0+)?)?)?"
_TRUE_WORDS = ("true", "1", "yes", "y", "是")
_FALSE_WORDS = ("false", "0", "no", "n", "否")
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_CHECK_BYTES = np.frombuffer(idnumber.CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_WEIGHTS = np.array(idnumber.WEIGHTS, dtype=np.int32)
_SAMPLE = 1000  # values sampled to judge whether a text column repeats enough to factorise
_EARLIEST_DATE = np.datetime64(pd.Timestamp.min.ceil("D").date(), "D")  # datetime64[ns] cannot hold earlier


@dataclass(frozen=True, slots=True)
class ColumnCheck:
    """One column checked: canonical ``values`` and the rule ``broken`` by each row (0 where valid, by position).

    ``missing`` marks absent values (allowed only in an optional field); ``derived`` holds what an ID number tells
    (``birth_date`` as datetime64[D], ``gender`` M/F) for the cross-field rules.
    """

    values: np.ndarray
    broken: np.ndarray
    missing: np.ndarray
    derived: dict[str, np.ndarray] = field(default_factory=dict)
    shown: Callable[[int], str | None] = lambda position: None

    @property
    def ok(self) -> np.ndarray:
        return self.broken == OK


@dataclass(slots=True)
class _Distinct:
    """Outcome for the distinct values of a column (same fields as ColumnCheck)."""

    values: np.ndarray
    broken: np.ndarray
    missing: np.ndarray
    derived: dict[str, np.ndarray] = field(default_factory=dict)


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
        return idnumber.mask(value) if definition.kind == "id_number" else value

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


def _check_int(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    missing = np.zeros(len(values), bool)
    if ptypes.is_integer_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype):
        parsed, good = values.to_numpy(dtype=np.int64), np.ones(len(values), bool)
    elif (numbers := _typed_numbers(values)) is not None:
        good = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2.0**62)
        parsed = np.where(good, numbers, 0).astype(np.int64)
    else:
        text, _ = _as_text(values)
        missing, good = _blank(text), text.str.fullmatch(_INT).to_numpy(dtype=bool)
        parsed = _parse(text, good, pa.int64())
    broken = np.where(good | missing, OK, CODE["type_int"]).astype(np.int8)
    _bounds(definition, parsed, broken)
    return _Distinct(parsed, broken, missing)


def _check_float(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    missing = np.zeros(len(values), bool)
    if (numbers := _typed_numbers(values)) is not None:
        parsed, good = numbers, np.ones(len(values), bool)
    else:
        text, _ = _as_text(values)
        missing, good = _blank(text), text.str.fullmatch(_NUMBER).to_numpy(dtype=bool)
        parsed = _parse(text, good, pa.float64())
    good = good & np.isfinite(parsed)
    parsed = np.where(good, parsed, 0.0)
    broken = np.where(good | missing, OK, CODE["type_number"]).astype(np.int8)
    _bounds(definition, parsed, broken)
    return _Distinct(parsed, broken, missing)


def _check_bool(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    missing = np.zeros(len(values), bool)
    if ptypes.is_bool_dtype(values.dtype):
        parsed, good = values.to_numpy(dtype=bool), np.ones(len(values), bool)
    elif (numbers := _typed_numbers(values)) is not None:
        parsed, good = numbers == 1, (numbers == 1) | (numbers == 0)
    else:
        text, _ = _as_text(values)
        lowered = text.str.lower()
        parsed = lowered.isin(_TRUE_WORDS).to_numpy(dtype=bool)
        missing, good = _blank(text), parsed | lowered.isin(_FALSE_WORDS).to_numpy(dtype=bool)
    broken = np.where(good | missing, OK, CODE["type_bool"]).astype(np.int8)
    return _Distinct(parsed, broken, missing)


def calendar_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime64[D] of year/month/day arrays, and whether each is a real date (garbage where it is not)."""
    year, month, day = (np.asarray(a, dtype=np.int64) for a in (year, month, day))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    real = (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days) & (year >= 1) & (year <= 9999)
    year, month, day = np.where(real, year, 1970), np.where(real, month, 1), np.where(real, day, 1)
    months = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1).astype("timedelta64[M]")
    return months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]"), real


def civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of days since 1970-01-01 (integer arithmetic, H. Hinnant's ``civil_from_days``)."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    day_of_era = z - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    return year_of_era + era * 400 + (month <= 2), month, day


def _check_date(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    missing = np.zeros(len(values), bool)
    if ptypes.is_datetime64_any_dtype(values.dtype):
        stamps = pd.DatetimeIndex(values).tz_localize(None)
        good = np.asarray((stamps == stamps.normalize()) & stamps.notna())
        parsed = stamps.to_numpy().astype("datetime64[D]")
    else:
        text, _ = _as_text(values)
        parts = text.str.extract(f"^{_DATE}$").fillna("0").astype(np.int64).to_numpy()
        parsed, good = calendar_dates(parts[:, 0], parts[:, 1], parts[:, 2])
        missing = _blank(text)
    good = good & (parsed >= _EARLIEST_DATE)
    broken = np.where(good | missing, OK, CODE["type_date"]).astype(np.int8)
    broken[(broken == OK) & ~missing & (parsed > today)] = CODE["date_in_future"]
    year, month, day = civil_from_days(parsed.astype(np.int64))
    return _Distinct(parsed, broken, missing, {"ymd": year * 10000 + month * 100 + day})


def _check_enum(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    lookup = {code.lower(): i for i, code in enumerate(definition.codes)}
    lookup |= {zh: i for i, zh in enumerate((definition.choices or {}).values())}
    text, _ = _as_text(values)
    found = text.str.lower().map(lookup)
    missing = _blank(text)
    broken = np.where(found.notna().to_numpy() | missing, OK, CODE["choice"]).astype(np.int8)
    return _Distinct(found.fillna(0).to_numpy(dtype=np.int64), broken, missing)


def _check_text(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    text, _ = _as_text(values)
    return _Distinct(text.array, np.zeros(len(text), np.int8), _blank(text))


def _check_county_code(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    text, wrong_type = _as_text(values, exact=True)
    missing = _blank(text) & ~wrong_type
    good = text.str.fullmatch("[0-9]{6}").to_numpy(dtype=bool) & ~wrong_type
    broken = np.where(good | missing, OK, CODE["county_code_format"]).astype(np.int8)
    return _Distinct(text.array, broken, missing)


def _check_id_number(definition: FieldDef, values: pd.Series, today: np.datetime64) -> _Distinct:
    text, wrong_type = _as_text(values, exact=True)
    text = text.str.upper()
    missing = _blank(text) & ~wrong_type
    well_formed = text.str.fullmatch("[0-9]{17}[0-9X]").to_numpy(dtype=bool) & ~wrong_type
    born = np.full(len(text), -1, np.int32)  # birth date as yyyymmdd
    odd = np.zeros(len(text), bool)
    good = well_formed.copy()
    if well_formed.any():
        joined = "".join(text[well_formed].to_numpy(dtype=object))
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        digits = chars[:, :17].astype(np.int32) - ord("0")
        year = digits[:, 6:10] @ np.array([1000, 100, 10, 1], dtype=np.int32)
        month, day = digits[:, 10] * 10 + digits[:, 11], digits[:, 12] * 10 + digits[:, 13]
        dates, real = calendar_dates(year, month, day)
        real &= (year >= 1900) & (dates <= today)
        checksum_ok = chars[:, 17] == _CHECK_BYTES[(digits @ _WEIGHTS) % 11]
        good[well_formed] = real & checksum_ok
        born[well_formed] = np.where(real, year * 10000 + month * 100 + day, -1)
        odd[well_formed] = digits[:, 16] % 2 == 1
    broken = np.zeros(len(text), np.int8)
    for position in np.flatnonzero(~good & ~missing):
        rule = None if wrong_type[position] else idnumber.violation(text.iat[position])
        broken[position] = CODE[rule or "id_format"]
    gender = np.where(odd, "M", "F").astype(object)
    return _Distinct(text.array, broken, missing, {"birth_ymd": born, "gender": gender})


_CHECKERS: dict[str, Callable[[FieldDef, pd.Series, np.datetime64], _Distinct]] = {
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "date": _check_date,
    "enum": _check_enum,
    "str": _check_text,
    "county_code": _check_county_code,
    "id_number": _check_id_number,
}
