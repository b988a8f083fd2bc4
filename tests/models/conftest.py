"""Small synthetic household applications for the estimator tests, in the canonical dtypes of the data contract.

Every column the household spec reads is present (the spec derives ratios from several of them); the default label
depends on a handful: prior overdues, net income per person, debts against assets, workers, village evaluation,
credit record and a county shock. Until the training data generator lands, this is the reference fixture, and the
scorecard's golden numbers are pinned on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_engine.features import FeatureSpec, household_spec
from models import LightGBMPD, ManualSheet, WOEScorecard

COUNTIES = ("430121", "430124", "431121", "433122", "522423", "622425")
ENUMS = {
    "registry_status": ("registered", "exited", "monitored", "none"),
    "head_gender": ("M", "F"),
    "head_education": ("none", "primary", "junior", "senior", "college"),
    "head_health": ("healthy", "chronic", "serious", "disabled"),
    "poverty_cause": ("illness", "disability", "schooling", "disaster", "skills", "capital", "labour", "other"),
    "village_evaluation": ("excellent", "good", "fair", "poor"),
    "credit_record": ("none", "normal", "watch", "adverse"),
    "purpose": ("crops", "livestock", "processing", "trade", "tourism", "ecommerce", "forestry"),
}


def _pick(rng: np.random.Generator, n: int, options: tuple[str, ...], weights: list[float]) -> np.ndarray:
    return rng.choice(np.array(options, dtype=object), size=n, p=np.array(weights) / np.sum(weights))


def _people(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    size = rng.integers(1, 8, size=n)
    labor = np.minimum(size, rng.binomial(4, 0.55, size=n))
    return {
        "head_age": rng.integers(20, 66, size=n),
        "household_size": size,
        "labor_count": labor,
        "migrant_workers": rng.binomial(labor, 0.3),
        "head_gender": _pick(rng, n, ENUMS["head_gender"], [0.8, 0.2]),
        "head_education": _pick(rng, n, ENUMS["head_education"], [1, 4, 4, 2, 0.5]),
        "head_health": _pick(rng, n, ENUMS["head_health"], [6, 2, 1, 1]),
        "poverty_cause": _pick(rng, n, ENUMS["poverty_cause"], [45, 8, 8, 5, 10, 12, 7, 5]),
        "registry_status": _pick(rng, n, ENUMS["registry_status"], [5, 3, 1, 1]),
    }


def _money(rng: np.random.Generator, n: int, county_index: np.ndarray, labor: np.ndarray) -> dict[str, np.ndarray]:
    county_level = np.array([1.0, 0.8, 1.2, 0.9, 0.7, 1.1])[county_index]
    income = rng.lognormal(np.log(14_000), 0.5, size=n) * county_level * (0.6 + 0.2 * labor)
    assets = rng.lognormal(np.log(60_000), 0.8, size=n) * county_level
    return {
        "annual_net_income": np.round(income, 2),
        "transfer_income": np.round(rng.lognormal(np.log(2_000), 0.6, size=n), 2),
        "total_assets": np.round(assets, 2),
        "total_liabilities": np.round(assets * rng.beta(1.2, 5, size=n) * rng.binomial(1, 0.6, size=n), 2),
        "coop_share_capital": np.round(rng.binomial(1, 0.6, size=n) * rng.lognormal(np.log(3_000), 0.9, size=n), 2),
        "ecommerce_sales": np.round(rng.binomial(1, 0.15, size=n) * rng.lognormal(np.log(8_000), 0.7, size=n), 2),
        "requested_amount": np.round(rng.uniform(1_000, 50_000, size=n), -2),
        "arable_land_mu": np.round(rng.gamma(2.0, 2.5, size=n), 1),
        "livestock_units": rng.poisson(3, size=n).astype("float64"),
    }


def _history(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    loans = rng.poisson(1.2, size=n)
    overdue = np.minimum(loans * 12, rng.poisson(0.35 * loans))
    return {
        "prior_loans": loans,
        "prior_overdue_times": overdue,
        "credit_record": _pick(rng, n, ENUMS["credit_record"], [3, 6, 0.8, 0.2]),
        "village_evaluation": _pick(rng, n, ENUMS["village_evaluation"], [2, 4, 3, 1]),
        "neighbor_relations": rng.integers(1, 6, size=n),
        "term_months": rng.choice(np.array([12, 24, 36]), size=n),
        "purpose": _pick(rng, n, ENUMS["purpose"], [4, 4, 1, 1, 1, 1, 1]),
    }


def _flags(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "housing_safe": rng.random(n) < 0.9,
        "medical_insurance": rng.random(n) < 0.95,
        "loan_insurance": rng.random(n) < 0.4,
        "cooperative_member": rng.random(n) < 0.3,
        "village_road_hardened": rng.random(n) < 0.85,
        "village_broadband": rng.random(n) < 0.7,
        "village_migration_rate": np.round(rng.beta(3, 5, size=n), 3),
    }


def _default_logit(frame: pd.DataFrame, county_index: np.ndarray) -> np.ndarray:
    per_capita = frame["annual_net_income"] / frame["household_size"]
    debt = frame["total_liabilities"] / (frame["total_assets"] + 1_000)
    evaluation = frame["village_evaluation"].map({"excellent": -0.8, "good": -0.3, "fair": 0.3, "poor": 1.0})
    record = frame["credit_record"].map({"none": 0.0, "normal": -0.3, "watch": 0.9, "adverse": 1.8})
    shock = np.array([0.0, 0.5, -0.3, 0.2, 0.8, -0.2])[county_index]
    return (
        -3.0
        + 0.55 * frame["prior_overdue_times"]
        - 1.1 * np.log(per_capita / 5_000)
        + 2.0 * debt
        - 0.35 * np.minimum(frame["labor_count"], 3)
        + evaluation.astype("float64")
        + record.astype("float64")
        + shock
    ).to_numpy(dtype="float64")


def make_households(n: int = 4_000, seed: int = 7, categorical: bool = True) -> pd.DataFrame:
    """``n`` household applications with a ``defaulted`` label; enums as pandas Categorical (or plain ``str``)."""
    rng = np.random.default_rng(seed)
    county_index = rng.integers(0, len(COUNTIES), size=n)
    people = _people(rng, n)
    columns = {
        "application_id": [f"A{i:07d}" for i in range(n)],
        "household_id": [f"H{seed:02d}{i:07d}" for i in range(n)],
        "county_code": np.array(COUNTIES, dtype=object)[county_index],
        **people,
        **_money(rng, n, county_index, people["labor_count"]),
        **_history(rng, n),
        **_flags(rng, n),
    }
    frame = pd.DataFrame(columns)
    logit = _default_logit(frame, county_index)
    frame["defaulted"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype("int64")
    enums = {"county_code": COUNTIES, **ENUMS}
    for name, options in enums.items():
        frame[name] = pd.Categorical(frame[name], categories=options) if categorical else frame[name].astype("str")
    return frame


def make_german_like(n: int = 1_500, seed: int = 3) -> tuple[pd.DataFrame, FeatureSpec]:
    """A small German-Credit-like frame with its own columns and a spec naming them (label 'bad' / 'good')."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "loan_id": np.arange(n),
            "duration_in_month": rng.integers(4, 72, size=n),
            "credit_amount": np.round(rng.lognormal(np.log(2_500), 0.7, size=n), 0),
            "age_in_years": rng.integers(19, 75, size=n),
            "checking_status": rng.choice(["<0", "0<=X<200", ">=200", "no checking"], size=n),
            "purpose": rng.choice(["car", "furniture", "radio/tv", "education", "business"], size=n),
        }
    )
    checking = frame["checking_status"].map({"<0": 0.9, "0<=X<200": 0.4, ">=200": -0.3, "no checking": -0.9})
    logit = -1.2 + 0.03 * frame["duration_in_month"] + checking - 0.01 * (frame["age_in_years"] - 35)
    frame["creditability"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "bad", "good")
    spec = FeatureSpec.from_dict(
        {
            "target": "creditability",
            "positive": "bad",
            "id_columns": ["loan_id"],
            "features": {
                "duration_in_month": {"type": "numeric", "monotone": "increasing"},
                "credit_amount": {"type": "numeric"},
                "age_in_years": {"type": "numeric"},
                "checking_status": {"type": "categorical"},
                "purpose": {"type": "categorical"},
            },
        },
        name="german_like",
    )
    return frame, spec


