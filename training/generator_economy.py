"""What the synthetic households earn, own, owe and ask for, and how they have repaid before.

Income is built from its sources — farming (land and livestock), local and migrant wages, a small business — so
per-capita income rises with the number of workers and falls with age and ill health (DOMAIN.md §6); nominal
incomes grow about 7% a year, putting registered households near 8,000–12,000 yuan per person in 2021–2024. A
bad-harvest year in a county destroys part of the farm income of every household there and pushes farming households
into debt: the shock is recorded in the application (income, liabilities), which is what lets a model see it.
Requests crowd toward the 50,000-yuan cap; a few fall outside the product's limits so the knock-outs fire.
"""

from __future__ import annotations

import numpy as np

from training.generator_households import HEALTHS, POVERTY_CAUSES, PURPOSES, Columns, code, draw_shared
from training.generator_places import Places, shock_of

YEARLY_GROWTH = 0.07
MIGRANT_WAGE = 17_000.0
LOCAL_WAGE = 5_000.0
FARM_YUAN_PER_MU = 450.0
LIVESTOCK_YUAN_PER_UNIT = 1_500.0
PENSION = 1_800.0
CREDIT_RECORDS = ("none", "normal", "watch", "adverse")
VILLAGE_EVALUATIONS = ("excellent", "good", "fair", "poor")
TERMS = np.array([12, 24, 36, 48, 60])


def draw_income(rng: np.random.Generator, cols: Columns, places: Places) -> None:
    """Annual net income (after the year's shock) and transfer income (subsidies, 低保)."""
    n = len(cols["village"])
    purpose, health = cols["purpose"], cols["head_health"]
    farm = cols["arable_land_mu"] * FARM_YUAN_PER_MU * rng.lognormal(0.0, 0.3, size=n)
    farm = farm * np.where(purpose == code(PURPOSES, "forestry"), 1.8, 1.0)
    farm = farm + cols["livestock_units"] * LIVESTOCK_YUAN_PER_UNIT
    farm = farm * (0.35 + 0.325 * np.minimum(cols["labor_count"], 2))  # without workers the land is rented out
    fitness = np.array([1.0, 0.88, 0.72, 0.8])[health]
    wages = (cols["labor_count"] - cols["migrant_workers"]) * LOCAL_WAGE * fitness
    wages = wages + cols["migrant_workers"] * MIGRANT_WAGE * rng.lognormal(0.0, 0.2, size=n)
    trade = np.isin(purpose, [code(PURPOSES, p) for p in ("processing", "trade", "tourism")])
    business = np.where(trade, rng.lognormal(np.log(9_000.0), 0.6, size=n), 0.0) + 0.25 * cols["ecommerce_sales"]
    business = business + PENSION * (cols["head_age"] >= 60)
    loss = shock_of(places, cols["county"], cols["year_index"])
    level = places.county_income[cols["county"]] * (1.0 + YEARLY_GROWTH) ** cols["year_index"]
    level = level * np.array([0.95, 1.1, 0.9, 1.25])[cols["registry_status"]]  # registered, exited, monitored, none
    noise = rng.lognormal(0.0, 0.2, size=n)
    cols["farm_loss"] = farm * loss * level
    cols["annual_net_income"] = np.round((farm * (1.0 - loss) + wages + business) * level * noise, 0)
    needy = np.isin(cols["poverty_cause"], (code(POVERTY_CAUSES, "illness"), code(POVERTY_CAUSES, "disability")))
    status_factor = np.array([1.0, 0.6, 0.9, 0.2])[cols["registry_status"]]
    transfer = (600.0 * cols["household_size"] + 1_800.0 * needy) * status_factor
    cols["transfer_income"] = np.round(transfer * rng.lognormal(0.0, 0.3, size=n), 0)


