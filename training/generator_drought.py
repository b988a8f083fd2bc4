"""The drought scenario of the synthetic registry (opt-in): a year after 2024 in which a third of the counties dry out.

``generate_registry(..., scenario=DroughtScenario())`` (``credit-engine data generate --scenario drought``) keeps the
2021–2024 applications exactly as the same seed gives them without a scenario and appends the applications of
``year`` (2025), drawn by the same household model from a generator of their own (seeded by the seed and the year):

- **Drought.** ``county_share`` of the counties (at least one, chosen by the seed) lose ``farm_loss`` of their farm
  income that year. It is recorded where a registry records it — the farm income falls (``annual_net_income``) and
  the shock turns into debt (``total_liabilities``), through the generator's own shock mechanics, and the hit
  households borrow ``distress_borrowing`` times their lost farm income on top (to eat and restock) — and it raises
  the true PD of crop and livestock households there beyond what the recorded figures explain: the true log-odds
  gains ``hidden_logit`` (times the truth's separation), a risk a model trained before the drought has never seen
  but one that retraining on the drought year's outcomes can learn (the county and the purpose are features).
- **E-commerce.** Sales grow everywhere: every seller's ``ecommerce_sales`` times ``ecommerce_growth``, and
  ``new_sellers`` of the households of broadband villages that sold nothing start selling (side sales of the
  generator's size times the growth); a quarter of the sales is income, as for every year.

Nothing else changes: the same counties and villages, the same proportions, the same truth for everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import pandas as pd

from training.generator_households import Columns
from training.generator_places import YEARS, Places
from training.generator_truth import SEPARATION, farming, true_logit

SCENARIOS = ("drought",)


@dataclass(frozen=True, slots=True)
class DroughtScenario:
    """The drought year's settings (see the module's text); ``households`` applications that year (default: as
    many as an average year of the registry)."""

    year: int = 2025
    county_share: float = 1 / 3
    farm_loss: tuple[float, float] = (0.7, 0.9)
    distress_borrowing: tuple[float, float] = (1.0, 2.5)
    hidden_logit: float = 2.0
    ecommerce_growth: float = 2.5
    new_sellers: float = 0.35
    households: int | None = None
    name: str = "drought"
    name_zh: str = "旱灾"

    def __post_init__(self) -> None:
        if self.year <= YEARS[-1]:
            raise ValueError(f"the scenario's year must come after {YEARS[-1]}, got {self.year}")
        if not 0.0 < self.county_share <= 1.0:
            raise ValueError(f"county_share must be in (0, 1], got {self.county_share}")
        low, high = self.farm_loss
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError(f"farm_loss must be 0 <= low <= high <= 1, got {self.farm_loss}")
        if min(self.distress_borrowing) < 0.0 or self.distress_borrowing[0] > self.distress_borrowing[1]:
            raise ValueError(f"distress_borrowing must be 0 <= low <= high, got {self.distress_borrowing}")
        if self.ecommerce_growth < 0.0 or not 0.0 <= self.new_sellers <= 1.0:
            raise ValueError("ecommerce_growth must be >= 0 and new_sellers in [0, 1]")


def drought_counties(scenario: DroughtScenario, seed: int, n_counties: int) -> np.ndarray:
    """(C,) bool: the counties the drought hits, chosen by the seed (the same for every run of a seed)."""
    rng = np.random.default_rng([seed, scenario.year, 1])
    chosen = rng.permutation(n_counties)[: max(1, round(n_counties * scenario.county_share))]
    hit = np.zeros(n_counties, dtype=bool)
    hit[chosen] = True
    return hit


def scenario_year(
    scenario: DroughtScenario, seed: int, places: Places, n_households: int, first_number: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The applications of the scenario's year (application ids numbered from ``first_number``) and their truth."""
    from training.generator import LABEL_COLUMN, _frame, draw_households

    rng = np.random.default_rng([seed, scenario.year])
    n = scenario.households or max(1, round(n_households / len(YEARS)))
    hit = drought_counties(scenario, seed, len(places.county_codes))
    year_places = _with_drought(places, scenario, hit, rng)
    days = (np.datetime64(f"{scenario.year}-01-01"), np.datetime64(f"{scenario.year}-12-31"))
    cols = draw_households(rng, year_places, n, days=days, after_business=partial(_grow_ecommerce, scenario))
    borrowed = cols["farm_loss"] * rng.uniform(*scenario.distress_borrowing, size=n)
    cols["total_liabilities"] = cols["total_liabilities"] + np.round(borrowed, -2)
    hidden = SEPARATION * scenario.hidden_logit * (farming(cols) & hit[cols["county"]])
    pd_true = 1.0 / (1.0 + np.exp(-(true_logit(cols, year_places) + hidden)))
    cols[LABEL_COLUMN] = (rng.random(n) < pd_true).astype(np.int8)
    frame = _frame(rng, cols, year_places, first_number)
    return frame, pd.DataFrame({"application_id": frame["application_id"], "true_pd": pd_true})


def _with_drought(places: Places, scenario: DroughtScenario, hit: np.ndarray, rng: np.random.Generator) -> Places:
    """The places with a column of farm-income losses for the scenario's year: the drought's, 0 elsewhere."""
    index = scenario.year - YEARS[0]
    losses = np.zeros((len(hit), index + 1))
    losses[:, : places.shock_loss.shape[1]] = places.shock_loss
    losses[:, index] = np.where(hit, rng.uniform(*scenario.farm_loss, size=len(hit)), 0.0)
    return replace(places, shock_loss=losses)


def _grow_ecommerce(scenario: DroughtScenario, rng: np.random.Generator, cols: Columns) -> None:
    """Every seller sells ``ecommerce_growth`` times more; ``new_sellers`` of broadband non-sellers start."""
    sales = cols["ecommerce_sales"]
    starts = cols["village_broadband"] & (sales == 0.0) & (rng.random(len(sales)) < scenario.new_sellers)
    new = rng.lognormal(np.log(3000.0), 0.8, size=len(sales))
    cols["ecommerce_sales"] = np.round(np.where(starts, new, sales) * scenario.ecommerce_growth, 0)
