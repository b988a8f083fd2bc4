"""The scenario settings file: the shipped one loads; every bad value is named with its field."""

from __future__ import annotations

import pytest
import yaml

from credit_engine.errors import InvalidInput
from credit_engine.stress.scenario import SCENARIO_FILE, load_scenario, scenario_from_mapping


def shipped() -> dict:
    return yaml.safe_load(SCENARIO_FILE.read_text(encoding="utf-8"))


def test_the_shipped_scenario_loads_with_basel_correlation_for_household_loans():
    scenario = load_scenario()
    assert scenario.version and scenario.target_exhaustion_probability == 0.05
    assert scenario.product("fumin").asset_correlation is None  # Basel's retail formula
    assert scenario.product("a-new-product") == scenario.products["default"]
    assert scenario.product("fumin").average_loan_fen == 4_000_000


@pytest.mark.parametrize(
    ("path", "value", "field", "rule"),
    [
        (("products", "fumin", "default_pd"), 1.5, "products.fumin.default_pd", "range"),
        (("products", "qiangnong", "asset_correlation"), "high", "products.qiangnong.asset_correlation", "number"),
        (("recovery_rate",), -0.1, "recovery_rate", "range"),
        (("recovery_lag_months",), 2.5, "recovery_lag_months", "months"),
        (("leverages",), [8, "ten"], "leverages", "multiples"),
        (("target_exhaustion_probability",), True, "target_exhaustion_probability", "number"),
        (("surprise",), 1, "surprise", "unknown_field"),
    ],
)
def test_a_bad_value_names_its_field_in_both_languages(path, value, field, rule):
    values = shipped()
    place = values
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    with pytest.raises(InvalidInput) as raised:
        scenario_from_mapping(values)
    (error,) = raised.value.errors
    assert (error.field, error.rule) == (field, rule)
    assert " / " in error.message  # English / 中文


def test_every_bad_value_is_listed_at_once():
    values = shipped() | {"province_factor_share": 2, "fund_interest_rate": "1%"}
    del values["products"]["default"]
    with pytest.raises(InvalidInput) as raised:
        scenario_from_mapping(values)
    assert {e.field for e in raised.value.errors} == {"province_factor_share", "fund_interest_rate", "products"}


def test_a_file_that_is_not_yaml_is_invalid_input(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("products: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        load_scenario(path)
    assert raised.value.errors[0].field == "scenario_file"
