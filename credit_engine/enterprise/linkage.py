"""How many poor households an applicant can drive in its linkage mode (带贫模式): the contract's linkage rule.

A count of households driven is only believable when the enterprise has the means the mode needs. The rule, per
mode, over one application's columns (each figure is the least that makes a household's link real):

| mode | 中文 | at most |
|---|---|---|
| employment | 就业带动 | one household per employee from a poor household (``poor_employees``) |
| orders | 订单收购 | one per 2,000 yuan of local purchases a year (``revenue × local_sourcing_share``) |
| dividends | 入股分红 | one per 1,000 yuan of owner equity (a household's share; none with no equity) |
| land_lease | 土地流转 | one per 500 yuan of revenue (the year's rent of a household's land is paid from it) |
| household_loan | 户贷企用 | one per 10,000 yuan of total liabilities (each household's loan sits in them) |

Written once over columns (:mod:`credit_engine.columns`): a frame, arrays or one application.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from credit_engine.columns import Columns, is_in, number

YUAN_PER_HOUSEHOLD = {"orders": 2_000.0, "dividends": 1_000.0, "land_lease": 500.0, "household_loan": 10_000.0}
BASIS = {
    "employment": ("employees from poor households", "贫困劳动力人数"),
    "orders": ("2,000 yuan of local purchases per household", "每户本地采购 2,000 元"),
    "dividends": ("1,000 yuan of owner equity per household", "每户所有者权益 1,000 元"),
    "land_lease": ("500 yuan of revenue per household", "每户营业收入 500 元"),
    "household_loan": ("10,000 yuan of liabilities per household", "每户负债 10,000 元"),
}
FIELDS = ("linkage_mode", "households_driven", "poor_employees", "revenue", "local_sourcing_share", "owner_equity",
          "total_liabilities")  # fmt: skip


_MEANS: dict[str, Callable[[Columns], Any]] = {
    "employment": lambda columns: number(columns["poor_employees"]),
    "orders": lambda columns: (
        number(columns["revenue"]) * number(columns["local_sourcing_share"]) / YUAN_PER_HOUSEHOLD["orders"]
    ),
    "dividends": lambda columns: number(columns["owner_equity"]) / YUAN_PER_HOUSEHOLD["dividends"],
    "land_lease": lambda columns: number(columns["revenue"]) / YUAN_PER_HOUSEHOLD["land_lease"],
    "household_loan": lambda columns: number(columns["total_liabilities"]) / YUAN_PER_HOUSEHOLD["household_loan"],
}
"""Per mode, the households its means allow before rounding (over columns: arrays or one application's values)."""


def most_households(columns: Columns) -> Any:
    """The most households each application's linkage mode allows (whole households, never below 0)."""
    mode = columns["linkage_mode"]
    if isinstance(mode, str):  # one application: only its own mode's means (NaN for a mode the rule does not know)
        most = _MEANS[mode](columns) if mode in _MEANS else np.float64(np.nan)
    else:
        most = np.select([is_in(mode, (name,)) for name in _MEANS], [m(columns) for m in _MEANS.values()], np.nan)
    return np.maximum(np.floor(most), 0.0)
