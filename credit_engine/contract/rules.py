"""Cross-field rules of the household application: facts that hold between fields of one row, or across rows.

Each rule is a small function taking the checked columns and returning a :class:`Finding` (the rows that break it,
the field the error is reported on, a bilingual message per row), registered in :data:`CROSS_FIELD_RULES`. A rule
only looks at rows whose involved fields passed their own checks, and is skipped when one of them is not in the
input at all. Rules are vectorised; Python runs only to word the message of an offending row.

A :class:`RowRule` is such a rule written once over a row's values, so that one application can be judged by the
very same expression as a table without building one-row columns (the enterprise contract's rules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from credit_engine.contract.columns import ColumnCheck
from credit_engine.contract.fields import FIELD_BY_NAME


@dataclass(frozen=True, slots=True)
class CheckedColumns:
    """Columns after their own checks, by field name, and the source line number of each row position."""

    checks: Mapping[str, ColumnCheck]
    row_numbers: np.ndarray

    def involved(self, *names: str) -> np.ndarray | None:
        """Rows where every named field is present and passed its own checks; None when a column is absent."""
        if any(name not in self.checks for name in names):
            return None
        mask = np.ones(len(self.row_numbers), bool)
        for name in names:
            mask &= self.checks[name].ok & ~self.checks[name].missing
        return mask

    def values(self, name: str) -> np.ndarray:
        return self.checks[name].values


@dataclass(frozen=True, slots=True)
class Finding:
    """Rows (positions) breaking ``rule``, reported on ``field``, with one message per row."""

    field: str
    rule: str
    rows: np.ndarray
    messages: list[str]


@dataclass(frozen=True, slots=True)
class RowRule:
    """A cross-field rule written once over values (:mod:`credit_engine.columns`): ``broken`` takes the rule's
    ``fields`` (name → values) and says where the rule is broken, ``message`` words it for one row.

    Called with :class:`CheckedColumns` it is a contract rule like the functions below (the table path: the
    columns' arrays, enums as their code's position, then a :class:`Finding` for the rows whose fields all passed
    their own checks, each worded from that row's values). :meth:`broken_by` runs the same ``broken`` on ONE
    application's values as scalars (the record path: plain Python and numpy scalars, a few microseconds instead of
    one-row arrays). So ``broken`` must work on both — numpy operators do; a step that cannot (a string function
    per value) takes its scalar path inside the same definition.
    """

    name: str
    field: str  # the field the error is reported on
    fields: tuple[str, ...]  # the fields the rule reads
    broken: Callable[[Mapping[str, Any]], Any]
    message: Callable[[Mapping[str, Any]], str]

    @property
    def __name__(self) -> str:  # the contract orders its rules' errors by name, as for the functions
        return self.name

    def __call__(self, columns: CheckedColumns) -> Finding | None:
        involved = columns.involved(*self.fields)
        if involved is None:
            return None
        values = {name: columns.values(name) for name in self.fields}
        rows = np.flatnonzero(involved & self.broken(values))
        messages = [self.message({name: column[r] for name, column in values.items()}) for r in rows]
        return Finding(self.field, self.name, rows, messages)

    def broken_by(self, row: Mapping[str, Any]) -> bool:
        """Whether ONE application's values (field → scalar as the columns hold it: numbers as floats, enums as
        their code's position; a missing field absent) break the rule. With a field missing the rule does not
        apply, as for a table's row."""
        return all(name in row for name in self.fields) and bool(self.broken(row))


def _not_above(columns: CheckedColumns, field: str, limit_field: str, factor: int, rule: str) -> Finding | None:
    involved = columns.involved(field, limit_field)
    if involved is None:
        return None
    limit = columns.values(limit_field) * factor
    rows = np.flatnonzero(involved & (columns.values(field) > limit))
    zh = FIELD_BY_NAME[limit_field].zh
    times = f" × {factor}" if factor != 1 else ""
    messages = [f"must not exceed {limit_field}{times} ({limit[r]}) / 不得超过{zh}{times} ({limit[r]})" for r in rows]
    return Finding(field, rule, rows, messages)


def labor_le_household_size(columns: CheckedColumns) -> Finding | None:
    return _not_above(columns, "labor_count", "household_size", 1, "labor_le_household_size")


