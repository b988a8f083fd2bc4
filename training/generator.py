"""The synthetic registry: household loan applications with outcomes, and the ground truth behind them.

No real registry may leave a bank, so training, benchmarks and demos run on a generated one. ``generate_registry``
places households in the real poverty-alleviation counties of Shanxi (province → county → township → village →
household), draws each household's people, business, balance sheet, credit history and loan request with the
proportions of DOMAIN.md §6, computes a true probability of default from what the application records
(:mod:`training.generator_truth`) and draws ``defaulted`` from it. The applications carry exactly the columns of the
data contract (DESIGN.md) plus ``defaulted``; ``true_pd`` lives in a separate truth frame keyed by
``application_id``. Everything is vectorised numpy from one seeded generator: the same seed gives identical frames.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from credit_engine.regions import SHANXI_POVERTY_COUNTIES
from training import generator_economy as economy
from training import generator_households as households
from training import generator_ids as ids
from training.generator_places import Places, build_places
from training.generator_truth import true_pd

if TYPE_CHECKING:
    from training.generator_drought import DroughtScenario

CONTRACT_COLUMNS: tuple[str, ...] = (
    "application_id", "household_id", "head_id_number", "county_code", "village_code", "registry_status",
    "head_age", "head_gender", "head_education", "head_health", "household_size", "labor_count", "migrant_workers",
    "poverty_cause", "annual_net_income", "transfer_income", "total_assets", "total_liabilities", "arable_land_mu",
    "livestock_units", "housing_safe", "medical_insurance", "loan_insurance", "cooperative_member",
    "coop_share_capital", "ecommerce_sales", "village_evaluation", "neighbor_relations", "credit_record",
    "prior_loans", "prior_overdue_times", "requested_amount", "term_months", "purpose", "application_date",
    "village_road_hardened", "village_broadband", "village_migration_rate",
)  # fmt: skip
LABEL_COLUMN = "defaulted"
_INTEGERS = ("head_age", "household_size", "labor_count", "migrant_workers", "neighbor_relations", "prior_loans",
             "prior_overdue_times", "term_months")  # fmt: skip
_BOOLEANS = ("housing_safe", "medical_insurance", "loan_insurance", "cooperative_member", "village_road_hardened",
             "village_broadband")  # fmt: skip
_FLOATS = ("annual_net_income", "transfer_income", "total_assets", "total_liabilities", "arable_land_mu",
           "livestock_units", "coop_share_capital", "ecommerce_sales", "requested_amount",
           "village_migration_rate")  # fmt: skip
CANONICAL_DTYPES: dict[str, str] = {
    **{name: "str" for name in CONTRACT_COLUMNS},
    **{name: "int64" for name in _INTEGERS},
    **{name: "bool" for name in _BOOLEANS},
    **{name: "float64" for name in _FLOATS},
    "application_date": "datetime64[ns]",
    LABEL_COLUMN: "int8",
}
_LABELS: dict[str, tuple[str, ...]] = {
    "registry_status": households.REGISTRY_STATUSES,
    "head_education": households.EDUCATIONS,
    "head_health": households.HEALTHS,
    "poverty_cause": households.POVERTY_CAUSES,
    "purpose": households.PURPOSES,
    "village_evaluation": economy.VILLAGE_EVALUATIONS,
    "credit_record": economy.CREDIT_RECORDS,
}


def generate_registry(
    n_households: int,
    seed: int,
    *,
    on_step: Callable[[str], None] | None = None,
    counties: int | None = None,
    scenario: DroughtScenario | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_households`` applications (contract columns + ``defaulted``) and their truth (``application_id``,
    ``true_pd``): one application per household, in order of application date. Deterministic for a seed.

    ``on_step`` is told the name of each stage as it starts (for progress displays). ``counties`` keeps the first
    that many counties (a small world; default all). ``scenario`` (opt-in, :mod:`training.generator_drought`)
    appends the applications of the scenario's year after the 2021–2024 ones, which stay exactly what the same seed
    gives without it.
    """
    if n_households < 1:
        raise ValueError(f"n_households must be at least 1, got {n_households}")
    step = on_step or (lambda _: None)
    rng = np.random.default_rng(seed)
    step("counties and villages / 县与村")
    places = build_places(rng) if counties is None else build_places(rng, SHANXI_POVERTY_COUNTIES[:counties])
    step("households / 农户")
    cols = draw_households(rng, places, n_households)
    step("true PD and outcomes / 真实违约概率与结果")
    pd_true = true_pd(cols, places)
    cols[LABEL_COLUMN] = (rng.random(n_households) < pd_true).astype(np.int8)
    step("identifiers and ID numbers / 编号与身份证号")
    applications = _frame(rng, cols, places)
    truth = pd.DataFrame({"application_id": applications["application_id"], "true_pd": pd_true})
    if scenario is None:
        return applications, truth
    from training.generator_drought import scenario_year

    step(f"scenario {scenario.name} / 情景 {scenario.name_zh}")
    later, later_truth = scenario_year(scenario, seed, places, n_households, first_number=len(applications) + 1)
    return (pd.concat([applications, later], ignore_index=True), pd.concat([truth, later_truth], ignore_index=True))


