"""The synthetic registry looks like the real one (DOMAIN.md §6) and its outcomes carry a learnable signal."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from training.generator import draw_households, generate_registry
from training.generator_places import YEARS, build_places
from training.generator_truth import true_pd

N = 20_000


@pytest.fixture(scope="module")
def registry() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_registry(N, seed=5)


def test_illness_is_the_main_poverty_cause_of_about_half(registry) -> None:
    share = (registry[0]["poverty_cause"] == "illness").mean()

    assert 0.40 <= share <= 0.56


def test_default_rate_is_a_few_percent_and_matches_the_true_pd(registry) -> None:
    applications, truth = registry
    rate = applications["defaulted"].mean()

    assert 0.015 <= rate <= 0.08
    assert abs(rate - truth["true_pd"].mean()) < 0.006


def test_requested_amounts_crowd_toward_the_cap(registry) -> None:
    amount = registry[0]["requested_amount"]

    assert amount.median() >= 35_000 and 38_000 <= amount.mean() <= 47_000
    assert 0.001 <= (amount > 50_000).mean() <= 0.015  # product-limit knock-outs fire
    assert (amount < 1_000).any()
    assert (amount[amount >= 1_000] % 1_000 == 0).all()


def test_some_applications_trip_each_knock_out(registry) -> None:
    a = registry[0]
    outside_age = ~a["head_age"].between(18, 65)

    assert 0.02 <= outside_age.mean() <= 0.06
    assert 0.01 <= (a["registry_status"] == "none").mean() <= 0.04
    assert 0.01 <= (a["credit_record"] == "adverse").mean() <= 0.04
    assert 0.015 <= a["purpose"].isin(["housing", "wedding", "consumption"]).mean() <= 0.05


def test_terms_are_usual_and_only_forestry_runs_past_three_years(registry) -> None:
    a = registry[0]

    assert set(a["term_months"]) <= {12, 24, 36, 48, 60}
    assert (a.loc[a["term_months"] > 36, "purpose"] == "forestry").all()
    assert a["term_months"].isin([12, 24, 36]).mean() >= 0.9


def test_income_per_person_is_realistic_and_follows_workers_and_health(registry) -> None:
    a = registry[0]
    per_capita = a["annual_net_income"] / a["household_size"]
    registered = per_capita[a["registry_status"] == "registered"]

    assert 7_000 <= registered.mean() <= 13_000
    for size in (2, 3, 4, 5):
        same_size = a["household_size"] == size
        by_workers = per_capita[same_size].groupby(a.loc[same_size, "labor_count"].clip(upper=3)).mean()
        assert by_workers.is_monotonic_increasing, size
    by_age = per_capita.groupby(a["head_age"] > 60).mean()
    assert by_age[False] > by_age[True]
    by_health = per_capita.groupby(a["head_health"]).mean()
    assert by_health["healthy"] > by_health["chronic"] > by_health["serious"]


def test_villages_share_their_traits_and_sit_in_their_county(registry) -> None:
    a = registry[0]
    traits = a.groupby("village_code")[["village_road_hardened", "village_broadband", "village_migration_rate"]]

    assert (traits.nunique() == 1).all().all()
    assert a["village_code"].str.fullmatch(r"\d{12}").all()
    assert (a["village_code"].str[:6] == a["county_code"]).all()
    assert a["county_code"].nunique() >= 50 and a["village_code"].nunique() >= 1000


def test_the_true_pd_separates_defaulters_well(registry) -> None:
    applications, truth = registry

    bayes_auc = roc_auc_score(applications["defaulted"], truth["true_pd"])

    assert 0.75 < bayes_auc < 0.95


def test_a_bad_harvest_raises_the_county_years_risk_most_for_farmers() -> None:
    """Same households, same draws: only county 0's 2023 harvest differs between the two worlds."""
    places = build_places(np.random.default_rng(9))
    calm_loss = np.zeros_like(places.shock_loss)
    shocked_loss = calm_loss.copy()
    shocked_loss[0, YEARS.index(2023)] = 0.6
    outcomes = {}
    for name, loss in (("calm", calm_loss), ("shocked", shocked_loss)):
        world = dataclasses.replace(places, shock_loss=loss)
        cols = draw_households(np.random.default_rng(10), world, 40_000)
        outcomes[name] = (true_pd(cols, world), cols)
    (calm, cols), (shocked, shocked_cols) = outcomes["calm"], outcomes["shocked"]
    hit = (cols["county"] == 0) & (cols["year_index"] == YEARS.index(2023))
    farming = np.isin(cols["purpose"], (0, 1))

    assert hit.sum() > 100
    assert shocked[hit].mean() > 1.3 * calm[hit].mean()
    assert (
        shocked[hit & farming].mean() / calm[hit & farming].mean()
        > shocked[hit & ~farming].mean() / calm[hit & ~farming].mean()
    )
    np.testing.assert_array_equal(shocked[~hit], calm[~hit])
    assert shocked_cols["annual_net_income"][hit].mean() < cols["annual_net_income"][hit].mean()
    assert shocked_cols["total_liabilities"][hit].mean() > cols["total_liabilities"][hit].mean()