def migrant_le_labor(columns: CheckedColumns) -> Finding | None:
    return _not_above(columns, "migrant_workers", "labor_count", 1, "migrant_le_labor")


def overdue_le_loans_x12(columns: CheckedColumns) -> Finding | None:
    return _not_above(columns, "prior_overdue_times", "prior_loans", 12, "overdue_le_loans_x12")


def age_on(born_ymd: np.ndarray, on_ymd: np.ndarray) -> np.ndarray:
    """Age in whole years on a date, both as yyyymmdd integers (as :func:`idnumber.age_on`)."""
    return (np.asarray(on_ymd, np.int64) - np.asarray(born_ymd, np.int64)) // 10000


def age_matches_id(columns: CheckedColumns) -> Finding | None:
    """head_age within ±1 year of the age the ID's birth date gives at application_date."""
    involved = columns.involved("head_age", "head_id_number", "application_date")
    if involved is None:
        return None
    rows = np.flatnonzero(involved)
    born = columns.checks["head_id_number"].derived["birth_ymd"][rows]
    expected = age_on(born, columns.checks["application_date"].derived["ymd"][rows])
    off = np.abs(columns.values("head_age")[rows] - expected) > 1
    messages = [
        f"differs from the age on the ID number ({age} at application_date) / 与身份证号推算的年龄 ({age} 岁) 不符"
        for age in expected[off]
    ]
    return Finding("head_age", "age_matches_id", rows[off], messages)


def gender_matches_id(columns: CheckedColumns) -> Finding | None:
    """head_gender equals the gender of the ID's sequence number (odd male, even female)."""
    involved = columns.involved("head_gender", "head_id_number")
    if involved is None:
        return None
    definition = FIELD_BY_NAME["head_gender"]
    stated = np.asarray(definition.codes, dtype=object)[columns.values("head_gender")]
    on_id = columns.checks["head_id_number"].derived["gender"]
    rows = np.flatnonzero(involved & (stated != on_id))
    zh = definition.choices or {}
    messages = [
        f"differs from the gender on the ID number ({on_id[r]}) / 与身份证号的性别 ({zh[on_id[r]]}) 不符" for r in rows
    ]
    return Finding("head_gender", "gender_matches_id", rows, messages)


def duplicate_application_id(columns: CheckedColumns) -> Finding | None:
    """An application_id appears once in a file at most (blank ids are not compared)."""
    involved = columns.involved("application_id")
    if involved is None:
        return None
    ids = pd.Series(columns.values("application_id"), dtype="str").where(involved)
    rows = np.flatnonzero(ids.notna().to_numpy() & ids.duplicated(keep=False).to_numpy())
    lines_of: dict[str, list[int]] = {}
    for r in rows:
        lines_of.setdefault(ids.iat[r], []).append(int(columns.row_numbers[r]))
    messages = []
    for r in rows:
        others = [line for line in lines_of[ids.iat[r]] if line != columns.row_numbers[r]]
        shown = ", ".join(map(str, others[:5])) + (" …" if len(others) > 5 else "")
        messages.append(f"appears more than once in the file (also row {shown}) / 申请编号重复 (另见第 {shown} 行)")
    return Finding("application_id", "duplicate_application_id", rows, messages)


VILLAGE_MESSAGE = "must start with the county_code ({county}) / 须以县代码 ({county}) 开头"


def village_in_county(columns: CheckedColumns) -> Finding | None:
    """village_code starts with the row's county_code (a village code is the county code and 6 digits)."""
    involved = columns.involved("village_code", "county_code")
    if involved is None:
        return None
    villages = pd.Series(columns.values("village_code"), dtype="str").str[:6].to_numpy(dtype=object)
    counties = pd.Series(columns.values("county_code"), dtype="str").to_numpy(dtype=object)
    rows = np.flatnonzero(involved & (villages != counties))
    return Finding(
        "village_code", "village_in_county", rows, [VILLAGE_MESSAGE.format(county=counties[r]) for r in rows]
    )


CROSS_FIELD_RULES: tuple[Callable[[CheckedColumns], Finding | None], ...] = (
    labor_le_household_size,
    migrant_le_labor,
    overdue_le_loans_x12,
    age_matches_id,
    gender_matches_id,
    duplicate_application_id,
    village_in_county,
)
"""Every cross-field rule, in the order their errors are reported within a field."""
