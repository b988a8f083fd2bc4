"""The synthetic 强农贷 book: enterprise loan applications with outcomes, and the true PD behind them.

``generate_enterprises`` places enterprises, cooperatives, family farms, poverty workshops and projects in the same
counties as the household registry and draws the same places from the seed (:func:`training.generator_places
.build_places` is the first draw of both generators), so a county's bad-harvest year (drought, price collapse) hits
the households of :func:`training.generator.generate_registry` and the farming enterprises of the same seed alike:
the two products' defaults correlate. The shock is recorded in the application (profit and cash flow fall with the
sector's exposure) and has a smaller hidden part, softened by crop or livestock insurance.

A latent quality of management drives the balance sheet, profitability and the bureau record; the true log-odds of
default reads leverage and liquidity past thresholds, profitability and cash-flow cover on saturating scales, the
credit history, youth, the kind of applicant, the guarantee and the size of the request against revenue — a
non-linear, mostly recorded function, so a scorecard can come close to the Bayes ceiling on a few hundred loans and
Altman's Z'', which sees only part of it, cannot. The applications carry exactly the contract's columns
(:data:`credit_engine.enterprise.fields.ENTERPRISE_FIELDS`) and ``defaulted``; ``true_pd`` is a separate frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit_engine.enterprise import credit_code, linkage
from credit_engine.enterprise.fields import (
    COLLATERAL_TYPE,
    ENTERPRISE_FIELDS,
    ENTITY_TYPE,
    GUARANTOR,
    INDUSTRY,
    LINKAGE_MODE,
    PURPOSE,
)
from training.generator_economy import CREDIT_RECORDS
from training.generator_households import FIRST_DAY, LAST_DAY, Columns, draw_category, draw_shared
from training.generator_places import YEARS, Places, build_places, shock_of

LABEL_COLUMN = "defaulted"
ENTITIES, INDUSTRIES = tuple(ENTITY_TYPE), tuple(INDUSTRY)
ENTITY_SHARES = (0.15, 0.35, 0.25, 0.15, 0.10)
INDUSTRY_SHARES = (0.25, 0.25, 0.18, 0.10, 0.07, 0.07, 0.08)
EXPOSURE = np.array([1.0, 0.9, 0.5, 0.2, 0.15, 0.3, 0.8])  # share of a county's farm loss a sector's profit bears
ASSETS_MEDIAN = np.array([30e6, 5e6, 2e6, 1.5e6, 8e6])  # by entity type
TURNOVER = np.array([0.6, 0.7, 1.1, 1.8, 2.0, 0.5, 0.4])  # revenue ÷ assets, by industry
YEARS_MEAN = np.array([9.0, 5.0, 4.0, 2.0, 1.5])
TERMS = np.array([12, 24, 36, 60])

BASE_LOGIT = -3.4
SEPARATION = 1.0
HIDDEN_SHOCK_LOGIT = 0.5
RECORD_LOGIT = np.array([0.2, 0.0, 0.8, 1.6])  # none, normal, watch, adverse
ENTITY_LOGIT = np.array([-0.3, 0.0, 0.1, 0.3, 0.4])  # leading, cooperative, family farm, workshop, project
GUARANTOR_LOGIT = np.array([0.0, -0.5, -0.2, -0.15])  # none, government, enterprise, individuals


def generate_enterprises(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` enterprise applications (contract columns + ``defaulted``) in order of application date, and their
    truth (``application_id``, ``true_pd``). Deterministic for a seed; the seed's places are the household
    registry's."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    places = build_places(rng)  # first: the same counties and bad years as the household registry of this seed
    rng = np.random.default_rng([seed, 13])  # the enterprises' own stream
    cols = draw_enterprises(rng, places, n)
    pd_true = true_pd(cols, places)
    cols[LABEL_COLUMN] = (rng.random(n) < pd_true).astype(np.int8)
    applications = _frame(cols, places)
    return applications, pd.DataFrame({"application_id": applications["application_id"], "true_pd": pd_true})


def draw_enterprises(rng: np.random.Generator, places: Places, n: int) -> Columns:
    """Every recorded fact of ``n`` applications, as numpy arrays (categories as codes) in order of date."""
    days = int((LAST_DAY - FIRST_DAY).astype(np.int64)) + 1
    applied = np.sort(FIRST_DAY + rng.integers(0, days, size=n).astype("timedelta64[D]"))
    cols: Columns = {
        "county": rng.integers(0, len(places.county_codes), size=n),
        "application_day": applied,
        "year_index": applied.astype("datetime64[Y]").astype(np.int64) + 1970 - YEARS[0],
        "entity_type": draw_shared(rng, ENTITY_SHARES, n),
        "industry": draw_shared(rng, INDUSTRY_SHARES, n),
        "quality": rng.normal(0.0, 1.0, size=n),
    }
    cols["years_operating"] = np.minimum(rng.poisson(YEARS_MEAN[cols["entity_type"]]), 60).astype(np.int64)
    _balance_sheet(rng, cols)
    _earnings(rng, cols, places)
    _credit(rng, cols)
    _request_and_cover(rng, cols)
    _linkage(rng, cols)
    return cols


def _balance_sheet(rng: np.random.Generator, cols: Columns) -> None:
    """Assets by kind of applicant; leverage falling with quality; liabilities + equity = assets exactly."""
    n, quality = len(cols["quality"]), cols["quality"]
    assets = np.round(ASSETS_MEDIAN[cols["entity_type"]] * rng.lognormal(0.0, 0.7, size=n), -3)
    leverage = 1.25 / (1.0 + np.exp(-(-0.1 - 0.55 * quality + rng.normal(0.0, 0.6, size=n))))
    liabilities = np.round(np.clip(leverage, 0.03, 1.3) * assets, -3)
    cols["total_assets"], cols["total_liabilities"] = assets, liabilities
    cols["owner_equity"] = assets - liabilities
    cols["current_assets"] = np.round(assets * rng.uniform(0.15, 0.6, size=n), -3)
    short = rng.uniform(0.3, 0.8, size=n) * np.where(quality < -1.0, 1.2, 1.0)
    cols["current_liabilities"] = np.round(liabilities * np.minimum(short, 1.0), -3)
    cols["existing_bank_debt"] = np.round(liabilities * rng.uniform(0.2, 0.8, size=n), -3)


def _earnings(rng: np.random.Generator, cols: Columns, places: Places) -> None:
    """Revenue, profit, EBIT, cash flow and retained earnings; a bad-harvest year cuts exposed sectors' profit."""
    n, quality, assets = len(cols["quality"]), cols["quality"], cols["total_assets"]
    cols["farm_loss"] = shock_of(places, cols["county"], cols["year_index"]) * EXPOSURE[cols["industry"]]
    revenue = assets * TURNOVER[cols["industry"]] * rng.lognormal(0.0, 0.35, size=n)
    roa = 0.035 + 0.035 * quality + rng.normal(0.0, 0.03, size=n) - 0.3 * cols["farm_loss"] * revenue / assets
    profit = np.round(roa * assets, -2)
    interest = 0.05 * cols["existing_bank_debt"]
    cols["revenue"] = np.round(revenue, -3)
    cols["net_profit"] = profit
    cols["ebit"] = np.round(profit + interest + 0.15 * np.maximum(profit, 0.0), -2)
    cash = profit + 0.04 * assets + rng.normal(0.0, 0.03, size=n) * assets
    cols["operating_cash_flow"] = np.round(cash, -2)
    history = (0.03 + 0.02 * quality) * np.minimum(cols["years_operating"], 10) + rng.normal(0.0, 0.05, size=n)
    cols["retained_earnings"] = np.round(np.minimum(history * assets, np.maximum(cols["owner_equity"], 0.0)), -2)


