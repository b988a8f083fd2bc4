"""Rating ONE validated application in plain Python: the scalar twin of :func:`credit_engine.rating.rate_applications`.

The batch service is vectorised for millions of rows and costs a millisecond or more on one row (pandas per call);
the scoring API rates one application per request, so this module applies the same policy — knock-outs, master
scale, credit line, decision bands, reason order — to one canonical record with plain arithmetic, in the same
order of operations (so the same floating-point results). The tests prove it equal to the batch service on
generated applications. A new knock-out rule without a twin here stops the import.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credit_engine.policy import knockouts
from credit_engine.policy.config import RatingPolicy
from credit_engine.rating import DECISIONS, DECISIONS_ZH, InvalidScorerOutput, merge_reasons

_ROUNDING_TOLERANCE = 1e-9  # as credit_engine.credit_line


@dataclass(frozen=True, slots=True)
class RecordRating:
    """What the policy makes of one application and its PD (fund headroom not yet considered)."""

    pd: float
    grade: str
    grade_zh: str
    credit_line_yuan: int
    decision: str
    decision_zh: str
    reasons: tuple[str, ...]
    knockouts: tuple[str, ...]
    decision_code: str
    policy_version: str


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _outside(value: float, low: float, high: float) -> bool:
    return not (low <= value <= high)  # NaN is outside


def _k01(policy: RatingPolicy, record: Mapping[str, Any]) -> bool:
    return record.get("registry_status") not in policy.eligibility.registry_statuses


def _k02(policy: RatingPolicy, record: Mapping[str, Any]) -> bool:
    rules = policy.eligibility
    return _outside(_number(record.get("head_age")), rules.min_age, rules.max_age)


def _k03(policy: RatingPolicy, record: Mapping[str, Any]) -> bool:
    return record.get("credit_record") in policy.eligibility.excluded_credit_records


def _k04(policy: RatingPolicy, record: Mapping[str, Any]) -> bool:
    return record.get("purpose") not in policy.eligibility.productive_purposes


def _k05(policy: RatingPolicy, record: Mapping[str, Any]) -> bool:
    limits = policy.product_limits
    return _outside(_number(record.get("requested_amount")), limits.min_amount_yuan, limits.max_amount_yuan)


def _k06(policy: RatingPolicy, record: Mapping[str, Any]) -> bool:
    limits = policy.product_limits
    forestry = record.get("purpose") in limits.forestry_purposes
    longest = limits.forestry_max_term_months if forestry else limits.max_term_months
    return _outside(_number(record.get("term_months")), limits.min_term_months, longest)


KNOCKOUTS: dict[str, Callable[[RatingPolicy, Mapping[str, Any]], bool]] = {
    "K01": _k01,
    "K02": _k02,
    "K03": _k03,
    "K04": _k04,
    "K05": _k05,
    "K06": _k06,
}
if tuple(KNOCKOUTS) != knockouts.KNOCKOUT_CODES:  # a new or reordered rule needs its twin here
    raise RuntimeError(f"knock-out twins {tuple(KNOCKOUTS)} differ from the rules {knockouts.KNOCKOUT_CODES}")


def grade_position(pd_value: float, policy: RatingPolicy) -> int:
    """Position on the master scale (0 = best): the first grade whose ``max_pd`` the PD is below."""
    bounds = [band.max_pd for band in policy.master_scale]
    return min(bisect.bisect_right(bounds, pd_value), len(bounds) - 1)


def repayment_capacity_yuan(record: Mapping[str, Any], policy: RatingPolicy) -> float:
    rule = policy.repayment_capacity
    income = _number(record.get("annual_net_income")) + _number(record.get("transfer_income"))
    income = 0.0 if math.isnan(income) else income
    term = _number(record.get("term_months"))
    term_years = max(12.0 if math.isnan(term) else term, 12.0) / 12.0
    yearly_cost_per_yuan = 1.0 / term_years + rule.annual_rate
    return rule.max_repayment_share * max(income, 0.0) / yearly_cost_per_yuan


def credit_line_yuan(record: Mapping[str, Any], grade: str, policy: RatingPolicy) -> tuple[int, bool, bool]:
    """(line, grade carries no line, capacity leaves none), as :func:`credit_engine.credit_line.credit_lines`."""
    limits = policy.product_limits
    grade_line = float(policy.grade_lines_yuan[grade])
    requested = _number(record.get("requested_amount"))
    requested = 0.0 if math.isnan(requested) else requested
    ceiling = min(min(grade_line, float(limits.max_amount_yuan)), requested)
    ceiling = min(ceiling, repayment_capacity_yuan(record, policy))
    step = policy.line_rounding_yuan
    rounded = math.floor(max(ceiling, 0.0) / step + _ROUNDING_TOLERANCE) * step
    line = int(rounded) if rounded >= limits.min_amount_yuan else 0
    grade_without_line = grade_line == 0
    return line, grade_without_line, line == 0 and not grade_without_line


def _decide(pd_value: float, failed: list[str], lines: tuple[int, bool, bool], policy: RatingPolicy):
    line, grade_without_line, capacity_short = lines
    bands = policy.decision
    above_decline, in_refer_band = pd_value >= bands.decline_min_pd, pd_value >= bands.approve_max_pd
    if failed or above_decline:
        decision = 2
    elif in_refer_band or line == 0:
        decision = 1
    else:
        decision = 0
    code = ""
    for hit, name in ((failed, ""), (above_decline, "D01"), (in_refer_band, "D02")):
        if hit:
            code = name
            break
    else:
        code = "D04" if grade_without_line else "D03" if capacity_short else ""
    return decision, code, 0 if decision == 2 else line


def rate_record(
    record: Mapping[str, Any], pd_value: float, model_reasons: Sequence[str], policy: RatingPolicy
) -> RecordRating:
    """Rate one canonical application (as :func:`~credit_engine.contract.record.validate_record` returns it)."""
    if not 0.0 <= pd_value <= 1.0:
        raise InvalidScorerOutput(f"the scorer returned a PD outside 0–1: {pd_value!r}")
    failed = [code for code, rule in KNOCKOUTS.items() if rule(policy, record)]
    grade = policy.grades[grade_position(pd_value, policy)]
    lines = credit_line_yuan(record, grade, policy)
    decision, decision_code, line = _decide(pd_value, failed, lines, policy)
    leading = [*failed, decision_code] if decision_code else failed
    return RecordRating(
        pd=pd_value,
        grade=grade,
        grade_zh=policy.grade_labels_zh[grade],
        credit_line_yuan=line,
        decision=DECISIONS[decision],
        decision_zh=DECISIONS_ZH[decision],
        reasons=merge_reasons(leading, model_reasons),
        knockouts=tuple(failed),
        decision_code=decision_code,
        policy_version=policy.version,
    )
