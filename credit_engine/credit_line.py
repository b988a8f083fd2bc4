"""The credit line (授信额度) a household can be given: the smallest of four limits, rounded down.

line = min(the grade's line, the product's maximum, the repayment capacity, the amount requested), rounded down to
a multiple of ``line_rounding_yuan``; a line below the product's minimum becomes 0. Repayment capacity is the
largest principal P whose yearly repayment — P / term_years + P × annual_rate, with term_years = max(term_months,
12) / 12 — stays within ``max_repayment_share`` × (annual net income + transfer income). Everything is vectorised
over a frame of validated applications; lines are whole yuan (int64).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_engine.policy.config import RatingPolicy

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

    line_yuan: np.ndarray
    grade_without_line: np.ndarray
    capacity_short: np.ndarray


def _number(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def repayment_capacity_yuan(frame: pd.DataFrame, policy: RatingPolicy) -> np.ndarray:
    """Largest principal (yuan, float) each household can repay under the policy; 0 where income is missing."""
    rule = policy.repayment_capacity
    income = np.nan_to_num(_number(frame, "annual_net_income") + _number(frame, "transfer_income"), nan=0.0)
    term_years = np.maximum(np.nan_to_num(_number(frame, "term_months"), nan=12.0), 12.0) / 12.0
    yearly_cost_per_yuan = 1.0 / term_years + rule.annual_rate
    return rule.max_repayment_share * np.clip(income, 0.0, None) / yearly_cost_per_yuan


def credit_lines(frame: pd.DataFrame, grade_index: np.ndarray, policy: RatingPolicy) -> CreditLines:
    """The line of each application given its grade (position on the master scale)."""
    limits = policy.product_limits
    grade_line = np.array([policy.grade_lines_yuan[grade] for grade in policy.grades], dtype="float64")[grade_index]
    requested = np.nan_to_num(_number(frame, "requested_amount"), nan=0.0)
    ceiling = np.minimum(np.minimum(grade_line, limits.max_amount_yuan), requested)
    ceiling = np.minimum(ceiling, repayment_capacity_yuan(frame, policy))
    step = policy.line_rounding_yuan
    rounded = np.floor(np.clip(ceiling, 0.0, None) / step + _ROUNDING_TOLERANCE) * step
    line = np.where(rounded >= limits.min_amount_yuan, rounded, 0.0).astype(np.int64)
    grade_without_line = grade_line == 0
    return CreditLines(
        line_yuan=line,
        grade_without_line=grade_without_line,
        capacity_short=(line == 0) & ~grade_without_line,
    )
