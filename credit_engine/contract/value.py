"""Checking ONE value of one contract field in plain Python: the single-record twin of a column's check.

:func:`check_value` gives the value's canonical form and the first rule it breaks, exactly as
:func:`~credit_engine.contract.columns.check_column` would for the same value in a column: the same written forms
(:mod:`credit_engine.contract.syntax`), the same order of rules, the same shown value (ID numbers masked), at a few
microseconds instead of a one-row frame's milliseconds.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from credit_engine import identifiers
from credit_engine.contract import idnumber
from credit_engine.contract.fields import FieldDef, checkers_by_kind
from credit_engine.contract.syntax import (
    DATE,
    EARLIEST_DATE,
    FALSE_WORDS,
    INT,
    NUMBER,
    SIGNED_YUAN,
    TRUE_WORDS,
    YUAN,
    whole_fen,
)
from credit_engine.contract.validation import message

_INT = re.compile(INT)
_NUMBER = re.compile(NUMBER)
_YUAN = {False: re.compile(YUAN), True: re.compile(SIGNED_YUAN)}  # by whether the field allows amounts below 0
_INT64 = 2**63
_FLOAT_INT_LIMIT = 2.0**62


@dataclass(slots=True)
class Checked:
    """One field checked: its canonical value, the rule it breaks ("" when none), whether it is missing, and the
    value as given — shown (trimmed, ID numbers masked) only when an error names it. Not frozen: a frozen dataclass
    costs three times as much to build, and an application builds one per field on every request."""

    value: Any
    rule: str
    missing: bool
    given: Any = None
    definition: FieldDef | None = None

    @property
    def shown(self) -> str | None:
        """The value as an error shows it (the frame path's ``str(cell).strip()``, ID numbers masked)."""
        shown = _shown(self.given)
        if shown is None or self.definition is None:
            return shown
        if self.definition.kind == "id_number":
            return idnumber.mask(shown)
        return identifiers.shown(shown) if self.definition.code is not None else shown


def is_missing_float(value: Any) -> bool:
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
    type_rule = "yuan_format" if definition.money else "type_number"
    if isinstance(value, bool):
        return None, type_rule
    if isinstance(value, int | float):
        try:
            parsed = float(value)
        except OverflowError:
            return None, type_rule
    else:
        text = _text(value)
        pattern = _YUAN[(definition.minimum or 0) < 0] if definition.money else _NUMBER
        parsed = float(text) if text is not None and pattern.fullmatch(text) else math.nan
    if not math.isfinite(parsed):
        return None, type_rule
    if definition.money and not whole_fen(parsed):
        return parsed, "yuan_decimals"
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
    if word in TRUE_WORDS:
        return True, ""
    return (False, "") if word in FALSE_WORDS else (None, "type_bool")


def _check_date(definition: FieldDef, value: Any) -> tuple[Any, str]:
    if isinstance(value, dt.datetime):
        parsed = value.date() if value.time() == dt.time(0) else None
    elif isinstance(value, dt.date):
        parsed = value
    else:
        match = DATE.fullmatch(_text(value) or "")
        parsed = None
        if match:
            try:
                parsed = dt.date(*(int(group) for group in match.groups()))
            except ValueError:
                parsed = None
    if parsed is None or parsed < EARLIEST_DATE:
        return None, "type_date"
    return parsed, "date_in_future" if parsed > dt.date.today() else ""


def _check_enum(definition: FieldDef, value: Any) -> tuple[Any, str]:
    word = (_text(value) or "").lower()
    code = _enum_lookup(definition).get(word)
    return (code, "") if code is not None else (None, "choice")


def _check_str(definition: FieldDef, value: Any) -> tuple[Any, str]:
    text = _text(value)
    if definition.code is None or text is None:
        return text, ""
    return text, identifiers.code_violation(definition.code, text) or ""


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


_CHECKERS: dict[str, Callable[[FieldDef, Any], tuple[Any, str]]] = checkers_by_kind(globals())
_ENUM_LOOKUPS: dict[int, tuple[FieldDef, dict[str, str]]] = {}  # by the field's id, the field kept to check it


def _enum_lookup(definition: FieldDef) -> dict[str, str]:
    """An enum's codes (lower case) and 中文 labels to its code, built once per field of any contract's table (an
    application checks every enum on each request: one dict lookup, no key built)."""
    entry = _ENUM_LOOKUPS.get(id(definition))
    if entry is None or entry[0] is not definition:
        labels = {zh: code for code, zh in (definition.choices or {}).items()}
        entry = _ENUM_LOOKUPS[id(definition)] = (definition, {**{c.lower(): c for c in definition.codes}, **labels})
    return entry[1]


def _blank(value: Any) -> bool:
    """Missing as the frame path sees it: None, NaN, or text that is empty once trimmed."""
    if value is None or is_missing_float(value):
        return True
    return isinstance(value, str) and not value.strip()


def check_value(definition: FieldDef, value: Any, required: bool) -> Checked:
    """``value`` checked as a value of ``definition`` (missing breaks ``required`` only when ``required``)."""
    if _blank(value):
        return Checked(None, "required" if required else "", True)
    if isinstance(value, list | dict | tuple | set):
        return Checked(None, "type_value", False, value, definition)
    parsed, rule = _CHECKERS[definition.kind](definition, value)
    return Checked(parsed, rule, False, value, definition)


_NOT_SCALAR = "must be a single value, not a list or an object / 必须是单个值，不能是列表或对象"


def error_message(definition: FieldDef, rule: str) -> str:
    """The bilingual message of ``rule`` broken by a value of ``definition``."""
    return _NOT_SCALAR if rule == "type_value" else message(definition, rule)
