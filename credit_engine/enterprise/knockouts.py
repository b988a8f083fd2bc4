"""Knock-out rules of 强农贷: who is declined before the model's opinion counts, each with its reason code.

A rule is ``(policy, columns) -> mask`` over validated enterprise applications (a frame's columns or one
application, :mod:`credit_engine.columns`), True where the application FAILS it; thresholds come from the policy's
``eligibility`` (``credit_engine/policy/qiangnong-*.yaml``), never from the code. A missing value fails a rule. The
credit code's check character is the contract's (:mod:`credit_engine.enterprise.rules`): a bad code never gets here.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from credit_engine.columns import Columns, is_in, number
from credit_engine.enterprise.policy import EnterprisePolicy

EnterpriseKnockout = Callable[[EnterprisePolicy, Columns], Any]


def _not(mask: Any) -> Any:
    return np.logical_not(mask)


def credit_record_excluded(policy: EnterprisePolicy, columns: Columns) -> Any:
    """K11: an excluded (adverse) credit bureau record."""
    return is_in(columns["credit_record"], policy.eligibility.excluded_credit_records)


def too_many_overdues(policy: EnterprisePolicy, columns: Columns) -> Any:
    """K12: more overdues on record than the policy allows."""
    return _not(number(columns["prior_overdue_times"]) <= policy.eligibility.max_prior_overdue_times)


def too_few_households(policy: EnterprisePolicy, columns: Columns) -> Any:
    """K13: fewer registered poor households driven than the policy's minimum."""
    return _not(number(columns["households_driven"]) >= policy.eligibility.min_households_driven)


def equity_not_positive(policy: EnterprisePolicy, columns: Columns) -> Any:
    """K14: net assets (owner equity) not above 0, where the policy requires it."""
    failed = _not(number(columns["owner_equity"]) > 0.0)
    return failed & policy.eligibility.positive_equity_required


def too_young(policy: EnterprisePolicy, columns: Columns) -> Any:
    """K15: fewer years in operation than the policy's minimum."""
    return _not(number(columns["years_operating"]) >= policy.eligibility.min_years_operating)


def amount_out_of_limits(policy: EnterprisePolicy, columns: Columns) -> Any:
    """K16: the amount requested below the product's minimum (above its maximum the loan is cut, L05)."""
    return _not(number(columns["requested_amount"]) >= policy.product_limits.min_amount_yuan)


def term_out_of_limits(policy: EnterprisePolicy, columns: Columns) -> Any:
    """K17: term outside the policy's months; the long-term industries (forestry) may run longer."""
    rules = policy.eligibility
    term = number(columns["term_months"])
    longest = np.where(is_in(columns["industry"], rules.long_term_industries), rules.long_term_max_months,
                       rules.max_term_months)  # fmt: skip
    return _not((term >= rules.min_term_months) & (term <= longest))


ENTERPRISE_KNOCKOUTS: tuple[tuple[str, EnterpriseKnockout], ...] = (
    ("K11", credit_record_excluded),
    ("K12", too_many_overdues),
    ("K13", too_few_households),
    ("K14", equity_not_positive),
    ("K15", too_young),
    ("K16", amount_out_of_limits),
    ("K17", term_out_of_limits),
)
KNOCKOUT_CODES: tuple[str, ...] = tuple(code for code, _ in ENTERPRISE_KNOCKOUTS)


def knockout_matrix(columns: Columns, policy: EnterprisePolicy) -> np.ndarray:
    """rows × rules, True where a row fails a rule (:data:`KNOCKOUT_CODES` order); one application: one row."""
    masks = [rule(policy, columns) for _, rule in ENTERPRISE_KNOCKOUTS]
    if all(np.ndim(mask) == 0 for mask in masks):  # one application's scalars
        return np.array([masks], dtype=bool)
    return np.column_stack([np.atleast_1d(mask) for mask in masks])


def knocked_out(matrix: np.ndarray) -> np.ndarray:
    """Rows failing any rule."""
    return functools.reduce(operator.or_, matrix.T)