@pytest.fixture(scope="session")
def spec() -> FeatureSpec:
    return household_spec()


@pytest.fixture(scope="session")
def households() -> pd.DataFrame:
    return make_households(4_000, seed=7)


@pytest.fixture(scope="session")
def holdout() -> pd.DataFrame:
    return make_households(3_000, seed=11)


@pytest.fixture(scope="session")
def holdout_as_text() -> pd.DataFrame:
    """The holdout again, enums as plain ``str`` columns instead of Categorical."""
    return make_households(3_000, seed=11, categorical=False)


@pytest.fixture(scope="session")
def german_like() -> tuple[pd.DataFrame, FeatureSpec]:
    return make_german_like()


@pytest.fixture(scope="session")
def lightgbm_model(spec: FeatureSpec, households: pd.DataFrame) -> LightGBMPD:
    return LightGBMPD(spec=spec, n_estimators=400, n_jobs=1).fit(households)


@pytest.fixture(scope="session")
def scorecard_model(spec: FeatureSpec, households: pd.DataFrame) -> WOEScorecard:
    return WOEScorecard(spec=spec).fit(households)


@pytest.fixture(scope="session")
def manual_sheet_model(spec: FeatureSpec, households: pd.DataFrame) -> ManualSheet:
    return ManualSheet(spec=spec).fit(households)
