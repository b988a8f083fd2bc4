"""The loss waterfall: insurer first (a share, or a first-loss layer while it lasts), then fund and bank at the
fund's share; recoveries shared as the loss was borne. One function for one loss in fen and for arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from credit_engine.insurance.cover import CoverTerms, InsuranceCover, cover_in_force
from credit_engine.insurance.waterfall import recovery_one, split_loss, split_one, split_recovery
from credit_engine.ledger.money import share_of

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def test_without_a_cover_the_fund_bears_its_share_exactly_as_before():
    for loss in (1, 3, 99_999, 5_000_001, 3_000_000_000):
        assert split_one(loss, 7000) == (0, share_of(loss, 7000), loss - share_of(loss, 7000))


def test_a_share_cover_takes_its_share_first_and_the_rest_splits_seven_to_three():
    assert split_one(1_000_000, 7000, insurer_share_bps=5000) == (500_000, 350_000, 150_000)


def test_a_first_loss_layer_pays_everything_until_it_is_used_up():
    assert split_one(300_000, 7000, 10_000, layer_left_fen=1_000_000) == (300_000, 0, 0)
    assert split_one(1_000_000, 7000, 10_000, layer_left_fen=400_000) == (400_000, 420_000, 180_000)


def test_an_exhausted_layer_pays_nothing():
    assert split_one(1_000_000, 7000, 10_000, layer_left_fen=0) == (0, 700_000, 300_000)
    assert split_one(1_000_000, 7000, 10_000, layer_left_fen=-5) == (0, 700_000, 300_000)


def test_parts_always_sum_to_the_loss_in_fen():
    rng = np.random.default_rng(7)
    losses = rng.integers(1, 10**9, 1000)
    parts = split_loss(losses, 7000, 3333, rng.integers(0, 10**9, 1000))
    assert np.array_equal(parts.insurer + parts.fund + parts.bank, losses)


def test_arrays_of_yuan_are_split_without_rounding():
    parts = split_loss(np.array([100.0, 10.0]), 7000, 5000)
    assert np.allclose(parts.insurer, [50.0, 5.0]) and np.allclose(parts.fund, [35.0, 3.5])


def test_a_recovery_goes_back_in_the_proportions_the_loss_was_borne():
    # loss 1,000,000: insurer 500,000, fund 350,000, bank 150,000; 100,000 recovered
    assert recovery_one(100_000, 1_000_000, 500_000, 7000) == (50_000, 35_000, 15_000)


def test_a_recovery_without_insurer_gives_the_fund_its_share_as_before():
    assert recovery_one(12_345, 1_000_000, 0, 7000) == (0, share_of(12_345, 7000), 12_345 - share_of(12_345, 7000))


def test_recovery_arrays_split_like_one_recovery():
    parts = split_recovery(np.array([100_000, 7]), np.array([1_000_000, 10]), np.array([500_000, 3]), 7000)
    assert [int(v) for v in parts.insurer] == [50_000, 2] and [int(v) for v in parts.fund] == [35_000, 4]


def _cover(kind: str, on: str = "2025-01-01", **terms) -> InsuranceCover:
    values = {"insurer": "PICC", "kind": kind} | terms
    return InsuranceCover("F-1", dt.date.fromisoformat(on), T0, CoverTerms(**values))


def test_the_cover_in_force_is_the_latest_version_and_ends_with_kind_none_or_its_last_day():
    first = _cover("share", share_bps=5000, effective_to=dt.date(2025, 12, 31))
    assert cover_in_force([first], dt.date(2025, 6, 1)) is first
    assert cover_in_force([first], dt.date(2026, 1, 1)) is None
    assert cover_in_force([first, _cover("none", "2025-07-01")], dt.date(2025, 8, 1)) is None


def test_a_first_loss_layer_is_fresh_each_policy_year():
    cover = _cover("first_loss", "2024-03-15", layer_fen=100)
    assert cover.year_start(dt.date(2025, 3, 14)) == dt.date(2024, 3, 15)
    assert cover.year_start(dt.date(2025, 3, 15)) == dt.date(2025, 3, 15)
    assert cover.insurer_part(80, 7000, layer_used_fen=50) == 50


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"kind": "share", "share_bps": 0}, "share_bps"),
        ({"kind": "share", "share_bps": 10_001}, "share_bps"),
        ({"kind": "first_loss", "layer_fen": 0}, "layer_fen"),
        ({"kind": "first_loss", "layer_fen": 5, "layer_bps": 100}, "layer_fen"),
        ({"kind": "share", "share_bps": 5000, "layer_bps": 100}, "layer_fen"),
        ({"kind": "sideways"}, "kind"),
        ({"kind": "share", "share_bps": 5000, "premium_rate_bps": -1}, "premium_rate_bps"),
        ({"kind": "share", "share_bps": 5000, "subsidy_share_bps": 20_000}, "subsidy_share_bps"),
        ({"kind": "share", "share_bps": 5000, "insurer": " "}, "insurer"),
    ],
)
def test_bad_cover_terms_name_their_field_in_both_languages(terms, field):
    errors = CoverTerms(**({"insurer": "PICC"} | terms)).errors()
    assert [e.field for e in errors] == [field] and "/" in errors[0].message
