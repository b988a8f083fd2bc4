"""What the administrator reads: exhaustion of a tiny fund, the safe multiple against the target, the top-up."""

from __future__ import annotations

import dataclasses

import pytest

from credit_engine.stress.figures import safe_multiple
from credit_engine.stress.scenario import StressOptions
from credit_engine.stress.service import stress_fund, stress_test

LEVERAGES = (2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0)


def test_a_fund_with_a_tiny_balance_is_exhausted_with_high_probability(book, scenario):
    fund = book(1_000, 0.03, balance_yuan=20_000)  # 40 million yuan lent against 20,000 yuan
    found = stress_fund(fund, scenario(), StressOptions(36, 2_000, (8.0,), seed=1))
    assert found.current.exhaustion_within_horizon > 0.95
    assert found.current.exhaustion_by_month[12] <= found.current.exhaustion_by_month[36]
    assert found.top_up_fen > 0


def test_exhaustion_grows_with_the_multiple_and_the_safe_multiple_with_the_target(book, scenario):
    found = stress_fund(book(500, 0.04), scenario(), StressOptions(36, 4_000, LEVERAGES, seed=2))
    chances = [case.exhaustion_within_horizon for case in found.tested]
    assert chances == sorted(chances) and chances[0] < chances[-1]
    multiples = [safe_multiple(found.tested, target) for target in (0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)]
    reached = [m or 0.0 for m in multiples]
    assert reached == sorted(reached) and reached[0] < reached[-1]


def test_the_top_up_brings_the_current_book_under_the_target(book, scenario):
    settings = scenario(default_pd=0.06)
    fund = book(1_000, 0.06, balance_yuan=3_000_000)
    options = StressOptions(36, 4_000, (8.0,), seed=4)
    before = stress_fund(fund, settings, options)
    assert before.current.exhaustion_within_horizon >= settings.target_exhaustion_probability
    topped = dataclasses.replace(fund, balance_fen=fund.balance_fen + before.top_up_fen)
    after = stress_fund(topped, settings, options)
    assert after.current.exhaustion_within_horizon < settings.target_exhaustion_probability
    assert after.top_up_fen == 0


def test_a_fund_with_model_pds_counts_them(book, scenario):
    fund = book(10, 0.02)
    fund.model_pd[:4] = True
    result = stress_test([fund], scenario(), StressOptions(12, 100, (8.0,)))
    assert (result.loans, result.loans_with_model_pd) == (10, 4)


def test_processes_give_the_same_figures_as_one(book, scenario):
    funds = [book(200, 0.03, fund_id="A"), book(300, 0.05, fund_id="B", county="141123")]
    options = StressOptions(24, 1_000, (8.0, 10.0), seed=9)
    alone = stress_test(funds, scenario(), options)
    pooled = stress_test(funds, scenario(), dataclasses.replace(options, workers=2))
    assert pooled.funds == alone.funds


def test_bad_options_are_listed_together(book, scenario):
    from credit_engine.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        stress_test([book(1, 0.1)], scenario(), StressOptions(horizon_months=0, scenarios=0, leverages=(-1.0,)))
    assert {e.field for e in raised.value.errors} == {"horizon_months", "scenarios", "leverage"}
