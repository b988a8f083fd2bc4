"""Who the synthetic households are: where they live, when they apply, the head, the members and the line of business.

Proportions follow DOMAIN.md §6: illness (因病) is the main poverty cause of about half the households, disability,
schooling, capital, skills and labour most of the rest; heads are mostly 25–70 years old (a few percent outside the
product's 18–65 so the age knock-out fires); a small share are not in the registry at all. Each function adds
columns (numpy arrays keyed by contract name; categories as integer codes into the label tuples below) to ``cols``.
"""

from __future__ import annotations

import numpy as np

from training.generator_places import YEARS, Places

Columns = dict[str, np.ndarray]

REGISTRY_STATUSES = ("registered", "exited", "monitored", "none")
EDUCATIONS = ("none", "primary", "junior", "senior", "college")
HEALTHS = ("healthy", "chronic", "serious", "disabled")
POVERTY_CAUSES = (
    "illness", "disability", "schooling", "disaster", "marriage", "land", "water",
    "skills", "capital", "labour", "transport", "motivation", "other",
)  # fmt: skip
PURPOSES = (
    "crops", "livestock", "processing", "trade", "tourism", "ecommerce",
    "forestry", "housing", "wedding", "consumption", "other",
)  # fmt: skip
CAUSE_SHARES = (0.48, 0.10, 0.08, 0.04, 0.01, 0.03, 0.02, 0.08, 0.07, 0.05, 0.02, 0.01, 0.01)
PURPOSE_SHARES = (0.31, 0.31, 0.06, 0.11, 0.04, 0.05, 0.07, 0.01, 0.01, 0.01, 0.02)
HOUSEHOLD_SIZE_SHARES = (0.11, 0.24, 0.20, 0.22, 0.13, 0.06, 0.03, 0.01)
FIRST_DAY = np.datetime64("2021-01-01")
LAST_DAY = np.datetime64("2024-12-31")


def code(labels: tuple[str, ...], label: str) -> int:
    return labels.index(label)


def draw_category(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row from an (n, k) matrix of row-wise probabilities (each row sums to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities))[:, None]
    return np.minimum((u > cumulative).sum(axis=1), probabilities.shape[1] - 1).astype(np.int64)


