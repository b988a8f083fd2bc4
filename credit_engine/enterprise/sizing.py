"""The 强农贷 loan size: the smallest of five limits, rounded down, with the reasons of every limit that cuts.

size = min(the grade's risk-based limit, repayment capacity, per-household quota × households driven, collateral
cover where required, the product limit) and never above the amount requested; rounded down to
``amount_rounding_yuan``; a size below the product's minimum becomes 0.

- Repayment capacity: the largest principal P whose yearly service — P / term_years + P × annual_rate, term_years =
  max(term_months, 12) / 12 — fits in ``max_debt_service_share`` × operating cash flow after the existing bank debt's
  service (``existing_debt_service_per_yuan`` × existing_bank_debt); 0 when nothing is left.
- Household quota: ``per_household_yuan`` × households_driven (the loan is sized by the poor households it drives).
- Collateral cover applies when the request is above ``unsecured_max_yuan`` and the guarantor is not one that waives
  it: the loan is then at most max(``unsecured_max_yuan``, advance rate of the collateral type × collateral value).

Written once over columns (:mod:`credit_engine.columns`): arrays for a frame, numpy scalars for one application.
Each limit below the amount requested gives its reason code (:data:`LIMIT_REASONS`, in 中文 and English in
:mod:`credit_engine.reasons`), e.g. L03 "fewer households driven than the amount needs".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from credit_engine.columns import Columns, is_in, number
from credit_engine.enterprise.policy import EnterprisePolicy
from credit_engine.policy.scale import scale_arrays

LIMIT_REASONS: dict[str, str] = {
    "risk": "L01",
    "capacity": "L02",
    "households": "L03",
    "collateral": "L04",
    "product": "L05",
}
"""Each limit and the reason code given when it cuts the amount requested, in the order reasons are listed."""
_ROUNDING_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class LoanSizes:
    """Sizes (whole yuan, int64), each limit in yuan (float; +inf where it does not apply), the households the
    amount requested needs at the quota, and the amount requested."""

    amount_yuan: Any
    limits: dict[str, Any]
    households_needed: Any
    requested_yuan: Any

    def cuts(self) -> dict[str, Any]:
        """Per limit, where it is below the amount requested (the limit cuts the loan)."""
        return {name: limit < self.requested_yuan for name, limit in self.limits.items()}

    def reason_codes(self) -> list[list[str]]:
        """Per row, the codes of the limits that cut it (in :data:`LIMIT_REASONS` order); for a table."""
        cuts = self.cuts()
        if all(np.ndim(cut) == 0 for cut in cuts.values()):  # one application's scalars
            return [[LIMIT_REASONS[name] for name, cut in cuts.items() if cut]]
        cuts = {name: np.atleast_1d(cut) for name, cut in cuts.items()}
        rows = len(np.atleast_1d(self.requested_yuan))
        return [[LIMIT_REASONS[name] for name, cut in cuts.items() if cut[row]] for row in range(rows)]


def repayment_capacity_yuan(columns: Columns, policy: EnterprisePolicy) -> Any:
    """The largest principal each applicant's operating cash flow can service (yuan, float; 0 when none)."""
    rule = policy.repayment_capacity
    cash = rule.max_debt_service_share * number(columns["operating_cash_flow"])
    free = np.fmax(cash - rule.existing_debt_service_per_yuan * number(columns["existing_bank_debt"]), 0.0)
    term_years = np.fmax(number(columns["term_months"]), 12.0) / 12.0
    return free / (1.0 / term_years + rule.annual_rate)


def collateral_limit_yuan(columns: Columns, policy: EnterprisePolicy) -> Any:
    """The collateral cover: +inf where collateral is not required, else max(unsecured maximum, advance × value)."""
    rule = policy.collateral
    rates = dict(rule.advance_rates)
    kinds = columns["collateral_type"]
    if isinstance(kinds, str):  # one application: its own type's rate
        advance = np.float64(rates.get(kinds, 0.0))
    else:
        advance = np.select([is_in(kinds, (kind,)) for kind in rates], list(rates.values()), default=0.0)
    cover = np.fmax(advance * number(columns["collateral_value"]), float(rule.unsecured_max_yuan))
    required = (number(columns["requested_amount"]) > rule.unsecured_max_yuan) & ~is_in(
        columns["guarantor"], rule.waived_by_guarantors
    )
    return np.where(required, cover, np.inf)


def loan_sizes(columns: Columns, grade_index: Any, policy: EnterprisePolicy) -> LoanSizes:
    """The loan size of each application given its grade (position on the master scale)."""
    requested = np.fmax(number(columns["requested_amount"]), 0.0)
    quota = float(policy.household_quota.per_household_yuan)
    limits = {
        "risk": scale_arrays(policy).capped_line_yuan[grade_index],
        "capacity": repayment_capacity_yuan(columns, policy),
        "households": quota * np.fmax(number(columns["households_driven"]), 0.0),
        "collateral": collateral_limit_yuan(columns, policy),
        "product": np.float64(policy.product_limits.max_amount_yuan),
    }
    ceiling = requested
    for limit in limits.values():
        ceiling = np.minimum(ceiling, limit)
    step = policy.amount_rounding_yuan
    rounded = np.floor(ceiling / step + _ROUNDING_TOLERANCE) * step
    amount = (rounded * (rounded >= policy.product_limits.min_amount_yuan)).astype(np.int64)
    return LoanSizes(amount, limits, np.ceil(requested / quota - _ROUNDING_TOLERANCE), requested)
