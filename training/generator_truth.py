"""The ground truth of the synthetic registry: each application's true probability of default.

The true log-odds is a non-linear function of what the application records, with interactions a linear model
cannot see: ill health hurts far more without medical insurance; a low income hurts farming households with no
migrant wages to fall back on (this is how a county's bad harvest shows, because the shock lowers the recorded
income and raises the recorded debt); a borrower with no bureau record is only as good as the village says;
income helps on a log scale and saturates; debt-to-assets and loan-to-income bite past a threshold; age risk is
U-shaped. Counties differ only through what is recorded (income level, roads, their bad years). The one hidden term
is a small direct bad-harvest effect on farming households, so a model that reads the application can come close to
the Bayes ceiling. ``true_pd`` never becomes a column of the applications.
"""

from __future__ import annotations

import numpy as np

from training.generator_economy import CREDIT_RECORDS
from training.generator_households import POVERTY_CAUSES, PURPOSES, Columns, code
from training.generator_places import Places, shock_of

BASE_LOGIT = -5.2
SEPARATION = 1.1  # scales every effect: sets how well the truth separates (Bayes AUC ≈ 0.88)
HIDDEN_SHOCK_LOGIT = 0.2
HEALTH_LOGIT = np.array([0.0, 0.35, 0.8, 0.5])  # healthy, chronic, serious, disabled
EDUCATION_LOGIT = np.array([0.25, 0.1, 0.0, -0.15, -0.35])  # none … college
EVALUATION_LOGIT = np.array([-0.3, 0.0, 0.25, 0.6])  # excellent, good, fair, poor
RECORD_LOGIT = np.array([0.0, 0.0, 0.4, 0.9])  # none, normal, watch, adverse
THIN_FILE_LOGIT = np.array([-0.1, 0.1, 0.5, 0.9])  # no bureau record, by village evaluation
STATUS_LOGIT = np.array([0.0, -0.1, 0.2, 0.3])  # registered, exited, monitored, none
PURPOSE_LOGIT = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.6, 0.2])  # housing, wedding, consumption


def true_pd(cols: Columns, places: Places) -> np.ndarray:
    """The probability that each application defaults (90+ days overdue within 12 months)."""
    return 1.0 / (1.0 + np.exp(-true_logit(cols, places)))


def true_logit(cols: Columns, places: Places) -> np.ndarray:
    """The true log-odds of default: the recorded effects plus the hidden bad-harvest term, scaled and shifted."""
    hidden = HIDDEN_SHOCK_LOGIT * farming(cols) * (shock_of(places, cols["county"], cols["year_index"]) > 0)
    recorded = _capacity(cols) + _health(cols) + _history(cols) + _standing(cols)
    return BASE_LOGIT + SEPARATION * (recorded + hidden)


def farming(cols: Columns) -> np.ndarray:
    """Crop and livestock households (the ones a bad harvest hits)."""
    return np.isin(cols["purpose"], (code(PURPOSES, "crops"), code(PURPOSES, "livestock")))


def _capacity(cols: Columns) -> np.ndarray:
    """Income (log, saturating), farm exposure without migrant wages, debt and the size of the request."""
    per_capita = cols["annual_net_income"] / np.maximum(cols["household_size"], 1)
    log_income = np.clip(np.log((per_capita + 500.0) / 8_000.0), -2.5, 0.5)
    exposed = farming(cols) & (cols["migrant_workers"] == 0)
    debt_to_assets = cols["total_liabilities"] / (cols["total_assets"] + 1_000.0)
    loan_to_income = cols["requested_amount"] / (cols["annual_net_income"] + 1_000.0)
    workers = cols["labor_count"]
    return (
        -0.5 * log_income
        + 1.0 * exposed * np.clip(-log_income, 0.0, 1.5)
        + 1.3 * np.clip(debt_to_assets - 0.25, 0.0, 1.25)
        + 0.4 * np.clip(loan_to_income - 1.5, 0.0, 2.5)
        + 0.5 * (workers == 0)
        - 0.1 * np.minimum(workers, 3)
        + PURPOSE_LOGIT[cols["purpose"]]
    )


def _health(cols: Columns) -> np.ndarray:
    """Ill health, far worse without medical insurance; illness as the poverty cause; U-shaped age; schooling."""
    uninsured = ~cols["medical_insurance"]
    illness = cols["poverty_cause"] == code(POVERTY_CAUSES, "illness")
    age = cols["head_age"]
    return (
        HEALTH_LOGIT[cols["head_health"]] * (0.3 + 2.5 * uninsured)
        + 0.2 * illness * (1.0 + 2.0 * uninsured)
        + 0.0015 * (age - 42.0) ** 2
        + EDUCATION_LOGIT[cols["head_education"]]
        + 0.3 * ~cols["housing_safe"]
    )


def _history(cols: Columns) -> np.ndarray:
    """Prior overdue episodes (saturating), the bureau record, and a thin file that only the village can vouch for."""
    thin_file = cols["credit_record"] == code(CREDIT_RECORDS, "none")
    return (
        0.45 * np.log1p(np.minimum(cols["prior_overdue_times"], 12))
        + RECORD_LOGIT[cols["credit_record"]]
        + thin_file * THIN_FILE_LOGIT[cols["village_evaluation"]]
    )


def _standing(cols: Columns) -> np.ndarray:
    """Social capital and the village: evaluation, poor neighbour relations, co-op ties, registry status, road."""
    return (
        EVALUATION_LOGIT[cols["village_evaluation"]]
        + 0.35 * (cols["neighbor_relations"] <= 2)
        - 0.2 * cols["cooperative_member"]
        - 0.1 * np.log1p(cols["coop_share_capital"] / 1_000.0)
        + STATUS_LOGIT[cols["registry_status"]]
        - 0.2 * cols["village_road_hardened"]
    )