def _credit(rng: np.random.Generator, cols: Columns) -> None:
    """The bureau record (worse with poor management) and the overdue episodes behind it."""
    n, quality = len(cols["quality"]), cols["quality"]
    watch = np.clip(0.10 - 0.05 * quality, 0.02, 0.3)
    adverse = np.clip(0.035 - 0.025 * quality, 0.005, 0.15)
    none = np.where(cols["years_operating"] < 2, 0.45, 0.12)
    normal = np.clip(1.0 - watch - adverse - none, 0.05, 1.0)
    probabilities = np.column_stack([none, normal, watch, adverse])
    record = draw_category(rng, probabilities / probabilities.sum(axis=1, keepdims=True))
    slips = np.where(rng.random(n) < 0.15, 1 + rng.poisson(0.5, size=n), 0)
    overdue = np.select(
        [record == 1, record == 2, record == 3], [slips, 1 + rng.poisson(2.0, n), 3 + rng.poisson(4.0, n)]
    )
    cols["credit_record"] = record
    cols["prior_overdue_times"] = overdue.astype(np.int64)


def _request_and_cover(rng: np.random.Generator, cols: Columns) -> None:
    """The loan (a share of assets, in tens of thousands; a few above the 30,000,000 product limit), its term and
    purpose, the collateral (forest rights for forestry), the guarantee and insurance."""
    n = len(cols["quality"])
    amount = np.clip(np.round(cols["total_assets"] * rng.uniform(0.08, 0.45, size=n), -4), 100_000, 40_000_000)
    forestry = cols["industry"] == INDUSTRIES.index("forestry")
    cols["requested_amount"] = amount
    cols["term_months"] = TERMS[np.where(forestry, draw_shared(rng, (0, 0, 0.5, 0.5), n),
                                         draw_shared(rng, (0.35, 0.4, 0.25, 0), n))].astype(np.int64)  # fmt: skip
    cols["purpose"] = draw_shared(rng, (0.35, 0.2, 0.15, 0.12, 0.15, 0.03), n)
    collateral = draw_shared(rng, (0.3, 0.25, 0.08, 0.15, 0.12, 0.10), n)
    collateral = np.where(forestry & (rng.random(n) < 0.6), tuple(COLLATERAL_TYPE).index("forest_rights"), collateral)
    cols["collateral_type"] = collateral
    cols["collateral_value"] = np.where(collateral == 0, 0.0, np.round(amount * rng.uniform(0.4, 2.0, size=n), -3))
    cols["guarantor"] = draw_shared(rng, (0.35, 0.35, 0.15, 0.15), n)
    farming = EXPOSURE[cols["industry"]] >= 0.8
    cols["insured"] = rng.random(n) < np.where(farming, 0.55, 0.2)