def draw_balance_sheet(rng: np.random.Generator, cols: Columns) -> None:
    """Total assets (house, livestock, machinery, deposits) and liabilities (bank and informal, medical, shock debt)."""
    n = len(cols["village"])
    house = np.where(
        cols["housing_safe"], rng.lognormal(np.log(60_000.0), 0.5, size=n), rng.lognormal(np.log(15_000.0), 0.5, n)
    )
    machinery = np.where(rng.random(n) < 0.4, rng.lognormal(np.log(8_000.0), 0.8, size=n), 0.0)
    deposits = cols["annual_net_income"] * rng.uniform(0.0, 0.6, size=n)
    assets = house + machinery + deposits + cols["livestock_units"] * 3_500.0
    cause, health = cols["poverty_cause"], cols["head_health"]
    ill = (cause == code(POVERTY_CAUSES, "illness")) | (health == code(HEALTHS, "serious"))
    schooling = cause == code(POVERTY_CAUSES, "schooling")
    owes = rng.random(n) < 0.30 + 0.20 * ill + 0.15 * schooling
    debt = np.where(owes, rng.lognormal(np.log(15_000.0), 0.8, size=n), 0.0)
    debt = debt + np.where(health == code(HEALTHS, "serious"), rng.lognormal(np.log(20_000.0), 0.6, size=n), 0.0)
    debt = debt + np.where(schooling, rng.lognormal(np.log(10_000.0), 0.6, size=n), 0.0)
    debt = debt + cols["farm_loss"] * rng.uniform(0.8, 1.6, size=n)
    cols["total_assets"] = np.round(assets, -2)
    cols["total_liabilities"] = np.round(debt, -2)


def draw_credit(rng: np.random.Generator, cols: Columns) -> None:
    """Social capital (neighbour relations, village evaluation) and the credit-bureau history."""
    n = len(cols["village"])
    conduct = rng.normal(0.0, 1.0, size=n)
    neighbors = np.clip(np.rint(3.8 + 0.6 * conduct + rng.normal(0.0, 0.7, size=n)), 1, 5).astype(np.int64)
    standing = 0.6 * conduct + 0.35 * (neighbors - 3.8) + rng.normal(0.0, 0.6, size=n)
    cols["neighbor_relations"] = neighbors
    cols["village_evaluation"] = np.searchsorted(np.array([-0.65, 0.45, 1.5]), -standing).astype(np.int64)
    record = draw_shared(rng, (0.30, 0.58, 0.10, 0.02), n)  # none (no loans yet), normal, watch, adverse
    loans = np.where(record == code(CREDIT_RECORDS, "none"), 0, 1 + rng.poisson(1.3, size=n))
    slips = np.where(rng.random(n) < 0.2, 1 + rng.poisson(0.5, size=n), 0)
    overdue = np.select(
        [record == code(CREDIT_RECORDS, name) for name in ("normal", "watch", "adverse")],
        [slips, 1 + rng.poisson(2.0, n), 3 + rng.poisson(4.0, n)],
    )
    cols["credit_record"] = record
    cols["prior_loans"] = loans.astype(np.int64)
    cols["prior_overdue_times"] = np.minimum(overdue, 12 * loans).astype(np.int64)
    cols["loan_insurance"] = rng.random(n) < 0.45


def draw_request(rng: np.random.Generator, cols: Columns) -> None:
    """Requested amount (multiples of 1,000 crowding toward 50,000; a few outside 1,000–50,000) and term."""
    n = len(cols["village"])
    thousands = np.where(rng.random(n) < 0.45, 50, np.clip(np.rint(50 * rng.beta(3.0, 1.2, size=n)), 1, 49))
    odd = rng.random(n)
    thousands = np.where(odd < 0.005, rng.integers(51, 101, size=n), thousands)
    amount = np.where((odd >= 0.005) & (odd < 0.007), 500.0, thousands * 1_000.0)
    forestry = cols["purpose"] == code(PURPOSES, "forestry")
    usual = draw_shared(rng, (0.35, 0.25, 0.40, 0.0, 0.0), n)
    long_lived = draw_shared(rng, (0.0, 0.0, 0.40, 0.25, 0.35), n)
    cols["requested_amount"] = amount
    cols["term_months"] = TERMS[np.where(forestry, long_lived, usual)].astype(np.int64)