def draw_households(
    rng: np.random.Generator,
    places: Places,
    n: int,
    *,
    days: tuple[np.datetime64, np.datetime64] = (households.FIRST_DAY, households.LAST_DAY),
    after_business: Callable[[np.random.Generator, households.Columns], None] | None = None,
) -> households.Columns:
    """All recorded facts of ``n`` households, as numpy arrays in order of application date: applying between
    ``days`` (first and last, inclusive); ``after_business`` may change the line of business (a scenario's
    e-commerce growth) before income is drawn from it."""
    cols = households.draw_placement(rng, places, n, *days)
    order = np.argsort(cols["application_day"], kind="stable")
    cols = {name: values[order] for name, values in cols.items()}
    cols["village_road_hardened"] = places.village_road[cols["village"]]
    cols["village_broadband"] = places.village_broadband[cols["village"]]
    cols["village_migration_rate"] = np.round(places.village_migration[cols["village"]], 3)
    households.draw_people(rng, cols, places)
    households.draw_business(rng, cols, places)
    if after_business is not None:
        after_business(rng, cols)
    economy.draw_income(rng, cols, places)
    economy.draw_balance_sheet(rng, cols)
    economy.draw_credit(rng, cols)
    economy.draw_request(rng, cols)
    return cols


def _frame(rng: np.random.Generator, cols: households.Columns, places: Places, first_number: int = 1) -> pd.DataFrame:
    """The applications frame with the canonical dtypes: ids and enums as str, ints int64, money float64;
    application ids numbered from ``first_number``."""
    n = len(cols["village"])
    county_codes = places.county_codes[cols["county"]]
    born = ids.birth_dates(rng, cols["application_day"], cols["head_age"])
    sequence = ids.sequences(rng, county_codes * 100_000 + born.astype(np.int64), cols["male"])
    text = {
        "application_id": ids.numbered("A", np.arange(first_number, first_number + n), 9),
        "household_id": ids.numbered("H", rng.permutation(n) + first_number, 9),
        "head_id_number": ids.id_numbers(county_codes, born, sequence),
        "county_code": ids.labelled(places.county_codes.astype(str), cols["county"]),
        "village_code": ids.labelled(places.village_codes, cols["village"]),
        "head_gender": ids.labelled(("F", "M"), cols["male"]),
        **{name: ids.labelled(labels, cols[name]) for name, labels in _LABELS.items()},
    }
    data = {name: pd.Series(values, dtype="str") for name, values in text.items()}
    data["application_date"] = pd.Series(cols["application_day"].astype("datetime64[ns]"))
    frame = pd.DataFrame({name: data[name] if name in data else cols[name] for name in CONTRACT_COLUMNS})
    frame[LABEL_COLUMN] = cols[LABEL_COLUMN]
    return _with_canonical_dtypes(frame)


def _with_canonical_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Cast any column not already of its contract dtype (a guarantee; the arrays are normally right already)."""
    wrong = {name: CANONICAL_DTYPES[name] for name in frame.columns if frame[name].dtype != CANONICAL_DTYPES[name]}
    return frame.astype(wrong) if wrong else frame
