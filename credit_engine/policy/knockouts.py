"""Knock-out rules: who is declined before the model's opinion counts, each with its own reason code.

A rule is a small function ``(policy, frame) -> mask`` over validated applications that returns a boolean numpy
array, ``True`` for the rows that FAIL it. The rules are registered once, in order, in :data:`KNOCKOUT_RULES`; what a
rule checks against (eligible statuses, ages, purposes, limits) comes from the policy, never from the code. Every rule
is vectorised (the batch rates a million rows at a time) and fails a row whose value is missing, so a gap in the
data can never let an application through. Enumerations may be pandas ``Categorical`` or strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from credit_engine.policy.config import RatingPolicy

KnockoutRule = Callable[[RatingPolicy, pd.DataFrame], np.ndarray]


def _is_in(column: pd.Series, values: Iterable[str]) -> np.ndarray:
    """Membership as a numpy mask; on a Categorical only the categories are compared (cheap on 1M rows)."""
    values = list(values)
    if isinstance(column.dtype, pd.CategoricalDtype):
        hit = np.append(column.cat.categories.isin(values), False)  # code -1 (missing) -> last entry
        return hit[column.cat.codes.to_numpy()]
    return column.isin(values).to_numpy(dtype=bool, na_value=False)


def _number(column: pd.Series) -> np.ndarray:
    return column.to_numpy(dtype="float64", na_value=np.nan)


def _outside(values: np.ndarray, low: float | np.ndarray, high: float | np.ndarray) -> np.ndarray:
    """Rows not within [low, high]; NaN is outside."""
    return ~((values >= low) & (values <= high))


def registry_status_not_eligible(policy: RatingPolicy, frame: pd.DataFrame) -> np.ndarray:
    """K01: not a registered, exited or monitored household."""
    return ~_is_in(frame["registry_status"], policy.eligibility.registry_statuses)


def head_age_out_of_range(policy: RatingPolicy, frame: pd.DataFrame) -> np.ndarray:
    """K02: head of household younger than ``min_age`` or older than ``max_age``."""
    rules = policy.eligibility
    return _outside(_number(frame["head_age"]), rules.min_age, rules.max_age)


def credit_record_excluded(policy: RatingPolicy, frame: pd.DataFrame) -> np.ndarray:
    """K03: an excluded (adverse) credit bureau record."""
    return _is_in(frame["credit_record"], policy.eligibility.excluded_credit_records)


def purpose_not_productive(policy: RatingPolicy, frame: pd.DataFrame) -> np.ndarray:
    """K04: the money is not for the household's own production."""
    return ~_is_in(frame["purpose"], policy.eligibility.productive_purposes)


def amount_out_of_limits(policy: RatingPolicy, frame: pd.DataFrame) -> np.ndarray:
    """K05: requested amount outside the product's minimum and maximum."""
    limits = policy.product_limits
    return _outside(_number(frame["requested_amount"]), limits.min_amount_yuan, limits.max_amount_yuan)


def term_out_of_limits(policy: RatingPolicy, frame: pd.DataFrame) -> np.ndarray:
    """K06: term outside the product's limits; forestry purposes may run to ``forestry_max_term_months``."""
    limits = policy.product_limits
    forestry = _is_in(frame["purpose"], limits.forestry_purposes)
    longest = np.where(forestry, limits.forestry_max_term_months, limits.max_term_months)
    return _outside(_number(frame["term_months"]), limits.min_term_months, longest)


KNOCKOUT_RULES: tuple[tuple[str, KnockoutRule], ...] = (
    ("K01", registry_status_not_eligible),
    ("K02", head_age_out_of_range),
    ("K03", credit_record_excluded),
    ("K04", purpose_not_productive),
    ("K05", amount_out_of_limits),
    ("K06", term_out_of_limits),
)

KNOCKOUT_CODES: tuple[str, ...] = tuple(code for code, _ in KNOCKOUT_RULES)

REQUIRED_COLUMNS: tuple[str, ...] = (
    "registry_status",
    "head_age",
    "credit_record",
    "purpose",
    "requested_amount",
    "term_months",
)


def knockout_matrix(frame: pd.DataFrame, policy: RatingPolicy) -> np.ndarray:
    """Boolean array (rows × rules, in registered order): ``True`` where a row fails a rule."""
    matrix = np.zeros((len(frame), len(KNOCKOUT_RULES)), dtype=bool)
    for position, (_, rule) in enumerate(KNOCKOUT_RULES):
        matrix[:, position] = rule(policy, frame)
    return matrix


def knockout_codes(frame: pd.DataFrame, policy: RatingPolicy) -> list[list[str]]:
    """The codes of the rules each row fails, in registered order (an empty list: no knock-out)."""
    matrix = knockout_matrix(frame, policy)
    return [[KNOCKOUT_CODES[i] for i in np.flatnonzero(row)] for row in matrix]
