"""A fund without open loans (just opened, or as of a date before its first loan) is stressed too: nothing can
default, so it is never exhausted (the workspace's fund page stresses every fund it shows)."""

from __future__ import annotations

from credit_engine.stress.scenario import StressOptions
from credit_engine.stress.service import stress_test


def test_a_fund_without_loans_is_never_exhausted(book, scenario):
    empty = book(0, 0.02)
    result = stress_test([empty], scenario(), StressOptions(horizon_months=12, scenarios=200, leverages=(8.0,)))
    figures = result.funds[0]
    assert figures.loans == 0 and figures.current.exhaustion_within_horizon == 0.0
    assert figures.current.exhaustion_by_month == {12: 0.0}
