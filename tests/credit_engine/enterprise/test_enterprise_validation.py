"""Validation of enterprise applications: the household machinery with the enterprise table and rules — every bad
row and field named with its rule, in 中文 and English; good rows pass in canonical dtypes."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from credit_engine.contract.columns import check_column
from credit_engine.contract.fields import FIELD_BY_NAME as HOUSEHOLD_FIELDS
from credit_engine.contract.syntax import RULES
from credit_engine.contract.value import check_value
from credit_engine.enterprise import credit_code
from credit_engine.enterprise.fields import ENTERPRISE_FIELDS, FIELD_BY_NAME, example_enterprise
from credit_engine.enterprise.validation import validate_enterprise, validate_enterprises


def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def row(**changes) -> dict[str, str]:
    return {name: as_text(value) for name, value in example_enterprise(**changes).items()}


def raw(*records) -> pd.DataFrame:
    return pd.DataFrame([{**r, "application_id": f"E{i}"} for i, r in enumerate(records)], dtype=str)


def found(result) -> list[tuple]:
    return [(e.row, e.field, e.rule) for e in result.errors]


def test_the_example_passes_in_canonical_dtypes():
    result = validate_enterprises(raw(row()))
    assert result.ok, result.errors
    frame = result.frame
    assert list(frame.columns) == [f.name for f in ENTERPRISE_FIELDS]
    assert frame["revenue"].dtype == np.float64 and frame["households_driven"].dtype == np.int64
    assert list(frame["entity_type"].cat.categories) == list(FIELD_BY_NAME["entity_type"].codes)
    assert frame["insured"].dtype == bool and frame["application_date"].dtype == "datetime64[ns]"


def test_chinese_headers_and_labels_are_read():
    record = {FIELD_BY_NAME[name].zh: value for name, value in row().items()}
    record.update({"主体类型": "农民专业合作社", "带贫模式": "就业带动", "抵押物类型": "土地经营权"})
    result = validate_enterprises(pd.DataFrame([record], dtype=str))
    assert result.ok, result.errors
    assert result.frame["entity_type"].iat[0] == "cooperative"
    assert result.frame["collateral_type"].iat[0] == "land_rights"


def test_no_chinese_header_names_a_different_household_field():
    for definition in FIELD_BY_NAME.values():
        clash = [h.name for h in HOUSEHOLD_FIELDS.values() if h.zh == definition.zh and h.name != definition.name]
        assert clash == [], (definition.name, clash)


def test_a_wrong_check_character_is_named_with_the_right_one():
    good = example_enterprise()["credit_code"]
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    result = validate_enterprises(raw(row(), row(credit_code=wrong)))
    assert found(result) == [(3, "credit_code", "credit_code_check")]
    assert f"expected {good[-1]}" in result.errors[0].message and "校验码" in result.errors[0].message
    assert result.errors[0].value == wrong and list(result.frame.index) == [2]


def test_a_credit_code_with_letters_outside_the_set_breaks_its_format():
    result = validate_enterprises(raw(row(credit_code="91140121MA0K2X7BOI")))
    assert found(result) == [(2, "credit_code", "code_format")]
    assert "GB 32100" in result.errors[0].message


def test_the_balance_sheet_must_balance_within_one_percent():
    assets = example_enterprise()["total_assets"]
    within = row(owner_equity=6_200_000 + 0.009 * assets)
    beyond = row(owner_equity=6_200_000 + 0.02 * assets)
    result = validate_enterprises(raw(within, beyond))
    assert found(result) == [(3, "owner_equity", "balance_sheet_balances")]
    assert "6,200,000.00" in result.errors[0].message and "1%" in result.errors[0].message


def test_negative_profit_equity_and_cash_flow_are_valid_finance():
    record = row(net_profit=-800_000, ebit=-500_000, retained_earnings=-2_000_000, operating_cash_flow=-100_000,
                 total_liabilities=13_000_000, owner_equity=-600_000, linkage_mode="employment")  # fmt: skip
    assert validate_enterprises(raw(record)).ok


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"current_assets": 13_000_000}, "current_assets", "current_assets_le_total"),
        ({"current_liabilities": 7_000_000}, "current_liabilities", "current_liabilities_le_total"),
        ({"existing_bank_debt": 6_300_000}, "existing_bank_debt", "bank_debt_le_liabilities"),
        ({"collateral_type": "none"}, "collateral_value", "collateral_value_matches_type"),
        ({"collateral_value": 0}, "collateral_value", "collateral_value_matches_type"),
        ({"local_sourcing_share": 1.2}, "local_sourcing_share", "max"),
        ({"total_assets": 0}, "total_assets", "min"),
        ({"entity_type": "bank"}, "entity_type", "choice"),
        ({"revenue": "12.345"}, "revenue", "yuan_decimals"),
    ],
)
def test_each_rule_names_its_row_and_field(changes, field, rule):
    result = validate_enterprises(raw(row(), row(**changes)))
    assert (3, field, rule) in found(result)
    assert all(e.row == 3 for e in result.errors) and list(result.frame.index) == [2]


# The most households per mode for the example (poor_employees 140, revenue 8.6M, sourcing 0.75, equity 6.2M,
# liabilities 6.2M): employment 140, orders 3,225, dividends 6,200, land lease 17,200, household loans 620.
@pytest.mark.parametrize(
    ("mode", "most"),
    [("employment", 140), ("orders", 3_225), ("dividends", 6_200), ("land_lease", 17_200), ("household_loan", 620)],
)
def test_households_driven_are_bounded_by_what_the_mode_allows(mode, most):
    result = validate_enterprises(raw(row(linkage_mode=mode, households_driven=most),
                                      row(linkage_mode=mode, households_driven=most + 1)))  # fmt: skip
    assert found(result) == [(3, "households_driven", "households_within_linkage")]
    assert f"must not exceed {most:,}" in result.errors[0].message and "不得超过" in result.errors[0].message


def test_dividends_need_equity():
    record = row(net_profit=-800_000, total_liabilities=13_000_000, owner_equity=-600_000,
                 linkage_mode="dividends", households_driven=1)  # fmt: skip
    assert found(validate_enterprises(raw(record))) == [(2, "households_driven", "households_within_linkage")]


def test_a_missing_column_is_one_error_and_the_label_is_checked_for_training():
    frame = raw(row()).drop(columns=["credit_code"])
    result = validate_enterprises(frame)
    assert found(result) == [(None, "credit_code", "missing_column")]
    assert "统一社会信用代码" in result.errors[0].message
    labelled = validate_enterprises(raw({**row(), "defaulted": "1"}), require_label=True)
    assert labelled.ok and labelled.frame["defaulted"].dtype == np.int8


def test_one_application_returns_python_values_or_every_error():
    record, errors = validate_enterprise(example_enterprise())
    assert errors == [] and record["application_date"] == dt.date(2024, 3, 1)
    assert record["credit_code"] == credit_code.make("93140121MA0K2X7B8")
    record, errors = validate_enterprise(example_enterprise(poor_employees=-1, current_assets=99_000_000))
    assert record == {} and {(e.row, e.field, e.rule) for e in errors} == {
        (None, "poor_employees", "min"),
        (None, "current_assets", "current_assets_le_total"),
    }


@pytest.mark.parametrize(
    ("field", "text", "rule"),
    [
        ("net_profit", "-123.45", ""),
        ("net_profit", "-123.456", "yuan_decimals"),
        ("net_profit", "--5", "yuan_format"),
        ("revenue", "-5", "yuan_format"),  # unsigned money keeps its written form
    ],
)
def test_signed_money_reads_the_same_in_a_column_and_in_one_value(field, text, rule):
    definition = FIELD_BY_NAME[field]
    assert check_value(definition, text, required=True).rule == rule
    column = check_column(definition, pd.Series([text], dtype="str"), required=True, today=np.datetime64("2026-01-01"))
    assert RULES[column.broken[0]] == rule