def draw_shared(rng: np.random.Generator, probabilities: tuple[float, ...], n: int) -> np.ndarray:
    """``n`` draws from one categorical distribution."""
    p = np.asarray(probabilities, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def draw_placement(
    rng: np.random.Generator, places: Places, n: int, first: np.datetime64 = FIRST_DAY, last: np.datetime64 = LAST_DAY
) -> Columns:
    """Village, county, application date (uniform over ``first``–``last``, default 2021–2024) and application year
    (index into ``YEARS`` and on) of each household."""
    village = rng.choice(places.n_villages, size=n, p=places.village_weight / places.village_weight.sum())
    days = int((last - first).astype(np.int64)) + 1
    applied = first + rng.integers(0, days, size=n).astype("timedelta64[D]")
    year = applied.astype("datetime64[Y]").astype(np.int64) + 1970
    return {
        "village": village,
        "county": places.village_county[village],
        "application_day": applied,
        "year_index": year - YEARS[0],
    }


def draw_people(rng: np.random.Generator, cols: Columns, places: Places) -> None:
    """Registry status, the head (age, sex, schooling, health), the main poverty cause and the members."""
    n = len(cols["village"])
    cols["registry_status"] = draw_shared(rng, (0.50, 0.36, 0.12, 0.02), n)
    cols["head_age"] = np.clip(np.rint(rng.normal(47.0, 10.5, size=n)), 17, 82).astype(np.int64)
    cols["male"] = rng.random(n) < 0.86
    cols["poverty_cause"] = draw_shared(rng, CAUSE_SHARES, n)
    cols["head_education"] = _education(rng, cols["head_age"])
    cols["head_health"] = draw_category(rng, _health_probabilities(cols["poverty_cause"], cols["head_age"]))
    _members(rng, cols, places.village_migration[cols["village"]])
    cols["medical_insurance"] = rng.random(n) < np.where(
        cols["registry_status"] == code(REGISTRY_STATUSES, "none"), 0.82, 0.90
    )
    cols["housing_safe"] = rng.random(n) < 0.95


def _education(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Older heads went to school less: a latent level falling with age, cut at fixed thresholds."""
    latent = rng.normal(0.0, 1.0, size=len(age)) - 0.045 * (age - 45)
    return np.searchsorted(np.array([-1.42, -0.14, 1.15, 2.08]), latent).astype(np.int64)


def _health_probabilities(cause: np.ndarray, age: np.ndarray) -> np.ndarray:
    """P(healthy, chronic, serious, disabled) of the head given the poverty cause and age."""
    chronic = np.clip(0.10 + 0.006 * (age - 45), 0.03, 0.35)
    other = np.column_stack([0.95 - chronic, chronic, np.full_like(chronic, 0.03), np.full_like(chronic, 0.02)])
    illness = np.array([0.20, 0.45, 0.30, 0.05])
    disability = np.array([0.25, 0.10, 0.0, 0.65])
    probabilities = other.copy()
    probabilities[cause == code(POVERTY_CAUSES, "illness")] = illness
    probabilities[cause == code(POVERTY_CAUSES, "disability")] = disability
    return probabilities


def _members(rng: np.random.Generator, cols: Columns, migration: np.ndarray) -> None:
    """Household size, workers (fewer for old, sick or labour-poor households) and migrant workers."""
    n = len(cols["head_age"])
    size = draw_shared(rng, HOUSEHOLD_SIZE_SHARES, n) + 1
    size = np.where(rng.random(n) < 0.004, rng.integers(9, 13, size=n), size)
    working = 0.62 - 0.012 * np.maximum(cols["head_age"] - 55, 0)
    working -= 0.25 * (cols["poverty_cause"] == code(POVERTY_CAUSES, "labour"))
    working -= 0.10 * np.isin(cols["head_health"], (code(HEALTHS, "serious"), code(HEALTHS, "disabled")))
    labor = rng.binomial(size, np.clip(working, 0.05, 0.9))
    labor = np.where((labor == 0) & (cols["head_age"] < 60) & (rng.random(n) < 0.6), 1, labor)
    away = migration * 1.3 * np.where(cols["head_age"] > 55, 0.6, 1.0)
    cols["household_size"] = size.astype(np.int64)
    cols["labor_count"] = labor.astype(np.int64)
    cols["migrant_workers"] = rng.binomial(labor, np.clip(away, 0.0, 0.9)).astype(np.int64)


def draw_business(rng: np.random.Generator, cols: Columns, places: Places) -> None:
    """Purpose of the loan (the household's line of business), land, livestock, e-commerce and co-op ties."""
    n = len(cols["village"])
    purpose = draw_shared(rng, PURPOSE_SHARES, n)
    crops, livestock = purpose == code(PURPOSES, "crops"), purpose == code(PURPOSES, "livestock")
    ecommerce = purpose == code(PURPOSES, "ecommerce")
    land = rng.lognormal(np.log(6.0), 0.6, size=n) * np.where(crops, 1.5, 1.0)
    herd = np.where(livestock, rng.lognormal(np.log(8.0), 0.7, size=n), rng.poisson(0.8, size=n))
    broadband = places.village_broadband[cols["village"]]
    side_sales = np.where(broadband & (rng.random(n) < 0.08), rng.lognormal(np.log(3000.0), 0.8, size=n), 0.0)
    sales = np.where(ecommerce, rng.lognormal(np.log(20000.0), 0.8, size=n), side_sales)
    member = rng.random(n) < np.where(crops | livestock, 0.42, 0.28)
    has_shares = rng.random(n) < 0.30
    cols["purpose"] = purpose
    cols["arable_land_mu"] = np.round(np.where(rng.random(n) < 0.03, 0.0, land), 1)
    cols["livestock_units"] = np.round(herd, 0).astype(np.float64)
    cols["ecommerce_sales"] = np.round(sales, 0)
    cols["cooperative_member"] = member
    cols["coop_share_capital"] = np.where(has_shares, np.round(rng.lognormal(np.log(2000.0), 1.0, size=n), -2), 0.0)
