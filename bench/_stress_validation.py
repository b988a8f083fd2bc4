"""The stress test's simulation against closed forms, for ``bench/stress_test.py``: loss-rate quantiles of a large
homogeneous book against Vasicek, default counts of an uncorrelated book against the binomial (scipy.stats)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from scipy.stats import binom, norm

from credit_engine.ledger.domain import default_terms
from credit_engine.stress.live_book import LiveBook
from credit_engine.stress.scenario import StressOptions, load_scenario
from credit_engine.stress.simulation import run_paths

QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.999)
LOAN_FEN = 4_000_000


def homogeneous(loans: int, pd: float) -> LiveBook:
    ints = np.full(loans, 0, dtype=np.int64)
    return LiveBook(
        "BENCH", "140122", "RCC", dt.date(2025, 12, 31), default_terms(), 500_000_000, 0, ("fumin", "qiangnong"),
        ints + LOAN_FEN, ints, ints, ints, ints + 60, np.full(loans, pd), np.zeros(loans, dtype=bool),
    )  # fmt: skip


def scenario(rho: float):  # noqa: ANN201 - a StressScenario
    shipped = load_scenario()
    fumin = dataclasses.replace(shipped.products["fumin"], asset_correlation=rho)
    return dataclasses.replace(shipped, products={**shipped.products, "fumin": fumin})


def simulated(loans: int, pd: float, rho: float, scenarios: int) -> np.ndarray:
    options = StressOptions(12, scenarios, (1e-9,), seed=2026, chunk_scenarios=50_000)
    return run_paths(homogeneous(loans, pd), scenario(rho), options).defaulted_fen[1]


def vasicek_rows(scenarios: int = 400_000) -> list[dict[str, object]]:
    rows = []
    for pd, rho in ((0.03, 0.15), (0.01, 0.08)):
        loss = simulated(100_000, pd, rho, scenarios) / (100_000 * LOAN_FEN)
        for q in QUANTILES:
            closed = float(norm.cdf((norm.ppf(pd) + np.sqrt(rho) * norm.ppf(q)) / np.sqrt(1 - rho)))
            found = float(np.quantile(loss, q))
            book = f"100,000 loans, PD {pd:.0%}, ρ {rho}"
            rows.append({"book": book, "quantile": q, "simulated": found, "closed_form": closed,
                         "relative": found / closed - 1})  # fmt: skip
    return rows


def binomial_rows(scenarios: int = 400_000) -> list[dict[str, object]]:
    defaults = np.rint(simulated(1_000, 0.03, 0.0, scenarios) / LOAN_FEN)
    rows = []
    for q in (0.01, 0.05, 0.5, 0.95, 0.99, 0.999):
        found, closed = float(np.quantile(defaults, q)), float(binom.ppf(q, 1_000, 0.03))
        rows.append({"book": "1,000 loans, PD 3%, ρ 0 (defaults)", "quantile": q, "simulated": found,
                     "closed_form": closed, "relative": found / closed - 1})  # fmt: skip
    return rows
