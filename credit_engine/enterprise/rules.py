"""Cross-field rules of the enterprise application, in the household contract's form
(:class:`~credit_engine.contract.rules.Finding` over :class:`~credit_engine.contract.rules.CheckedColumns`): the
credit code's check character, the balance sheet, parts not above their whole, collateral value agreeing with its
type, and the households driven within what the linkage mode allows (:mod:`credit_engine.enterprise.linkage`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from credit_engine.contract.rules import CheckedColumns, Finding, duplicate_application_id
from credit_engine.enterprise import credit_code, linkage
from credit_engine.enterprise.fields import FIELD_BY_NAME, LINKAGE_MODE

BALANCE_TOLERANCE = 0.01
"""Total assets must equal liabilities plus equity within this share of total assets."""


def credit_code_check(columns: CheckedColumns) -> Finding | None:
    """The credit code ends in its GB 32100 check character."""
    involved = columns.involved("credit_code")
    if involved is None:
        return None
    codes = pd.Series(columns.values("credit_code"), dtype="str")
    rows = np.flatnonzero(involved & ~codes.map(credit_code.is_valid).to_numpy(dtype=bool))
    messages = [
        f"check character does not match, expected {credit_code.check_character(codes.iat[r][:-1])} (GB 32100) / "
        f"校验码错误，应为 {credit_code.check_character(codes.iat[r][:-1])} (GB 32100)"
        for r in rows
    ]
    return Finding("credit_code", "credit_code_check", rows, messages)


def _not_above(columns: CheckedColumns, part: str, whole: str, rule: str) -> Finding | None:
    involved = columns.involved(part, whole)
    if involved is None:
        return None
    limit = columns.values(whole)
    rows = np.flatnonzero(involved & (columns.values(part) > limit))
    zh = FIELD_BY_NAME[whole].zh
    return Finding(
        part, rule, rows, [f"must not exceed {whole} ({limit[r]:,.2f}) / 不得超过{zh} ({limit[r]:,.2f})" for r in rows]
    )


def current_assets_le_total(columns: CheckedColumns) -> Finding | None:
    return _not_above(columns, "current_assets", "total_assets", "current_assets_le_total")


def current_liabilities_le_total(columns: CheckedColumns) -> Finding | None:
    return _not_above(columns, "current_liabilities", "total_liabilities", "current_liabilities_le_total")


def bank_debt_le_liabilities(columns: CheckedColumns) -> Finding | None:
    return _not_above(columns, "existing_bank_debt", "total_liabilities", "bank_debt_le_liabilities")


def balance_sheet_balances(columns: CheckedColumns) -> Finding | None:
    """total_assets = total_liabilities + owner_equity within 1% of total assets (reported on owner_equity)."""
    involved = columns.involved("total_assets", "total_liabilities", "owner_equity")
    if involved is None:
        return None
    assets = columns.values("total_assets")
    expected = assets - columns.values("total_liabilities")
    gap = np.abs(columns.values("owner_equity") - expected)
    rows = np.flatnonzero(involved & (gap > BALANCE_TOLERANCE * assets + 0.005))
    messages = [
        f"total_assets ≠ total_liabilities + owner_equity: equity should be {expected[r]:,.2f} within 1% of assets / "
        f"资产总额须等于负债总额加所有者权益（误差不超过资产的 1%），所有者权益应为 {expected[r]:,.2f}"
        for r in rows
    ]
    return Finding("owner_equity", "balance_sheet_balances", rows, messages)


def collateral_value_matches_type(columns: CheckedColumns) -> Finding | None:
    """No collateral has value 0; collateral of a type has a value above 0."""
    involved = columns.involved("collateral_type", "collateral_value")
    if involved is None:
        return None
    none = columns.values("collateral_type") == FIELD_BY_NAME["collateral_type"].codes.index("none")
    value = columns.values("collateral_value")
    rows = np.flatnonzero(involved & (none != (value == 0)))
    messages = [
        "must be 0 when collateral_type is none / 无抵押物时抵押物价值须为 0"
        if none[r]
        else "must be above 0 when collateral is offered / 提供抵押物时抵押物价值须大于 0"
        for r in rows
    ]
    return Finding("collateral_value", "collateral_value_matches_type", rows, messages)


def households_within_linkage(columns: CheckedColumns) -> Finding | None:
    """households_driven ≤ what the linkage mode allows (:func:`credit_engine.enterprise.linkage.most_households`)."""
    involved = columns.involved(*linkage.FIELDS)
    if involved is None:
        return None
    modes = np.asarray(FIELD_BY_NAME["linkage_mode"].codes, dtype=object)[columns.values("linkage_mode")]
    values = {name: columns.values(name) for name in linkage.FIELDS if name != "linkage_mode"}
    most = linkage.most_households({**values, "linkage_mode": modes})
    rows = np.flatnonzero(involved & (columns.values("households_driven") > most))
    messages = []
    for r in rows:
        basis, basis_zh = linkage.BASIS[modes[r]]
        messages.append(
            f"must not exceed {most[r]:,.0f}, the most {modes[r]} allows ({basis}) / "
            f"不得超过 {most[r]:,.0f} 户，{LINKAGE_MODE[modes[r]]}模式按{basis_zh}计"
        )
    return Finding("households_driven", "households_within_linkage", rows, messages)


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
