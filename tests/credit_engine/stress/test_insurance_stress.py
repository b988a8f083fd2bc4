"""Stress with an insurance cover: the simulated compensation passes the same waterfall as the ledger's, so a share
cover of s lowers the fund's loss by exactly s (same seed), a first-loss layer caps what the insurer takes, and the
output shows P(exhaustion) with and without the cover side by side."""

from __future__ import annotations

import dataclasses

import numpy as np

from credit_engine.insurance.cover import CoverTerms
from credit_engine.stress.layout import document, sheets
from credit_engine.stress.scenario import StressOptions
from credit_engine.stress.service import stress_fund, stress_test
from credit_engine.stress.simulation import run_paths

OPTIONS = StressOptions(24, 3_000, (8.0, 12.0), seed=11)


def insured(fund, **terms):
    return dataclasses.replace(fund, cover=CoverTerms(**({"insurer": "PICC"} | terms)))


def test_a_share_cover_lowers_the_funds_loss_by_exactly_its_share(book, scenario):
    fund, settings = book(2_000, 0.05), scenario(recovery_rate=0.3)
    bare = run_paths(fund, settings, OPTIONS)
    covered = run_paths(insured(fund, kind="share", share_bps=4000), settings, OPTIONS)
    assert bare.net_loss_fen.sum() > 0
    assert np.allclose(covered.net_loss_fen, 0.6 * bare.net_loss_fen, rtol=1e-12, atol=1e-6)
    assert np.array_equal(covered.defaulted_fen, bare.defaulted_fen)  # the same economy, the same defaults


def test_a_first_loss_layer_takes_losses_only_up_to_its_size_in_a_policy_year(book, scenario):
    fund, settings = book(2_000, 0.05), scenario(recovery_rate=0.0)
    options = StressOptions(12, 3_000, (8.0,), seed=12)  # one policy year
    layer_fen = 300_000 * 100
    bare = run_paths(fund, settings, options)
    covered = run_paths(insured(fund, kind="first_loss", layer_fen=layer_fen), settings, options)
    share = fund.terms.fund_share_bps / 10_000
    loss = bare.net_loss_fen / share  # the losses the fund paid its share of
    expected = share * np.maximum(loss - layer_fen, 0.0)
    assert np.allclose(covered.net_loss_fen, expected, rtol=1e-9, atol=1e-3)
    assert (loss > layer_fen).any() and (loss < layer_fen).any()  # both sides of the layer occur


def test_a_cover_of_another_product_changes_nothing(book, scenario):
    fund, settings = book(1_000, 0.05), scenario()
    bare = run_paths(fund, settings, OPTIONS)
    other = run_paths(insured(fund, kind="share", share_bps=5000, products=("qiangnong",)), settings, OPTIONS)
    assert np.allclose(other.net_loss_fen, bare.net_loss_fen, rtol=1e-12)


def test_the_output_shows_exhaustion_with_and_without_the_cover_side_by_side(book, scenario):
    fund = insured(book(1_000, 0.05, balance_yuan=1_000_000), kind="share", share_bps=5000)
    found = stress_fund(fund, scenario(), OPTIONS)
    assert found.insurer == "PICC" and len(found.uninsured) == 3
    assert found.current.exhaustion_within_horizon < found.uninsured[0].exhaustion_within_horizon
    result = stress_test([fund, book(1_000, 0.05, fund_id="F-2")], scenario(), OPTIONS)
    summary, by_leverage = sheets(result)
    first, second = summary.rows
    assert first["p_exhaustion_horizon"] < first["p_exhaustion_horizon_without_cover"]
    assert (second["insurer"], second["p_exhaustion_horizon"]) == ("", second["p_exhaustion_horizon_without_cover"])
    assert {"p_exhaustion_horizon_without_cover"} <= {c.key for c in by_leverage.columns}
    entry = document(result)["funds"][0]
    assert len(entry["without_cover"]) == 3 and entry["insurer"] == "PICC"


def test_a_layer_as_a_share_of_insured_principal_caps_like_its_amount(book, scenario):
    fund, settings = book(2_000, 0.05), scenario(recovery_rate=0.0)
    options = StressOptions(12, 3_000, (8.0,), seed=12)
    bare = run_paths(fund, settings, options)
    covered = run_paths(insured(fund, kind="first_loss", layer_bps=500), settings, options)
    layer_fen = 0.05 * fund.performing_fen.sum()  # the fund as it stands re-lends nothing in month 0
    share = fund.terms.fund_share_bps / 10_000
    expected = share * np.maximum(bare.net_loss_fen[0] / share - layer_fen, 0.0)
    assert np.allclose(covered.net_loss_fen[0], expected, rtol=1e-9, atol=1e-3)


def test_a_layer_the_insurer_has_used_up_this_policy_year_takes_nothing_until_its_anniversary(book, scenario):
    from credit_engine.stress.live_book import PolicyYear

    fund, settings = book(2_000, 0.05), scenario(recovery_rate=0.0)
    options = StressOptions(12, 3_000, (8.0,), seed=12)
    layer_fen = 300_000 * 100
    bare = run_paths(fund, settings, options)
    cover = {"kind": "first_loss", "layer_fen": layer_fen}
    spent = dataclasses.replace(insured(fund, **cover), policy_year=PolicyYear(12, layer_fen, layer_fen))
    assert np.allclose(run_paths(spent, settings, options).net_loss_fen, bare.net_loss_fen, rtol=1e-12)
    half = dataclasses.replace(insured(fund, **cover), policy_year=PolicyYear(12, layer_fen, layer_fen // 2))
    share = fund.terms.fund_share_bps / 10_000
    expected = share * np.maximum(bare.net_loss_fen / share - layer_fen // 2, 0.0)
    assert np.allclose(run_paths(half, settings, options).net_loss_fen, expected, rtol=1e-9, atol=1e-3)


def test_a_spent_layer_is_fresh_again_on_the_covers_anniversary(book, scenario):
    from credit_engine.stress.live_book import PolicyYear

    fund, settings = book(2_000, 0.05), scenario(recovery_rate=0.0)
    options = StressOptions(24, 3_000, (8.0,), seed=12)
    cover = {"kind": "first_loss", "layer_fen": 300_000 * 100}
    spent_soon = dataclasses.replace(insured(fund, **cover), policy_year=PolicyYear(3, 300_000 * 100, 300_000 * 100))
    spent_long = dataclasses.replace(insured(fund, **cover), policy_year=PolicyYear(11, 300_000 * 100, 300_000 * 100))
    soon, late = run_paths(spent_soon, settings, options), run_paths(spent_long, settings, options)
    bare = run_paths(fund, settings, options)
    # a layer renewed after 3 months covers more of the losses than one renewed after 11: less for the fund
    assert soon.net_loss_fen.mean() < late.net_loss_fen.mean() < bare.net_loss_fen.mean()
