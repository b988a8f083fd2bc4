"""Validation of ONE application in plain Python: the scoring API's path, the twin of the frame path for one record.

:func:`validate_record` applies exactly the rules of :func:`~credit_engine.contract.validate_applications` to a
single request body — the same kinds, ranges, cross-field rules, order, rule names, bilingual messages and shown
values — but walks the field table (:data:`~credit_engine.contract.fields.APPLICATION_FIELDS`) in Python instead of
building a one-row frame, so it costs a few dozen microseconds instead of tens of milliseconds. The tests prove it
equivalent to ``validate_application`` (the frame path on a one-row frame) on generated records, field by field.

Values are JSON values (``str``, ``int``, ``float``, ``bool``, ``None``) or ``datetime.date``; an absent field is
treated as ``None`` (``required`` when the field is), and a field given under its 中文 name is accepted as on import.
Unknown fields are ignored like the extra columns of a file, or reported (``unknown_field``) when asked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from credit_engine.contract import idnumber
from credit_engine.contract import columns
from credit_engine.contract.columns import RULES
from credit_engine.contract.fields import FIELD_BY_NAME, LABEL_FIELD, FieldDef, field_for_header
from credit_engine.contract.rules import CROSS_FIELD_RULES
from credit_engine.contract.validation import message
from credit_engine.errors import RowError

# The frame path's own patterns and words (the same text rules, by construction).
_INT = re.compile(columns._INT)
_NUMBER = re.compile(columns._NUMBER)
_DATE = columns._DATE
_TRUE_WORDS, _FALSE_WORDS = columns._TRUE_WORDS, columns._FALSE_WORDS
_FIELD_ORDER = {name: position for position, name in enumerate(FIELD_BY_NAME)}
_RULE_ORDER = {rule: position for position, rule in enumerate((*RULES, *(r.__name__ for r in CROSS_FIELD_RULES)))}
_EARLIEST_DATE: dt.date = columns._EARLIEST_DATE.astype(dt.date)  # the first day datetime64[ns] can hold
_INT64 = 2**63
_FLOAT_INT_LIMIT = 2.0**62


@dataclass(frozen=True, slots=True)
class _Checked:
    """One field checked: its canonical value, the rule it breaks ("" when none), whether it is missing."""

    value: Any
    rule: str
    missing: bool
    shown: str | None


def _is_missing_float(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _shown(value: Any) -> str | None:
    """A raw value as an error shows it (the frame path's ``str(cell).strip()``)."""
    return None if value is None else str(value).strip()


def _text(value: Any, exact: bool = False) -> str | None:
    """The value's trimmed text; None when it has no faithful text (``exact``: a float in a code column)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if exact:
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return None if exact else str(value).strip()


def _check_int(definition: FieldDef, value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return None, "type_int"
    if isinstance(value, int):
        parsed = value if -_INT64 <= value < _INT64 else None
    elif isinstance(value, float):
        good = math.isfinite(value) and value.is_integer() and abs(value) < _FLOAT_INT_LIMIT
        parsed = int(value) if good else None
    else:
        text = _text(value)
        parsed = int(text) if text is not None and _INT.fullmatch(text) else None
    if parsed is None:
        return None, "type_int"
    return parsed, _bounds(definition, parsed)


def _check_float(definition: FieldDef, value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return None, "type_number"
    if isinstance(value, int | float):
        try:
            parsed = float(value)
        except OverflowError:
            return None, "type_number"
    else:
        text = _text(value)
        parsed = float(text) if text is not None and _NUMBER.fullmatch(text) else math.nan
    if not math.isfinite(parsed):
        return None, "type_number"
    return parsed, _bounds(definition, parsed)


def _bounds(definition: FieldDef, value: float) -> str:
    low, high = definition.minimum, definition.maximum
    if low is not None and (value <= low if definition.minimum_exclusive else value < low):
        return "min"
    if high is not None and value > high:
        return "max"
    return ""


def _check_bool(definition: FieldDef, value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return value, ""
    if isinstance(value, int | float):
        return (value == 1, "") if value in (0, 1) else (None, "type_bool")
    word = (_text(value) or "").lower()
    if word in _TRUE_WORDS:
        return True, ""
    return (False, "") if word in _FALSE_WORDS else (None, "type_bool")


def _check_date(definition: FieldDef, value: Any) -> tuple[Any, str]:
    if isinstance(value, dt.datetime):
        parsed = value.date() if value.time() == dt.time(0) else None
    elif isinstance(value, dt.date):
        parsed = value
    else:
        match = _DATE.fullmatch(_text(value) or "")
        parsed = None
        if match:
            try:
                parsed = dt.date(*(int(group) for group in match.groups()))
            except ValueError:
                parsed = None
    if parsed is None or parsed < _EARLIEST_DATE:
        return None, "type_date"
    return parsed, "date_in_future" if parsed > dt.date.today() else ""


def _check_enum(definition: FieldDef, value: Any) -> tuple[Any, str]:
    word = (_text(value) or "").lower()
    code = _ENUM_LOOKUP[definition.name].get(word)
    return (code, "") if code is not None else (None, "choice")


def _check_text(definition: FieldDef, value: Any) -> tuple[Any, str]:
    return _text(value), ""


def _check_county_code(definition: FieldDef, value: Any) -> tuple[Any, str]:
    text = _text(value, exact=True)
    if text is None or len(text) != 6 or not text.isascii() or not text.isdigit():
        return text, "county_code_format"
    return text, ""


def _check_id_number(definition: FieldDef, value: Any) -> tuple[Any, str]:
    text = _text(value, exact=True)
    if text is None:
        return None, "id_format"
    text = text.upper()
    return text, idnumber.violation(text) or ""


_CHECKERS: dict[str, Callable[[FieldDef, Any], tuple[Any, str]]] = {
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "date": _check_date,
    "enum": _check_enum,
    "str": _check_text,
    "county_code": _check_county_code,
    "id_number": _check_id_number,
}
_ENUM_LOOKUP: dict[str, dict[str, str]] = {
    f.name: {**{code.lower(): code for code in f.codes}, **{zh: code for code, zh in (f.choices or {}).items()}}
    for f in FIELD_BY_NAME.values()
    if f.kind == "enum"
}


def _blank(value: Any) -> bool:
    """Missing as the frame path sees it: None, NaN, or text that is empty once trimmed."""
    if value is None or _is_missing_float(value):
        return True
    return isinstance(value, str) and not value.strip()


def _check(definition: FieldDef, value: Any, required: bool) -> _Checked:
    if _blank(value):
        return _Checked(None, "required" if required else "", True, None)
    if isinstance(value, list | dict | tuple | set):
        return _Checked(None, _TYPE_RULE[definition.kind], False, _shown(value))
    parsed, rule = _CHECKERS[definition.kind](definition, value)
    shown = _shown(value)
    if definition.kind == "id_number" and shown is not None:
        shown = idnumber.mask(shown)
    return _Checked(parsed, rule, False, shown)


_TYPE_RULE = {
    "int": "type_int",
    "float": "type_number",
    "bool": "type_bool",
    "date": "type_date",
    "enum": "choice",
    "str": "type_text",
    "county_code": "county_code_format",
    "id_number": "id_format",
}
