"""The Monte-Carlo against closed forms: Vasicek's loss quantiles for a large homogeneous book, the binomial without
correlation; and seeded runs that repeat exactly."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom, norm

from credit_engine.stress.scenario import StressOptions
from credit_engine.stress.simulation import run_paths

RUN_OFF = (1e-9,)  # a multiple far below the book: nothing is re-lent, the book only runs off


def one_year(scenarios: int, seed: int = 11) -> StressOptions:
    return StressOptions(horizon_months=12, scenarios=scenarios, leverages=RUN_OFF, seed=seed, chunk_scenarios=50_000)


@pytest.mark.parametrize(("pd", "rho"), [(0.03, 0.15), (0.01, 0.08)])
def test_loss_quantiles_of_a_large_homogeneous_book_match_vasicek_within_2_percent(book, scenario, pd, rho):
    fund = book(100_000, pd)
    paths = run_paths(fund, scenario(asset_correlation=rho), one_year(200_000))
    loss_rate = paths.defaulted_fen[1] / fund.performing_fen.sum()
    for q in (0.5, 0.9, 0.95, 0.99):
        closed_form = norm.cdf((norm.ppf(pd) + np.sqrt(rho) * norm.ppf(q)) / np.sqrt(1 - rho))
        assert np.quantile(loss_rate, q) == pytest.approx(closed_form, rel=0.02), q


def test_defaults_without_correlation_are_binomial(book, scenario):
    fund = book(1_000, 0.03)
    paths = run_paths(fund, scenario(asset_correlation=0.0), one_year(100_000))
    defaults = np.rint(paths.defaulted_fen[1] / 4_000_000)
    for q in (0.01, 0.05, 0.5, 0.95, 0.99):
        assert np.quantile(defaults, q) == binom.ppf(q, 1_000, 0.03), q
    assert defaults.mean() == pytest.approx(30, rel=0.01)
    assert defaults.var() == pytest.approx(1_000 * 0.03 * 0.97, rel=0.03)


def test_a_seeded_run_repeats_exactly_and_another_seed_differs(book, scenario):
    fund, settings = book(500, 0.05), scenario()
    options = StressOptions(horizon_months=24, scenarios=2_000, leverages=(8.0, 12.0), seed=5, chunk_scenarios=700)
    first, again = run_paths(fund, settings, options), run_paths(fund, settings, options)
    other = run_paths(fund, settings, StressOptions(24, 2_000, (8.0, 12.0), seed=6, chunk_scenarios=700))
    for name in first.__slots__:
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.net_loss_fen, other.net_loss_fen)


def test_funds_of_one_county_share_its_factor(book, scenario):
    """Two funds of one county see the same economy: with the same book their default rates move together."""
    options = StressOptions(12, 2_000, RUN_OFF, seed=3)
    settings = scenario(asset_correlation=0.3)
    one = run_paths(book(20_000, 0.03, fund_id="A"), settings, options).defaulted_fen[1]
    same_county = run_paths(book(20_000, 0.03, fund_id="B"), settings, options).defaulted_fen[1]
    elsewhere = run_paths(book(20_000, 0.03, fund_id="C", county="141123"), settings, options).defaulted_fen[1]
    assert np.corrcoef(one, same_county)[0, 1] > 0.95
    assert np.corrcoef(one, elsewhere)[0, 1] < 0.8
