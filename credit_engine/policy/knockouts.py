"""Knock-out rules: who is declined before the model's opinion counts, each with its own reason code.

A rule is a small function ``(policy, columns) -> mask`` over validated applications (:mod:`credit_engine.columns`:
a frame's columns, or one application) that returns a boolean mask, ``True`` where the application FAILS it — an
array for a table, a numpy bool for one application. The rules are registered once, in order, in
:data:`KNOCKOUT_RULES`; what a rule checks against (eligible statuses, ages, purposes, limits) comes from the policy,
never from the code. The same rules rate a million rows in the batch, one application at the counter and pick the
households a demo ledger lends to. A rule fails a row whose value is missing, so a gap in the data can never let an
application through. Enumerations may be pandas ``Categorical`` or strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from credit_engine.columns import Columns, is_in, number
from credit_engine.policy.config import RatingPolicy

KnockoutRule = Callable[[RatingPolicy, Columns], Any]


def _outside(values: Any, low: Any, high: Any) -> Any:
    """Values not within [low, high]; NaN is outside."""
    return np.logical_not((values >= low) & (values <= high))


def registry_status_not_eligible(policy: RatingPolicy, columns: Columns) -> Any:
    """K01: not a registered, exited or monitored household."""
    return np.logical_not(is_in(columns["registry_status"], policy.eligibility.registry_statuses))


def head_age_out_of_range(policy: RatingPolicy, columns: Columns) -> Any:
    """K02: head of household younger than ``min_age`` or older than ``max_age``."""
    rules = policy.eligibility
    return _outside(number(columns["head_age"]), rules.min_age, rules.max_age)


def credit_record_excluded(policy: RatingPolicy, columns: Columns) -> Any:
    """K03: an excluded (adverse) credit bureau record."""
    return is_in(columns["credit_record"], policy.eligibility.excluded_credit_records)


def purpose_not_productive(policy: RatingPolicy, columns: Columns) -> Any:
    """K04: the money is not for the household's own production."""
    return np.logical_not(is_in(columns["purpose"], policy.eligibility.productive_purposes))


def amount_out_of_limits(policy: RatingPolicy, columns: Columns) -> Any:
    """K05: requested amount outside the product's minimum and maximum."""
    limits = policy.product_limits
    return _outside(number(columns["requested_amount"]), limits.min_amount_yuan, limits.max_amount_yuan)


def term_out_of_limits(policy: RatingPolicy, columns: Columns) -> Any:
    """K06: term outside the product's limits; forestry purposes may run to ``forestry_max_term_months``."""
    limits = policy.product_limits
    term = number(columns["term_months"])
    forestry = is_in(columns["purpose"], limits.forestry_purposes)
    beyond_usual = _outside(term, limits.min_term_months, limits.max_term_months)
    beyond_forestry = _outside(term, limits.min_term_months, limits.forestry_max_term_months)
    return (forestry & beyond_forestry) | (np.logical_not(forestry) & beyond_usual)


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


def knockout_masks(columns: Columns, policy: RatingPolicy) -> list[Any]:
    """One mask per rule, in registered order: ``True`` where a row fails the rule."""
    return [rule(policy, columns) for _, rule in KNOCKOUT_RULES]


def knockout_matrix(columns: Columns, policy: RatingPolicy, masks: list[Any] | None = None) -> np.ndarray:
    """Boolean array, rows × rules in registered order (one application: one entry per rule): ``True`` where a row
    fails a rule. ``masks``: :func:`knockout_masks` already computed."""
    return np.array(knockout_masks(columns, policy) if masks is None else masks).T


def knockout_codes(columns: Columns, policy: RatingPolicy) -> list[list[str]]:
    """The codes of the rules each row of a table fails, in registered order (an empty list: no knock-out)."""
    matrix = knockout_matrix(columns, policy)
    return [[KNOCKOUT_CODES[i] for i in np.flatnonzero(row)] for row in matrix]


def passes_knockouts(columns: Columns, policy: RatingPolicy) -> np.ndarray:
    """``True`` for the rows of a table that fail no knock-out rule."""
    return np.logical_not(knockout_matrix(columns, policy).any(axis=-1))
