"""The synthetic registry keeps the data contract: columns, dtypes, identifiers and every cross-field rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from credit_engine.contract import idnumber, validate_applications
from training.generator import CANONICAL_DTYPES, CONTRACT_COLUMNS, LABEL_COLUMN, generate_registry

N = 20_000


@pytest.fixture(scope="module")
def registry() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_registry(N, seed=3)


def test_same_seed_gives_identical_frames() -> None:
    first = generate_registry(3000, seed=42)
    second = generate_registry(3000, seed=42)

    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_different_seeds_give_different_registries() -> None:
    one, _ = generate_registry(3000, seed=1)
    two, _ = generate_registry(3000, seed=2)

    assert not one["head_id_number"].equals(two["head_id_number"])
    assert not np.allclose(one["annual_net_income"], two["annual_net_income"])


def test_columns_are_exactly_the_contract_plus_the_label(registry) -> None:
    applications, _ = registry

    assert list(applications.columns) == [*CONTRACT_COLUMNS, LABEL_COLUMN]
    assert "true_pd" not in applications.columns
    assert len(applications) == N


def test_columns_have_their_canonical_dtypes(registry) -> None:
    applications, _ = registry

    assert {name: str(dtype) for name, dtype in applications.dtypes.items()} == CANONICAL_DTYPES
    assert CANONICAL_DTYPES["head_age"] == "int64" and CANONICAL_DTYPES["requested_amount"] == "float64"
    assert CANONICAL_DTYPES["housing_safe"] == "bool" and CANONICAL_DTYPES["purpose"] == "str"
    assert CANONICAL_DTYPES["application_date"] == "datetime64[ns]" and CANONICAL_DTYPES["defaulted"] == "int8"
    assert set(applications["defaulted"].unique()) == {0, 1}


def test_truth_is_keyed_one_to_one_by_application_id(registry) -> None:
    applications, truth = registry

    assert list(truth.columns) == ["application_id", "true_pd"]
    assert truth["application_id"].is_unique and applications["application_id"].is_unique
    assert truth["application_id"].tolist() == applications["application_id"].tolist()
    assert truth["true_pd"].between(0.0, 1.0, inclusive="neither").all()


def test_household_and_application_ids_are_unique(registry) -> None:
    applications, _ = registry

    assert applications["household_id"].is_unique
    assert applications["application_id"].str.fullmatch(r"A\d{9}").all()


def test_every_head_id_number_is_valid_and_unique(registry) -> None:
    applications, _ = registry
    numbers = applications["head_id_number"]

    assert [idnumber.violation(n) for n in numbers if idnumber.violation(n)] == []
    assert numbers.is_unique
    assert (numbers.str[:6] == applications["county_code"]).all()


def test_id_numbers_agree_with_head_age_and_gender(registry) -> None:
    applications, _ = registry
    sample = applications.sample(3000, random_state=0)

    for number, age, gender, applied in sample[
        ["head_id_number", "head_age", "head_gender", "application_date"]
    ].itertuples(index=False):
        assert idnumber.age_on(number, applied.date()) == age
        assert idnumber.gender(number) == gender


def test_cross_field_rules_hold(registry) -> None:
    a, _ = registry

    assert (a["labor_count"] <= a["household_size"]).all()
    assert (a["migrant_workers"] <= a["labor_count"]).all()
    assert (a["prior_overdue_times"] <= a["prior_loans"] * 12).all()
    assert a["household_size"].between(1, 20).all() and a["neighbor_relations"].between(1, 5).all()
    money = ["annual_net_income", "transfer_income", "total_assets", "total_liabilities", "coop_share_capital"]
    assert (a[[*money, "ecommerce_sales", "arable_land_mu", "livestock_units"]] >= 0).all().all()
    assert a["village_migration_rate"].between(0.0, 1.0).all()


def test_the_contract_validator_accepts_every_row(registry) -> None:
    applications, _ = registry

    validated = validate_applications(applications, require_label=True)

    assert validated.errors == []
    assert len(validated.frame) == N


def test_application_dates_span_2021_to_2024_in_order(registry) -> None:
    dates = registry[0]["application_date"]

    assert dates.is_monotonic_increasing
    assert dates.min().date() >= dt.date(2021, 1, 1) and dates.max().date() <= dt.date(2024, 12, 31)
    assert set(dates.dt.year) == {2021, 2022, 2023, 2024}


def test_a_registry_needs_at_least_one_household() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_registry(0, seed=1)


def test_the_drought_scenario_appends_2025_and_leaves_2021_to_2024_as_the_seed_gives_them():
    from credit_engine.regions import SHANXI_POVERTY_COUNTIES
    from training.generator_drought import DroughtScenario, drought_counties
    from training.generator_places import YEARS

    base, base_truth = generate_registry(6000, 5, counties=9)
    frame, truth = generate_registry(6000, 5, counties=9, scenario=DroughtScenario())
    assert frame.iloc[: len(base)].equals(base) and truth.iloc[: len(base)].equals(base_truth)
    later, later_truth = frame.iloc[len(base) :], truth.iloc[len(base) :]
    assert len(later) == 6000 // len(YEARS) and (later["application_date"].dt.year == 2025).all()
    assert frame["application_id"].is_unique and frame["household_id"].is_unique
    hit = drought_counties(DroughtScenario(), 5, 9)
    assert hit.sum() == 3 and (hit == drought_counties(DroughtScenario(), 5, 9)).all()
    shocked = {SHANXI_POVERTY_COUNTIES[i].code for i in np.flatnonzero(hit)}
    assert shocked <= set(later["county_code"])
    farming = later["purpose"].isin(["crops", "livestock"])
    in_drought = later["county_code"].isin(shocked)
    true_pd = later_truth["true_pd"].to_numpy()
    assert true_pd[(farming & in_drought).to_numpy()].mean() > 2 * true_pd[(farming & ~in_drought).to_numpy()].mean()
    debt = later["total_liabilities"] / (later["annual_net_income"] + 1000)
    assert debt[farming & in_drought].median() > 2 * debt[farming & ~in_drought].median()
    sellers = (later["ecommerce_sales"] > 0).mean()
    assert sellers > 1.8 * (base["ecommerce_sales"] > 0).mean()
