"""One value checked in plain Python breaks the rule its column's check names, and reads the same written forms."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from credit_engine.contract.columns import check_column
from credit_engine.contract.fields import FIELD_BY_NAME
from credit_engine.contract.syntax import RULES, whole_fen
from credit_engine.contract.value import check_value

TODAY = np.datetime64(dt.date.today(), "D")


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("head_age", "42", ""),
        ("head_age", "4.5", "type_int"),
        ("head_age", "-5", "min"),
        ("head_age", "130", "max"),
        ("requested_amount", "12.345", "yuan_decimals"),
        ("requested_amount", "1e3", "yuan_format"),
        ("housing_safe", "是", ""),
        ("housing_safe", "maybe", "type_bool"),
        ("application_date", "2024年3月5日", ""),
        ("application_date", "1600-01-01", "type_date"),
        ("head_education", "初中", ""),
        ("head_education", "phd", "choice"),
        ("county_code", 140121.0, "county_code_format"),
        ("head_age", "  ", "required"),
    ],
)
def test_one_value_breaks_the_rule_its_column_would(name, value, rule):
    definition = FIELD_BY_NAME[name]
    one = check_value(definition, value, required=True)
    column = check_column(definition, pd.Series([value], dtype=object), required=True, today=TODAY)
    assert one.rule == RULES[column.broken[0]] == rule


def test_a_list_is_no_value():
    assert check_value(FIELD_BY_NAME["head_age"], [42], required=True).rule == "type_value"


def test_an_id_number_is_shown_masked_even_inside_a_list():
    definition = FIELD_BY_NAME["head_id_number"]
    shown = [
        check_value(definition, value, required=True).shown for value in ("11010119900307777Y", ["11010119900307777X"])
    ]
    assert shown == ["1101**********777Y", "['11**************7X']"]


def test_a_good_value_is_shown_as_given_when_a_cross_field_rule_names_it():
    checked = check_value(FIELD_BY_NAME["village_code"], " 140121001001 ", required=True)
    assert (checked.rule, checked.shown) == ("", "140121001001")


def test_whole_fen_allows_two_decimals_and_no_more():
    assert whole_fen(np.array([12.34, 0.1 + 0.2, 12.345])).tolist() == [True, True, False]


def test_whole_fen_of_one_float_is_the_columns_answer():
    rng = np.random.default_rng(5)
    amounts = np.concatenate([
        rng.integers(-(10**11), 10**11, 1_000) / 100.0,  # whole fen
        rng.integers(-(10**12), 10**12, 1_000) / 1_000.0,  # mostly a third decimal
        [0.0, 0.005, 0.015, 0.125, 2.675, 1.005, 1e15 + 0.01, 1e16, 5e-7, 1e307, -1e307],
    ])  # fmt: skip
    with np.errstate(over="ignore", invalid="ignore"):
        column = whole_fen(amounts)
    one_by_one = [whole_fen(float(amount)) for amount in amounts]
    assert all(isinstance(answer, bool) for answer in one_by_one)
    assert one_by_one == column.tolist()
    assert not whole_fen(1e307)  # 1e309 fen is no whole number of fen, as in a column
