"""Validation of household applications against the contract: every bad row named, nothing silently coerced.

:func:`validate_applications` checks a whole file (a frame of raw text from CSV/XLSX, or typed values from Parquet
or code): each column on its own (:mod:`credit_engine.contract.columns`), then the cross-field rules
(:data:`credit_engine.contract.rules.CROSS_FIELD_RULES`). It returns the valid rows in canonical dtypes, indexed by
their source line number, and a :class:`~credit_engine.errors.RowError` for every broken rule of every bad row.
:func:`validate_application` does the same for a single request, as the API needs it. The work is vectorised
(Python runs only to word the errors of bad rows): a million rows validate in a few seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from credit_engine import identifiers
from credit_engine.contract.columns import ColumnCheck, check_column
from credit_engine.contract.fields import (
    APPLICATION_FIELDS,
    HEADER_KEYS,
    LABEL_FIELD,
    FieldDef,
    normalise_headers,
)
from credit_engine.contract.rules import CROSS_FIELD_RULES, CheckedColumns, Finding
from credit_engine.contract.syntax import RULES
from credit_engine.errors import RowError


@dataclass(frozen=True, slots=True)
class Contract:
    """A data contract as :func:`validate_table` checks it: the field table, the label field (training data), the
    cross-field rules and the header keys (:func:`~credit_engine.contract.fields.alias_keys`). The household
    application is :data:`HOUSEHOLD_CONTRACT`; the enterprise application (:mod:`credit_engine.enterprise`) is
    another, checked by the same machinery."""

    fields: tuple[FieldDef, ...]
    label: FieldDef
    rules: tuple[Callable[[CheckedColumns], Finding | None], ...]
    header_keys: Mapping[str, str]
    by_name: Mapping[str, FieldDef] = field(init=False)
    field_order: Mapping[str, int] = field(init=False)
    rule_order: Mapping[str, int] = field(init=False)

    def __post_init__(self) -> None:
        # The order errors are listed in, by either path: field by field as the table has them, then rule by rule.
        by_name = {f.name: f for f in (*self.fields, self.label)}
        object.__setattr__(self, "by_name", by_name)
        object.__setattr__(self, "field_order", {name: position for position, name in enumerate(by_name)})
        rules = (*RULES, *(r.__name__ for r in self.rules))
        object.__setattr__(self, "rule_order", {rule: position for position, rule in enumerate(rules)})


HOUSEHOLD_CONTRACT = Contract(APPLICATION_FIELDS, LABEL_FIELD, CROSS_FIELD_RULES, HEADER_KEYS)
FIELD_ORDER = HOUSEHOLD_CONTRACT.field_order
RULE_ORDER = HOUSEHOLD_CONTRACT.rule_order


@dataclass(frozen=True, slots=True)
class ValidatedApplications:
    """Outcome of a validation: the valid rows, every error, and the input columns the contract does not know.

    ``frame`` holds only the valid rows: contract columns in table order with canonical dtypes (int64, float64,
    bool, categorical of all English codes, datetime64[ns], str; ``defaulted`` int8), then the ignored columns
    untouched; its index, named ``row``, is each row's line number in the source. ``errors`` is sorted by row, then
    field order.
    """

    frame: pd.DataFrame
    errors: list[RowError]
    ignored_columns: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_applications(
    raw: pd.DataFrame, *, require_label: bool = False, first_row: int = 2
) -> ValidatedApplications:
    """Validate a frame of household applications (:func:`validate_table` with :data:`HOUSEHOLD_CONTRACT`)."""
    return validate_table(raw, HOUSEHOLD_CONTRACT, require_label=require_label, first_row=first_row)


def validate_table(
    raw: pd.DataFrame, contract: Contract, *, require_label: bool = False, first_row: int = 2
) -> ValidatedApplications:
    """Validate a frame against ``contract``; the row at 0-based position ``i`` is reported as ``first_row + i``.

    Headers may be English or 中文 (:data:`~credit_engine.contract.fields.HEADER_ALIASES`); two headers naming one
    field raise :class:`~credit_engine.errors.InvalidInput`. A missing required column is one ``missing_column``
    error and nothing else is validated. ``require_label`` makes ``defaulted`` required (training data); without it
    the label is still checked when present.
    """
    raw = raw.set_axis(normalise_headers(raw.columns, contract.header_keys), axis=1)
    label = contract.label
    fields = [*contract.fields, *([label] if require_label or label.name in raw.columns else [])]
    ignored = [str(column) for column in raw.columns if column not in contract.by_name]
    present = [f for f in fields if f.name in raw.columns]
    absent = [f for f in fields if f.name not in raw.columns and _required(f, require_label, label)]
    if absent:
        errors = [RowError(None, f.name, "missing_column", f"column is missing / 缺少此列：{f.zh}") for f in absent]
        valid = np.zeros(len(raw), bool)
        empty = {f.name: _empty_check(f) for f in present}
        frame = _frame(raw.iloc[:0], empty, valid[:0], first_row, ignored, contract)
        return ValidatedApplications(frame, errors, ignored)

    today = np.datetime64(dt.date.today(), "D")
    checks = {
        f.name: check_column(f, raw[f.name], required=_required(f, require_label, label), today=today) for f in present
    }
    columns = CheckedColumns(checks, first_row + np.arange(len(raw), dtype=np.int64))
    findings = [finding for rule in contract.rules if (finding := rule(columns)) is not None]

    valid = np.ones(len(raw), bool)
    for check in checks.values():
        valid &= check.ok
    for finding in findings:
        valid[finding.rows] = False
    errors = _errors(present, columns, findings, contract)
    return ValidatedApplications(_frame(raw, checks, valid, first_row, ignored, contract), errors, ignored)


def _errors(
    present: list[FieldDef], columns: CheckedColumns, findings: list[Finding], contract: Contract
) -> list[RowError]:
    """Every broken rule of every row: each column's own, then the cross-field findings, sorted by row, field order
    and rule order."""
    checks = columns.checks
    errors = _column_errors(present, checks, columns.row_numbers)
    for finding in findings:
        show = checks[finding.field].shown
        errors += [
            RowError(int(columns.row_numbers[r]), finding.field, finding.rule, text, show(r))
            for r, text in zip(finding.rows, finding.messages, strict=True)
        ]
    fields_at, rules_at = contract.field_order, contract.rule_order
    errors.sort(key=lambda e: (-1 if e.row is None else e.row, fields_at[e.field], rules_at.get(e.rule, 0)))
    return errors


def validate_application(
    record: Mapping[str, Any], contract: Contract = HOUSEHOLD_CONTRACT
) -> tuple[dict[str, Any], list[RowError]]:
    """Validate one application (a request body): the canonical record (Python values, dates as ``datetime.date``,
    enums as English codes) and no errors, or ``{}`` and every error, each with ``row`` None."""
    result = validate_table(pd.DataFrame([dict(record)]), contract, first_row=0)
    errors = [dataclasses.replace(error, row=None) for error in result.errors]
    if errors or result.frame.empty:
        return {}, errors
    frame = result.frame
    return {str(name): _python_value(contract.by_name.get(name), frame[name].iat[0]) for name in frame.columns}, []


def message(definition: FieldDef, rule: str) -> str:
    """Bilingual message for a single-field rule."""
    low, high = _fmt(definition.minimum), _fmt(definition.maximum)
    if rule in ("min", "max") and low is not None and high is not None and not definition.minimum_exclusive:
        return f"must be between {low} and {high} / 必须在 {low} 到 {high} 之间"
    if rule == "min" and definition.minimum_exclusive:
        return f"must be greater than {low} / 必须大于 {low}"
    if rule == "min":
        return f"must be at least {low} / 不得小于 {low}"
    if rule == "max":
        return f"must be at most {high} / 不得大于 {high}"
    if rule in ("control_character", "id_number", "code_format"):
        return identifiers.message(definition.code or "", rule)
    if rule == "choice":
        codes = ", ".join(f"{code} ({zh})" for code, zh in (definition.choices or {}).items())
        return f"must be one of {codes} / 必须是以下之一：{codes}"
    return _MESSAGES[rule]


_MESSAGES = {
    "required": "is required / 必填",
    "type_int": "must be a whole number / 必须是整数",
    "type_number": "must be a number / 必须是数字",
    "type_bool": "must be yes or no (true/false, 1/0, yes/no, 是/否) / 必须是 是 或 否",
    "type_date": "must be a date such as 2024-03-31 / 必须是日期，如 2024-03-31",
    "id_format": "must be 18 characters: 17 digits and a digit or X / 必须是 18 位：17 位数字加一位数字或 X",
    "id_birth_date": "must contain a real birth date from 1900 to today / 出生日期无效",
    "id_checksum": "check character does not match (GB 11643) / 校验码错误 (GB 11643)",
    "county_code_format": "must be exactly 6 digits (GB/T 2260) / 必须是 6 位数字 (GB/T 2260)",
    "date_in_future": "must not be after today / 不得晚于今天",
    "yuan_format": "must be a number or plain decimal text, e.g. 123 or 123.45 / 须为数字或普通小数，如 123 或 123.45",
    "yuan_decimals": "must be yuan with at most 2 decimals / 须为元，最多两位小数",
}


def _fmt(bound: float | None) -> str | None:
    if bound is None:
        return None
    return f"{bound:,.0f}" if float(bound).is_integer() and abs(bound) >= 10_000 else f"{bound:g}"


def _required(definition: FieldDef, require_label: bool, label: FieldDef = LABEL_FIELD) -> bool:
    return require_label if definition is label else definition.required


def _column_errors(
    present: list[FieldDef], checks: Mapping[str, ColumnCheck], row_numbers: np.ndarray
) -> list[RowError]:
    errors = []
    for definition in present:
        check = checks[definition.name]
        for code in np.unique(check.broken[check.broken != 0]):
            rule = RULES[code]
            text = message(definition, rule)
            errors += [
                RowError(int(row_numbers[p]), definition.name, rule, text, check.shown(p))
                for p in np.flatnonzero(check.broken == code)
            ]
    return errors


def _frame(
    raw: pd.DataFrame,
    checks: Mapping[str, ColumnCheck],
    valid: np.ndarray,
    first_row: int,
    ignored: list[str],
    contract: Contract,
) -> pd.DataFrame:
    """The valid rows: canonical contract columns in table order, then the ignored columns untouched."""
    positions = np.flatnonzero(valid)
    index = pd.Index(first_row + positions, name="row", dtype=np.int64)
    pick = slice(None) if len(positions) == len(valid) else positions
    data = {
        name: _canonical(contract.by_name[name], check.values[pick], check.missing[pick], index, contract.label)
        for name, check in checks.items()
    }
    frame = pd.DataFrame(data, index=index, copy=False)  # no copy: the columns are new already
    if ignored:
        extras = raw.loc[:, [c for c in raw.columns if str(c) in ignored]].iloc[positions].set_axis(index, axis=0)
        frame = pd.concat([frame, extras], axis=1)
    return frame


def _canonical(
    definition: FieldDef, values: np.ndarray, missing: np.ndarray, index: pd.Index, label: FieldDef = LABEL_FIELD
) -> pd.Series:
    """Checked values of the valid rows in the canonical dtype of their kind (nullable only where missing)."""
    kind, gaps = definition.kind, bool(missing.any())
    if kind == "enum":
        codes = np.where(missing, -1, values)
        return pd.Series(pd.Categorical.from_codes(codes, categories=list(definition.codes)), index=index)
    if kind == "int":
        dtype = "int8" if definition is label else "int64"
        series = pd.Series(values.astype(dtype, copy=False), index=index)
        return series.astype(dtype.capitalize()).mask(missing) if gaps else series
    if kind == "float":
        values = values.astype(np.float64, copy=False)
        return pd.Series(np.where(missing, np.nan, values) if gaps else values, index=index)
    if kind == "bool":
        series = pd.Series(values.astype(bool, copy=False), index=index)
        return series.astype("boolean").mask(missing) if gaps else series
    if kind == "date":
        series = pd.Series(values.astype("datetime64[ns]"), index=index)
        return series.mask(missing) if gaps else series
    series = pd.Series(values, index=index, dtype="str")
    return series.mask(missing) if gaps else series


def _empty_check(definition: FieldDef) -> ColumnCheck:
    today = np.datetime64(dt.date.today(), "D")
    return check_column(definition, pd.Series([], dtype="str"), required=False, today=today)


def _python_value(definition: FieldDef | None, value: Any) -> Any:
    """A frame cell of a field (None: a column the contract does not know) as a plain Python value (None for
    missing)."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if definition is not None and definition.kind == "date":
        return pd.Timestamp(value).date()
    return value.item() if isinstance(value, np.generic) else value
