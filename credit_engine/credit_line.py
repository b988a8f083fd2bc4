"""The credit line (授信额度) a household can be given: the smallest of four limits, rounded down.

line = min(the grade's line, the product's maximum, the repayment capacity, the amount requested), rounded down to
a multiple of ``line_rounding_yuan``; a line below the product's minimum becomes 0. Repayment capacity is the
largest principal P whose yearly repayment — P / term_years + P × annual_rate, with term_years = max(term_months,
12) / 12 — stays within ``max_repayment_share`` × (annual net income + transfer income). Written once over
columns (:mod:`credit_engine.columns`): arrays for a frame of validated applications, numpy scalars for one
application; lines are whole yuan (int64).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from credit_engine.columns import Columns, number
from credit_engine.policy.config import RatingPolicy
from credit_engine.policy.scale import scale_arrays

REQUIRED_COLUMNS: tuple[str, ...] = (
    "annual_net_income",
    "transfer_income",
    "requested_amount",
    "term_months",
)

# Rounding down a value that is a multiple of the rounding step up to float noise must not lose a whole step.
_ROUNDING_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class CreditLines:
    """Lines per row and why a line is 0: the grade carries none (D04) or the household cannot carry one (D03)."""

    line_yuan: Any
    grade_without_line: Any
    capacity_short: Any


def repayment_capacity_yuan(columns: Columns, policy: RatingPolicy) -> Any:
    """Largest principal (yuan, float) each household can repay under the policy; 0 where income is missing."""
    rule = policy.repayment_capacity
    income = np.fmax(number(columns["annual_net_income"]) + number(columns["transfer_income"]), 0.0)  # NaN -> 0
    term_years = np.fmax(number(columns["term_months"]), 12.0) / 12.0  # NaN -> 12 months
    yearly_cost_per_yuan = 1.0 / term_years + rule.annual_rate
    return rule.max_repayment_share * income / yearly_cost_per_yuan


def credit_lines(columns: Columns, grade_index: Any, policy: RatingPolicy) -> CreditLines:
    """The line of each application given its grade (position on the master scale)."""
    limits = policy.product_limits
    grade_line = scale_arrays(policy).capped_line_yuan[grade_index]  # at most the product's maximum
    requested = np.fmax(number(columns["requested_amount"]), 0.0)  # NaN -> 0
    ceiling = np.minimum(np.minimum(grade_line, requested), repayment_capacity_yuan(columns, policy))
    step = policy.line_rounding_yuan
    rounded = np.floor(ceiling / step + _ROUNDING_TOLERANCE) * step  # every limit is >= 0, so is the ceiling
    line = (rounded * (rounded >= limits.min_amount_yuan)).astype(np.int64)  # below the product minimum: 0
    return CreditLines(
        line_yuan=line,
        grade_without_line=grade_line == 0,
        capacity_short=(line == 0) & (grade_line != 0),
    )