def _linkage(rng: np.random.Generator, cols: Columns) -> None:
    """Poor employees, local sourcing and the households driven: what the loan needs at 10,000–50,000 yuan a
    household, never more than the linkage mode allows (the contract's rule)."""
    n = len(cols["quality"])
    cols["linkage_mode"] = draw_shared(rng, (0.35, 0.3, 0.12, 0.15, 0.08), n)
    workshop = cols["entity_type"] == ENTITIES.index("workshop")
    staff = cols["total_assets"] / np.where(workshop, 50_000.0, 200_000.0)
    cols["poor_employees"] = rng.poisson(np.maximum(staff * rng.uniform(0.2, 0.8, size=n), 1.0)).astype(np.int64)
    processing = np.isin(cols["industry"], (INDUSTRIES.index("processing"), INDUSTRIES.index("trade")))
    share = np.where(processing, rng.beta(5.0, 2.0, size=n), rng.beta(3.0, 3.0, size=n))
    cols["local_sourcing_share"] = np.round(share, 3)
    modes = np.asarray(tuple(LINKAGE_MODE), dtype=object)[cols["linkage_mode"]]
    most = linkage.most_households({**cols, "linkage_mode": modes})
    wanted = np.ceil(cols["requested_amount"] / rng.uniform(10_000.0, 50_000.0, size=n))
    cols["households_driven"] = np.minimum(wanted * rng.uniform(0.5, 1.2, size=n), most).astype(np.int64)


def true_pd(cols: Columns, places: Places) -> np.ndarray:
    """The probability that each loan defaults (90+ days overdue within 12 months)."""
    return 1.0 / (1.0 + np.exp(-true_logit(cols, places)))


