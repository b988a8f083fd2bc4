"""Cross-field rules of the enterprise application, in the household contract's form
(:class:`~credit_engine.contract.rules.Finding` over :class:`~credit_engine.contract.rules.CheckedColumns`): the
credit code's check character, the balance sheet, parts not above their whole, collateral value agreeing with its
type, and the households driven within what the linkage mode allows (:mod:`credit_engine.enterprise.linkage`).

Each is a :class:`~credit_engine.contract.rules.RowRule`: written once over values, it judges a table's columns
(the batch and a file) and one application's scalars (the API's record path) with the same expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from credit_engine.contract.rules import CheckedColumns, Finding, RowRule, duplicate_application_id
from credit_engine.enterprise import credit_code, linkage
from credit_engine.enterprise.fields import FIELD_BY_NAME, LINKAGE_MODE

BALANCE_TOLERANCE = 0.01
"""Total assets must equal liabilities plus equity within this share of total assets."""


_COLLATERAL_NONE = FIELD_BY_NAME["collateral_type"].codes.index("none")
_MODES = np.asarray(FIELD_BY_NAME["linkage_mode"].codes, dtype=object)  # a position → its code, one or an array


def _bad_check_character(values: Mapping[str, Any]) -> Any:
    codes = values["credit_code"]
    if isinstance(codes, str):  # one application
        return not credit_code.is_valid(codes)
    return np.fromiter((not (isinstance(c, str) and credit_code.is_valid(c)) for c in codes), bool, len(codes))


def _check_character_message(row: Mapping[str, Any]) -> str:
    expected = credit_code.check_character(row["credit_code"][:-1])
    return f"check character does not match, expected {expected} (GB 32100) / 校验码错误，应为 {expected} (GB 32100)"


credit_code_check = RowRule(
    "credit_code_check", "credit_code", ("credit_code",), _bad_check_character, _check_character_message
)
"""The credit code ends in its GB 32100 check character."""


def _not_above(part: str, whole: str, rule: str) -> RowRule:
    zh = FIELD_BY_NAME[whole].zh

    def message(row: Mapping[str, Any]) -> str:
        return f"must not exceed {whole} ({row[whole]:,.2f}) / 不得超过{zh} ({row[whole]:,.2f})"

    return RowRule(rule, part, (part, whole), lambda values: values[part] > values[whole], message)


current_assets_le_total = _not_above("current_assets", "total_assets", "current_assets_le_total")
current_liabilities_le_total = _not_above("current_liabilities", "total_liabilities", "current_liabilities_le_total")
bank_debt_le_liabilities = _not_above("existing_bank_debt", "total_liabilities", "bank_debt_le_liabilities")


def _equity_expected(values: Mapping[str, Any]) -> Any:
    return values["total_assets"] - values["total_liabilities"]


def _unbalanced(values: Mapping[str, Any]) -> Any:
    gap = np.abs(values["owner_equity"] - _equity_expected(values))
    return gap > BALANCE_TOLERANCE * values["total_assets"] + 0.005


def _unbalanced_message(row: Mapping[str, Any]) -> str:
    expected = _equity_expected(row)
    return (
        f"total_assets ≠ total_liabilities + owner_equity: equity should be {expected:,.2f} within 1% of assets / "
        f"资产总额须等于负债总额加所有者权益（误差不超过资产的 1%），所有者权益应为 {expected:,.2f}"
    )


balance_sheet_balances = RowRule(
    "balance_sheet_balances",
    "owner_equity",
    ("total_assets", "total_liabilities", "owner_equity"),
    _unbalanced,
    _unbalanced_message,
)
"""total_assets = total_liabilities + owner_equity within 1% of total assets (reported on owner_equity)."""


def _collateral_mismatch(values: Mapping[str, Any]) -> Any:
    return (values["collateral_type"] == _COLLATERAL_NONE) != (values["collateral_value"] == 0)


def _collateral_message(row: Mapping[str, Any]) -> str:
    if row["collateral_type"] == _COLLATERAL_NONE:
        return "must be 0 when collateral_type is none / 无抵押物时抵押物价值须为 0"
    return "must be above 0 when collateral is offered / 提供抵押物时抵押物价值须大于 0"


collateral_value_matches_type = RowRule(
    "collateral_value_matches_type",
    "collateral_value",
    ("collateral_type", "collateral_value"),
    _collateral_mismatch,
    _collateral_message,
)
"""No collateral has value 0; collateral of a type has a value above 0."""


def _most_households(values: Mapping[str, Any]) -> Any:
    return linkage.most_households({**values, "linkage_mode": _MODES[values["linkage_mode"]]})


def _too_many_households(values: Mapping[str, Any]) -> Any:
    return values["households_driven"] > _most_households(values)


def _linkage_message(row: Mapping[str, Any]) -> str:
    most, mode = _most_households(row), _MODES[row["linkage_mode"]]
    basis, basis_zh = linkage.BASIS[mode]
    return (
        f"must not exceed {most:,.0f}, the most {mode} allows ({basis}) / "
        f"不得超过 {most:,.0f} 户，{LINKAGE_MODE[mode]}模式按{basis_zh}计"
    )


households_within_linkage = RowRule(
    "households_within_linkage", "households_driven", linkage.FIELDS, _too_many_households, _linkage_message
)
"""households_driven ≤ what the linkage mode allows (:func:`credit_engine.enterprise.linkage.most_households`)."""


ENTERPRISE_RULES: tuple[Callable[[CheckedColumns], Finding | None], ...] = (
    credit_code_check,
    current_assets_le_total,
    current_liabilities_le_total,
    bank_debt_le_liabilities,
    balance_sheet_balances,
    collateral_value_matches_type,
    households_within_linkage,
    duplicate_application_id,
)
"""Every cross-field rule of the enterprise application, in the order their errors are reported within a field."""
ONE_APPLICATION_RULES: tuple[RowRule, ...] = tuple(rule for rule in ENTERPRISE_RULES if isinstance(rule, RowRule))
"""The rules one application can break (all but the file's duplicates), for the record path."""
if len(ONE_APPLICATION_RULES) != len(ENTERPRISE_RULES) - 1:  # a new rule must be a RowRule to judge one application
    raise RuntimeError("every enterprise rule but duplicate_application_id must be a RowRule")