def true_logit(cols: Columns, places: Places) -> np.ndarray:
    """Recorded effects (finance, history, kind, cover) plus the hidden, insurance-softened bad-harvest term."""
    hidden = HIDDEN_SHOCK_LOGIT * (cols["farm_loss"] > 0.2) * np.where(cols["insured"], 0.3, 1.0)
    return BASE_LOGIT + SEPARATION * (_finance(cols) + _conduct(cols) + hidden)


def _finance(cols: Columns) -> np.ndarray:
    """Leverage and liquidity past thresholds, profitability and cash cover saturating, the request vs revenue."""
    assets = cols["total_assets"]
    leverage = cols["total_liabilities"] / assets
    current = cols["current_assets"] / np.maximum(cols["current_liabilities"], 1.0)
    roa = np.clip(cols["net_profit"] / assets, -0.15, 0.12)
    cover = np.clip(cols["operating_cash_flow"] / (cols["existing_bank_debt"] + cols["requested_amount"]), -0.3, 0.6)
    to_revenue = cols["requested_amount"] / np.maximum(cols["revenue"], 1.0)
    return (
        2.5 * np.clip(leverage - 0.55, 0.0, 0.75)
        + 0.7 * np.clip(1.2 - current, 0.0, 1.0)
        - 8.0 * roa
        - 2.5 * cover
        + 0.6 * np.clip(to_revenue - 0.6, 0.0, 1.5)
    )


def _conduct(cols: Columns) -> np.ndarray:
    """The bureau record and overdue episodes, youth, the kind of applicant, the guarantee and collateral."""
    return (
        RECORD_LOGIT[cols["credit_record"]]
        + 0.35 * np.log1p(np.minimum(cols["prior_overdue_times"], 12))
        + 0.9 * (cols["years_operating"] < 2)
        - 0.04 * np.minimum(cols["years_operating"], 10)
        + ENTITY_LOGIT[cols["entity_type"]]
        + GUARANTOR_LOGIT[cols["guarantor"]]
        - 0.2 * (cols["collateral_type"] != 0)
    )


def _frame(cols: Columns, places: Places) -> pd.DataFrame:
    """The applications with the contract's canonical dtypes: ids and enums as str, counts int64, money float64."""
    n = len(cols["quality"])
    counties = places.county_codes[cols["county"]].astype(str)
    serial = np.arange(1, n + 1)
    labels = {"entity_type": ENTITIES, "industry": INDUSTRIES, "credit_record": CREDIT_RECORDS,
              "collateral_type": tuple(COLLATERAL_TYPE), "guarantor": tuple(GUARANTOR),
              "linkage_mode": tuple(LINKAGE_MODE), "purpose": tuple(PURPOSE)}  # fmt: skip
    data = {name: np.asarray(values, dtype=object)[cols[name]] for name, values in labels.items()}
    data["application_id"] = np.char.add("E", np.char.zfill(serial.astype(str), 8))
    data["enterprise_id"] = np.char.add("ENT", np.char.zfill(serial.astype(str), 8))
    data["credit_code"] = _credit_codes(cols, counties, serial)
    data["county_code"] = counties
    data["application_date"] = cols["application_day"].astype("datetime64[ns]")
    frame = pd.DataFrame({f.name: data[f.name] if f.name in data else cols[f.name] for f in ENTERPRISE_FIELDS})
    for name in (*labels, "application_id", "enterprise_id", "credit_code", "county_code"):
        frame[name] = frame[name].astype("str")
    frame[LABEL_COLUMN] = cols[LABEL_COLUMN]
    return frame


def _credit_codes(cols: Columns, counties: np.ndarray, serial: np.ndarray) -> list[str]:
    """Valid GB 32100 codes: authority 9, kind 3 for cooperatives and 1 otherwise, the county, 9 characters."""
    kind = np.where(cols["entity_type"] == ENTITIES.index("cooperative"), "93", "91")
    body = np.char.add("MA", np.char.zfill(serial.astype(str), 7))
    return [credit_code.make(f"{k}{c}{b}") for k, c, b in zip(kind, counties, body, strict=True)]
